using System.Data.Common;
using System.Text.RegularExpressions;
using MailServerAdmin.Data;
using MailServerAdmin.MailServers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MailServerAdmin.Tests.Infrastructure;

/// <summary>
/// The real app on a real database and a real key directory, in a folder of its own: a SQLite file there, or (in the
/// PostgreSQL run, see <see cref="TestDatabase"/>) a fresh PostgreSQL database, dropped with the factory. A second factory
/// over the same folder and database is the same installation started again.
/// </summary>
public sealed partial class AppFactory : WebApplicationFactory<Program>
{
    public AppFactory()
        : this(Directory.CreateTempSubdirectory("mailserveradmin-tests-").FullName, TestDatabase.IsPostgres ? PostgresDatabase.Create() : null)
    {
        OwnsDatabase = true;
    }

    /// <summary>
    /// The app on <paramref name="postgres"/>, whatever the run's database (a PostgreSQL-only test); the caller drops it.
    /// Internal: a class fixture (xunit) may have only one public constructor.
    /// </summary>
    internal AppFactory(PostgresDatabase postgres)
        : this(Directory.CreateTempSubdirectory("mailserveradmin-tests-").FullName, postgres)
    {
        ArgumentNullException.ThrowIfNull(postgres);
    }

    private AppFactory(string dataDirectory, PostgresDatabase? postgres)
    {
        DataDirectory = dataDirectory;
        Postgres = postgres;
    }

    public string DataDirectory { get; }

    /// <summary>The SQLite file (SQLite run only).</summary>
    public string DatabasePath => Path.Combine(DataDirectory, "mailserveradmin.db");

    /// <summary>The PostgreSQL database, in the PostgreSQL run.</summary>
    public PostgresDatabase? Postgres { get; }

    /// <summary>The app's connection string, as it is configured.</summary>
    public string ConnectionString => Postgres?.ConnectionString ?? $"Data Source={DatabasePath}";

    public string KeysDirectory => Path.Combine(DataDirectory, "keys");

    public CapturedLogs Logs { get; } = new();

    /// <summary>When set, every call to a provider (MSAL's https authority included) goes to this local test provider.</summary>
    public Uri? OAuthProviderUri { get; init; }

    /// <summary>The time limit of calls to a provider's token endpoint.</summary>
    public int OAuthTimeoutSeconds { get; init; } = 10;

    /// <summary>"Testing" behaves as production (HTTPS only); "Development" serves plain HTTP, as a browser test on a real port needs.</summary>
    public string EnvironmentName { get; init; } = "Testing";

    /// <summary>The HTTPS port plain HTTP is redirected to outside Development; null leaves it unknown, as behind a proxy.</summary>
    public int? HttpsPort { get; init; } = 443;

    /// <summary>More settings for this app (applied last: they win over the factory's own).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Changes the connection string the app is given (to reach the database through a relay, say).</summary>
    public Func<string, string>? RouteConnectionString { get; init; }

    /// <summary>More service registrations, after the app's own.</summary>
    public Action<IServiceCollection>? ExtraServices { get; init; }

    public SqlLog Sql { get; } = new();

    private bool OwnsDirectory { get; set; } = true;

    private bool OwnsDatabase { get; set; }

    /// <summary>
    /// A second instance of the app on the same database and key directory (this one keeps running), with
    /// <paramref name="settings"/> on top of this one's.
    /// </summary>
    public AppFactory Sibling(IReadOnlyDictionary<string, string?>? settings = null) => new(DataDirectory, Postgres)
    {
        OAuthProviderUri = OAuthProviderUri,
        OAuthTimeoutSeconds = OAuthTimeoutSeconds,
        Settings = settings is null ? Settings : Settings.Concat(settings).GroupBy(s => s.Key).ToDictionary(g => g.Key, g => g.Last().Value),
        ExtraServices = ExtraServices,
        EnvironmentName = EnvironmentName,
        HttpsPort = HttpsPort,
        RouteConnectionString = RouteConnectionString,
        OwnsDirectory = false,
    };

