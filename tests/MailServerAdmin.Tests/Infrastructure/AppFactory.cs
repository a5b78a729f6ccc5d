using MailServerAdmin.Data;
using MailServerAdmin.MailServers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailServerAdmin.Tests.Infrastructure;

/// <summary>
/// The real app on a real SQLite file and a real key directory, in a folder of its own. A second factory
/// over the same folder is the same installation started again.
/// </summary>
public sealed class AppFactory : WebApplicationFactory<Program>
{
    public AppFactory()
        : this(Directory.CreateTempSubdirectory("mailserveradmin-tests-").FullName)
    {
    }

    private AppFactory(string dataDirectory) => DataDirectory = dataDirectory;

    public string DataDirectory { get; }

    public string DatabasePath => Path.Combine(DataDirectory, "mailserveradmin.db");

    public string KeysDirectory => Path.Combine(DataDirectory, "keys");

    public CapturedLogs Logs { get; } = new();

    /// <summary>When set, every call to a provider (MSAL's https authority included) goes to this local test provider.</summary>
    public Uri? OAuthProviderUri { get; init; }

    /// <summary>The time limit of calls to a provider's token endpoint.</summary>
    public int OAuthTimeoutSeconds { get; init; } = 10;

    /// <summary>"Testing" behaves as production (HTTPS only); "Development" serves plain HTTP, as a browser test on a real port needs.</summary>
    public string EnvironmentName { get; init; } = "Testing";

    /// <summary>More settings for this app.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>More service registrations, after the app's own.</summary>
    public Action<IServiceCollection>? ExtraServices { get; init; }

    public SqlLog Sql { get; } = new();

    private bool OwnsDirectory { get; set; } = true;

    /// <summary>
    /// A second instance of the app on the same database and key directory (this one keeps running), with
    /// <paramref name="settings"/> on top of this one's.
    /// </summary>
    public AppFactory Sibling(IReadOnlyDictionary<string, string?>? settings = null) => new(DataDirectory)
    {
        OAuthProviderUri = OAuthProviderUri,
        OAuthTimeoutSeconds = OAuthTimeoutSeconds,
        Settings = settings is null ? Settings : Settings.Concat(settings).GroupBy(s => s.Key).ToDictionary(g => g.Key, g => g.Last().Value),
        ExtraServices = ExtraServices,
        EnvironmentName = EnvironmentName,
        OwnsDirectory = false,
    };

    /// <summary>Stops this app and starts it again on the same database and key directory, with the same settings.</summary>
    public AppFactory Restart()
    {
        OwnsDirectory = false;
        Dispose();
        return new AppFactory(DataDirectory)
        {
            OAuthProviderUri = OAuthProviderUri,
            OAuthTimeoutSeconds = OAuthTimeoutSeconds,
            Settings = Settings,
            ExtraServices = ExtraServices,
            EnvironmentName = EnvironmentName,
        };
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        if (EnvironmentName != "Development")
        {
            builder.UseSetting("https_port", "443");
        }

        // Every log line at every level is kept in memory (and not printed), so tests can look for secrets in it.
        builder.UseSetting("Logging:LogLevel:Default", "Debug");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Information");
        builder.UseSetting("Logging:LogLevel:Microsoft.EntityFrameworkCore", "Information");
        builder.UseSetting($"ConnectionStrings:{AppDatabase.ConnectionStringName}", $"Data Source={DatabasePath}");
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

    /// <summary>Moves everything from the write-ahead log into the database file.</summary>
    public Task CheckpointAsync() => WithDbAsync(db => db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);"));

    /// <summary>Reads a column straight from the SQLite file, bypassing the app.</summary>
    public async Task<string?> ReadRawAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (await command.ExecuteScalarAsync()) as string;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _seedLock.Dispose();
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
