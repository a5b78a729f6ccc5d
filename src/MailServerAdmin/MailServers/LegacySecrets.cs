using MailServerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.MailServers;

/// <summary>
/// Re-encrypts secrets written by the first scheme (one Data Protection purpose for every column and row) with
/// <see cref="SecretVault"/>'s per-secret purposes. Runs after the migrations; a secret whose key is gone stays as it
/// is (it reads as unreadable, and the pages ask for it again), and its row is tried again at the next start.
/// </summary>
public static partial class LegacySecrets
{
    public static async Task UpgradeAsync(AppDbContext db, SecretVault vault, ILogger logger, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(vault);
        if (!await StartupChecks.AnyAsync(db, """SELECT 1 FROM "MailServers" WHERE "SecretScheme" < @scheme""", ct, ("scheme", SecretVault.Scheme)))
        {
            return;
        }

        var rows = await db.MailServers.Where(s => s.SecretScheme < SecretVault.Scheme).ToListAsync(ct);
        if (rows.Count == 0)
        {
            return;
        }

        var unreadable = 0;
        foreach (var server in rows)
        {
            var settings = MailServerSettings.Of(server);
            var complete = true;
            server.ProtectedPassword = Upgrade(SecretField.Password, server.ProtectedPassword);
            server.ProtectedClientSecret = Upgrade(SecretField.ClientSecret, server.ProtectedClientSecret);
            server.ProtectedAccessToken = Upgrade(SecretField.AccessToken, server.ProtectedAccessToken);
            server.ProtectedRefreshToken = Upgrade(SecretField.RefreshToken, server.ProtectedRefreshToken);
            if (complete)
            {
                server.SecretScheme = SecretVault.Scheme;
            }
            else
            {
                unreadable++;
            }

            string? Upgrade(SecretField field, string? stored)
            {
                if (stored is null)
                {
                    return null;
                }

                if (vault.ReadLegacy(stored) is { Length: > 0 } plain)
                {
                    return vault.Protect(field, server.Id, settings, plain);
                }

                complete = false;
                return stored;
            }
        }

        await db.SaveChangesAsync(ct);
        LogUpgraded(logger, rows.Count - unreadable, unreadable);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-encrypted the secrets of {Upgraded} mail server(s) with per-secret purposes; {Unreadable} server(s) have secrets whose Data Protection key is gone and must be typed again")]
    private static partial void LogUpgraded(ILogger logger, int upgraded, int unreadable);
}