    /// <summary>Stops this app and starts it again on the same database and key directory, with the same settings; the new one owns them.</summary>
    public AppFactory Restart()
    {
        OwnsDirectory = false;
        var ownsDatabase = OwnsDatabase;
        OwnsDatabase = false;
        Dispose();
        return new AppFactory(DataDirectory, Postgres)
        {
            OwnsDatabase = ownsDatabase,
            OAuthProviderUri = OAuthProviderUri,
            OAuthTimeoutSeconds = OAuthTimeoutSeconds,
            Settings = Settings,
            ExtraServices = ExtraServices,
            EnvironmentName = EnvironmentName,
            HttpsPort = HttpsPort,
            RouteConnectionString = RouteConnectionString,
        };
    }

    /// <summary>
    /// Starts the app, then waits for its sending warm-up, which the admin app runs in the background once started: tests
    /// that copy or remove its files right after the start must not race it.
    /// </summary>
    protected override IHost CreateHost(IHostBuilder builder)
    {
        var before = WarmUpLines();
        var host = base.CreateHost(builder);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (WarmUpLines() == before && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            Thread.Sleep(10);
        }

        return host;

        int WarmUpLines() => Logs.Lines.Count(l => l.Contains("Sending warmed up", StringComparison.Ordinal)
            || l.Contains("Sending could not be warmed up", StringComparison.Ordinal));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        if (EnvironmentName != "Development" && HttpsPort is { } httpsPort)
        {
            builder.UseSetting("https_port", httpsPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        // Every log line at every level is kept in memory (and not printed), so tests can look for secrets in it.
        builder.UseSetting("Logging:LogLevel:Default", "Debug");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Information");
        builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", "Information");
        builder.UseSetting(DatabaseSettings.ProviderSetting, Postgres is null ? nameof(DatabaseProvider.Sqlite) : nameof(DatabaseProvider.Postgres));
        builder.UseSetting(DatabaseSettings.ConnectionStringSetting, RouteConnectionString?.Invoke(ConnectionString) ?? ConnectionString);
        // The key ring in its directory on both databases, so that a test can lose it; the hosting tests choose the database.
        builder.UseSetting(DatabaseSettings.KeyStoreSetting, nameof(KeyRingStore.Directory));
        builder.UseSetting(AppDatabase.KeysDirectorySetting, KeysDirectory);
        builder.ConfigureLogging(logging => logging.ClearProviders().SetMinimumLevel(LogLevel.Debug).AddProvider(Logs));
        builder.UseSetting("OAuth:TimeoutSeconds", OAuthTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        // The background refresh is driven by the tests themselves.
        builder.UseSetting("OAuth:RefreshCheckMinutes", "0");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services =>
        {
            if (OAuthProviderUri is { } provider)
            {
                services.AddHttpClient(MailServerAdmin.OAuth.ManualOAuthClient.HttpClientName)
                    .ConfigurePrimaryHttpMessageHandler(() => new OAuth.LoopbackRoutingHandler(provider) { InnerHandler = new SocketsHttpHandler() });
            }

            services.ConfigureDbContext<AppDbContext>(options => options.AddInterceptors(Sql));
            // Identity's real hasher, with fewer rounds: tests sign in often and do not measure hashing strength.
            services.Configure<PasswordHasherOptions>(options => options.IterationCount = 1_000);
            ExtraServices?.Invoke(services);
        });
    }

    public const string AdminEmail = "admin@example.com";
    public const string AdminPassword = "correct-horse-battery";

    private readonly SemaphoreSlim _seedLock = new(1, 1);
    private bool _adminSeeded;

    /// <summary>
    /// A client that follows redirects and keeps cookies, like a browser, over HTTPS (as outside Development),
    /// signed in through the sign-in page as an administrator.
    /// </summary>
    public async Task<HttpClient> CreateBrowserAsync(string email = AdminEmail, string password = AdminPassword, bool followRedirects = true)
    {
        await EnsureAdministratorAsync(AdminEmail, AdminPassword);
        var client = CreateAnonymousBrowser(followRedirects);
        var login = await client.GetPageAsync("/Account/Login");
        using var response = await client.FollowAsync(await client.SubmitAsync(login, new Dictionary<string, string?>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }));
        Assert.Equal("/MailServers", response.RequestMessage!.RequestUri!.AbsolutePath);
        return client;
    }

    /// <summary>
    /// A browser that has not signed in. Without <paramref name="followRedirects"/> it stops at every redirect, so that
    /// a test can see where the app sends it (a provider's authorization endpoint, say).
    /// </summary>
    public HttpClient CreateAnonymousBrowser(bool followRedirects = true) => CreateClient(new WebApplicationFactoryClientOptions
    {
        AllowAutoRedirect = followRedirects,
        BaseAddress = new Uri("https://localhost"),
    });

    /// <summary>Creates an administrator directly in the store (the set-up page is tested on its own).</summary>
    public async Task EnsureAdministratorAsync(string email, string password)
    {
        await _seedLock.WaitAsync();
        try
        {
            if (_adminSeeded && email == AdminEmail)
            {
                return;
            }

            await using var scope = Services.CreateAsyncScope();
            var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
            if (await users.FindByEmailAsync(email) is null)
            {
                var result = await users.CreateAsync(new IdentityUser { UserName = email, Email = email, EmailConfirmed = true }, password);
                Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => e.Description)));
            }

