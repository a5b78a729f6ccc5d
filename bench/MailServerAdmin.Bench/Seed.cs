using System.Diagnostics;
using System.Globalization;
using MailServerAdmin.Data;
using MailServerAdmin.MailServers;
using MailServerAdmin.OAuth;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;

namespace MailServerAdmin.Bench;

/// <summary>
/// Databases of 100, 10,000 or 100,000 servers, written with straight SQL inserts (through the app's own migrations and
/// triggers), with secrets encrypted by the app's own <see cref="SecretVault"/> on a share of the rows.
/// </summary>
internal static class Seed
{
    public const string AdminEmail = "bench@example.com";
    public const string AdminPassword = "Bench-Password-2026!";
    public const string SmtpLogin = "sender@bench.example";
    public const string SmtpPassword = "bench-smtp-password";

    /// <summary>Three rows are on this host: a search for "zephyr" matches exactly three servers.</summary>
    public const string NeedleHost = "mail.zephyr-relay.org";

    /// <summary>The library as the business application registers it, on the bench's database and key ring.</summary>
    public static IHost BuildHost(string dataDir)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = dataDir,
            EnvironmentName = "Production",
            DisableDefaults = true,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{AppDatabase.ConnectionStringName}"] = $"Data Source={Path.Combine(dataDir, "mailserveradmin.db")}",
            [AppDatabase.KeysDirectorySetting] = Path.Combine(dataDir, "keys"),
        });
        builder.Logging.ClearProviders();
        builder.AddMailServers();
        builder.Services.AddIdentityCore<IdentityUser>().AddEntityFrameworkStores<AppDbContext>();
        return builder.Build();
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var dataDir = Path.GetFullPath(args[0]);
        var count = int.Parse(args[1], CultureInfo.InvariantCulture);
        var smtpPort = int.Parse(args[2], CultureInfo.InvariantCulture);
        Directory.CreateDirectory(dataDir);
        var clock = Stopwatch.StartNew();
        using var host = BuildHost(dataDir);
        await host.MigrateDatabaseAsync();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
            if (await users.FindByEmailAsync(AdminEmail) is null)
            {
                var created = await users.CreateAsync(new IdentityUser { UserName = AdminEmail, Email = AdminEmail, EmailConfirmed = true }, AdminPassword);
                if (!created.Succeeded)
                {
                    throw new InvalidOperationException(string.Join("; ", created.Errors.Select(e => e.Description)));
                }
            }
        }

        var vault = host.Services.GetRequiredService<SecretVault>();
        // Secrets written with keys this app never had: the list shows them as unreadable.
        var foreign = new SecretVault(new Microsoft.AspNetCore.DataProtection.EphemeralDataProtectionProvider());
        var needles = new HashSet<int> { count / 81, count * 4 / 9, count * 80 / 81 };

        await using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDir, "mailserveradmin.db")};Pooling=False");
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var insert = connection.CreateCommand();
        insert.Transaction = (SqliteTransaction)transaction;
        string[] columns =
        [
            "Id", "Name", "NormalizedName", "Host", "Port", "Security", "UserName", "SenderEmail", "SenderName", "IsDefault",
            "AuthenticationType", "RequiresAuthentication", "Login", "Password", "OAuthProvider", "Tenant", "ClientId", "ClientSecret",
            "AuthorizationUrl", "TokenUrl", "RevocationUrl", "Scopes", "AccessToken", "RefreshToken", "AccessTokenExpiresUtc",
            "TokensObtainedUtc", "TokenAccount", "TokensRefreshedUtc", "TokenError", "TokenErrorUtc", "TokenNeedsAuthorization",
            "TokenVersion", "Version", "SecretScheme", "CreatedUtc", "UpdatedUtc",
        ];
        insert.CommandText = $"INSERT INTO MailServers ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select(c => "$" + c))})";
        var parameters = columns.ToDictionary(c => c, c => insert.Parameters.Add(new SqliteParameter("$" + c, null)));
        var now = DateTime.UtcNow;
        for (var i = 0; i < count; i++)
        {
            var server = Row(i, needles.Contains(i), smtpPort, now);
            var settings = MailServerSettings.Of(server);
            if (i == 0)
            {
                server.ProtectedPassword = vault.Protect(SecretField.Password, server.Id, settings, SmtpPassword);
            }
            else if (server.AuthenticationType == AuthenticationType.OAuth)
            {
                server.ProtectedClientSecret = vault.Protect(SecretField.ClientSecret, server.Id, settings, "client-secret-" + i);
                server.ProtectedAccessToken = vault.Protect(SecretField.AccessToken, server.Id, settings, "access-token-" + i);
                server.ProtectedRefreshToken = vault.Protect(SecretField.RefreshToken, server.Id, settings, "refresh-token-" + i);
            }
            else if (server.RequiresAuthentication)
            {
                server.ProtectedPassword = (i % 50 == 7 ? foreign : vault).Protect(SecretField.Password, server.Id, settings, "password-" + i);
            }

            object?[] values =
            [
                server.Id, server.Name, server.NormalizedName, server.Host, server.Port, server.Security.ToString(), server.UserName,
                server.SenderEmail, server.SenderName, server.IsDefault, server.AuthenticationType.ToString(), server.RequiresAuthentication,
                server.Login, server.ProtectedPassword, server.OAuthProvider?.ToString(), server.Tenant, server.ClientId,
                server.ProtectedClientSecret, server.AuthorizationUrl, server.TokenUrl, server.RevocationUrl, server.Scopes,
                server.ProtectedAccessToken, server.ProtectedRefreshToken, server.AccessTokenExpiresUtc, server.TokensObtainedUtc,
                server.TokenAccount, server.TokensRefreshedUtc, server.TokenError, server.TokenErrorUtc, server.TokenNeedsAuthorization,
                server.TokenVersion, server.Version, server.SecretScheme, server.CreatedUtc, server.UpdatedUtc,
            ];
            for (var c = 0; c < columns.Length; c++)
            {
                parameters[columns[c]].Value = values[c] ?? DBNull.Value;
            }

            await insert.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        await using (var analyze = connection.CreateCommand())
        {
            analyze.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            await analyze.ExecuteNonQueryAsync();
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seeded {count} servers in {clock.Elapsed.TotalSeconds:F1} s"));
        return 0;
    }

    /// <summary>Moves the default to the row with the highest id: the last one a table scan reaches.</summary>
    public static async Task<int> MakeLastRowDefaultAsync(string[] args)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(Path.GetFullPath(args[0]), "mailserveradmin.db")};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            BEGIN;
            UPDATE MailServers SET IsDefault = 0 WHERE IsDefault <> 0;
            UPDATE MailServers SET IsDefault = 1 WHERE Id = (SELECT max(Id) FROM MailServers);
            COMMIT;
            """;
        await command.ExecuteNonQueryAsync();
        return 0;
    }

    private static MailServer Row(int i, bool needle, int smtpPort, DateTime now)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"server-{i:D6}");
        var server = new MailServer
        {
            Id = i + 1,
            Name = name,
            NormalizedName = MailServer.NormalizeName(name),
            Host = needle ? NeedleHost : i % 7 == 0 ? "relay.example.net" : string.Create(CultureInfo.InvariantCulture, $"smtp{i}.example.com"),
            Port = i % 3 == 0 ? 465 : 587,
            Security = i % 3 == 0 ? SmtpSecurity.SslOnConnect : SmtpSecurity.StartTls,
            SenderEmail = string.Create(CultureInfo.InvariantCulture, $"noreply{i}@example.com"),
            SenderName = i % 2 == 0 ? string.Create(CultureInfo.InvariantCulture, $"Team {i}") : null,
            IsDefault = i == 0,
            TokenVersion = Guid.NewGuid(),
            Version = Guid.NewGuid(),
            SecretScheme = SecretVault.Scheme,
            CreatedUtc = now,
            UpdatedUtc = now,
        };
        if (i == 0)
        {
            // The default: the bench's SMTP peer, with a password.
            server.Host = "127.0.0.1";
            server.Port = smtpPort;
            server.Security = SmtpSecurity.None;
            server.SenderEmail = SmtpLogin;
            server.RequiresAuthentication = true;
            server.Login = SmtpLogin;
        }
        else if (i % 10 == 3)
        {
            server.AuthenticationType = AuthenticationType.OAuth;
            server.RequiresAuthentication = true;
            server.OAuthProvider = OAuthProvider.Microsoft;
            server.Tenant = "organizations";
            server.ClientId = "00000000-0000-0000-0000-000000000001";
            server.AuthorizationUrl = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize";
            server.TokenUrl = "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token";
            server.Scopes = "https://outlook.office.com/SMTP.Send offline_access";
            server.AccessTokenExpiresUtc = now.AddMinutes(50);
            server.TokensObtainedUtc = now.AddDays(-3);
            server.TokensRefreshedUtc = now.AddMinutes(-10);
            server.TokenAccount = server.SenderEmail;
        }
        else if (i % 10 is 1 or 2 or 7)
        {
            server.RequiresAuthentication = true;
            server.Login = server.SenderEmail;
        }

        return server;
    }
}
