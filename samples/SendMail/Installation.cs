using MailServerAdmin.Data;
using MailServerAdmin.MailServers;
using MailServerAdmin.Sending;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace SendMail;

/// <summary>
/// Checks, before anything is sent, that the settings point at an installation of the admin app: its database, already
/// migrated, with a default server, and its key ring when that server has stored secrets. Nothing is created.
/// </summary>
internal static class Installation
{
    private const string Advice =
        "Run the admin app first, or point ConnectionStrings:MailServerAdmin at its database.";

    /// <summary>What is wrong with the installation, in plain words; null when the default server can be used.</summary>
    public static async Task<string?> FindProblemAsync(IServiceProvider services)
    {
        var db = services.GetRequiredService<AppDbContext>();
        if (db.Database.IsSqlite())
        {
            // Opening a missing SQLite file would create it: look first. The path is already absolute.
            var path = new SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
            if (!File.Exists(path))
            {
                return $"There is no MailServerAdmin database at {path}. {Advice}";
            }

            try
            {
                var pending = (await db.Database.GetPendingMigrationsAsync()).Count();
                if (pending > 0)
                {
                    return $"The database at {path} is not migrated ({pending} migration(s) pending). {Advice}";
                }
            }
            catch (SqliteException e)
            {
                return $"The database at {path} cannot be read: {e.Message} {Advice}";
            }
        }

        MailServer server;
        try
        {
            server = await services.GetRequiredService<MailDelivery>().FindAsync(serverName: null, CancellationToken.None);
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }

        var hasSecrets = server.ProtectedPassword is not null || server.ProtectedClientSecret is not null
            || server.ProtectedAccessToken is not null || server.ProtectedRefreshToken is not null;
        var keys = services.GetRequiredService<IOptions<KeyManagementOptions>>().Value.XmlRepository;
        if (hasSecrets && keys is not null && keys.GetAllElements().Count == 0)
        {
            var where = (keys as FileSystemXmlRepository)?.Directory.FullName ?? "the configured key directory";
            return $"There are no Data Protection keys in {where}, so the stored secrets of '{server.Name}' cannot be "
                + "decrypted. Point DataProtection:KeysDirectory at the admin app's key directory.";
        }

        return null;
    }
}