            _adminSeeded |= email == AdminEmail;
        }
        finally
        {
            _seedLock.Release();
        }
    }

    public async Task<T> WithDbAsync<T>(Func<AppDbContext, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }

    public Task WithDbAsync(Func<AppDbContext, Task> action) => WithDbAsync(async db =>
    {
        await action(db);
        return true;
    });

    /// <summary>A stored secret of <paramref name="server"/>, decrypted as the app would for the server's own settings.</summary>
    public string? Secret(MailServer server, SecretField field)
    {
        ArgumentNullException.ThrowIfNull(server);
        var stored = field switch
        {
            SecretField.Password => server.ProtectedPassword,
            SecretField.ClientSecret => server.ProtectedClientSecret,
            SecretField.AccessToken => server.ProtectedAccessToken,
            SecretField.Certificate => server.ProtectedCertificate,
            SecretField.ServiceAccountKey => server.ProtectedServiceAccountKey,
            _ => server.ProtectedRefreshToken,
        };
        var read = Services.GetRequiredService<SecretVault>().Read(field, server.Id, MailServerSettings.Of(server), stored);
        Assert.NotEqual(SecretState.Unreadable, read.State);
        return read.Value;
    }

    /// <summary>Moves everything from SQLite's write-ahead log into the database file (PostgreSQL has nothing to move).</summary>
    public Task CheckpointAsync() => Postgres is null
        ? WithDbAsync(db => db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);"))
        : Task.CompletedTask;

    /// <summary>
    /// Reads a column straight from the database, bypassing the app. The app's names (<c>MailServers</c>, <c>Password</c>)
    /// are written as they are; for PostgreSQL, which folds unquoted names to lower case, they are quoted here.
    /// </summary>
    public async Task<string?> ReadRawAsync(string sql)
    {
        ArgumentNullException.ThrowIfNull(sql);
        await using DbConnection connection = Postgres is null
            ? new SqliteConnection($"Data Source={DatabasePath};Mode=ReadOnly;Pooling=False")
            : new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Postgres.ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = Postgres is null ? sql : PascalCaseName().Replace(sql, "\"$0\"");
        return (await command.ExecuteScalarAsync()) as string;
    }

    /// <summary>A name such as MailServers or AccessToken (SQL keywords are written in capitals).</summary>
    [GeneratedRegex(@"\b[A-Z][a-z][A-Za-z0-9]*\b")]
    private static partial Regex PascalCaseName();

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _seedLock.Dispose();
        }

        if (disposing && OwnsDatabase)
        {
            Postgres?.Dispose();
        }

        if (disposing && OwnsDirectory)
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder left behind is harmless.
            }
        }
    }
}
