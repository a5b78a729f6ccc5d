using MailServerAdmin.Data;
using MailServerAdmin.Localization;
using Microsoft.EntityFrameworkCore;
using static MailServerAdmin.Localization.LocalizableText;

namespace MailServerAdmin.MailServers;

/// <summary>
/// Client secrets and certificates expire (Entra allows a client secret at most 24 months): the ones in use that expire
/// within <see cref="WarnBefore"/>, or have expired, are warned about on the list, the Check page and every admin page.
/// </summary>
public sealed class CredentialExpiry(AppDbContext db, TimeProvider time)
{
    /// <summary>How long before its expiry a credential is warned about.</summary>
    public static readonly TimeSpan WarnBefore = TimeSpan.FromDays(30);

    /// <summary>The list of all servers, read once per request (the page and the banner both show it).</summary>
    private IReadOnlyList<ExpiringCredential>? _all;

    /// <summary>Every credential in use that expires within 30 days or has expired (of one server, or of all), soonest first.</summary>
    public async Task<IReadOnlyList<ExpiringCredential>> ListAsync(int? serverId = null, CancellationToken ct = default)
    {
        if (serverId is null && _all is not null)
        {
            return _all;
        }

        // Only what expires within the warning time: two indexed ranges, never the whole table (this runs on every page).
        var now = time.GetUtcNow().UtcDateTime;
        var soon = now + WarnBefore;
        var soonDay = DateOnly.FromDateTime(soon);
        var query = db.MailServers.AsNoTracking();
        query = serverId is { } id ? query.Where(s => s.Id == id) : query;
        var rows = await query
            .Where(s => (s.ClientSecretExpiresOn <= soonDay && s.ProtectedClientSecret != null) || (s.CertificateExpiresUtc <= soon && s.ProtectedCertificate != null))
            .Select(s => new
            {
                s.Id,
                s.Name,
                SecretExpiresOn = s.ProtectedClientSecret != null ? s.ClientSecretExpiresOn : null,
                CertificateExpiresUtc = s.ProtectedCertificate != null ? s.CertificateExpiresUtc : null,
            })
            .ToListAsync(ct);
        var expiring = rows
            .SelectMany(r => new[]
            {
                ExpiringCredential.Within(r.Id, r.Name, ExpiringKind.ClientSecret, ExpiringCredential.StartOf(r.SecretExpiresOn), now),
                ExpiringCredential.Within(r.Id, r.Name, ExpiringKind.Certificate, r.CertificateExpiresUtc, now),
            })
            .OfType<ExpiringCredential>()
            .OrderBy(c => c.ExpiresUtc)
            .ToList();
        if (serverId is null)
        {
            _all = expiring;
        }

        return expiring;
    }
}

public enum ExpiringKind
{
    ClientSecret,
    Certificate,
}

/// <summary>A client secret or certificate of a server that expires soon or has expired.</summary>
public sealed record ExpiringCredential(int ServerId, string ServerName, ExpiringKind Kind, DateTime ExpiresUtc)
{
    /// <summary>The warning for a credential expiring at <paramref name="expiresUtc"/>, or null when it is further off than 30 days.</summary>
    public static ExpiringCredential? Within(int serverId, string serverName, ExpiringKind kind, DateTime? expiresUtc, DateTime nowUtc) =>
        expiresUtc is { } expires && expires - nowUtc <= CredentialExpiry.WarnBefore ? new(serverId, serverName, kind, expires) : null;

    /// <summary>A client secret's expiry date, as the start of that day in UTC (the earliest it may stop working).</summary>
    public static DateTime? StartOf(DateOnly? day) => day?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    public bool HasExpired(DateTime nowUtc) => ExpiresUtc <= nowUtc;

    /// <summary>What expires, when, and what to do about it.</summary>
    public LocalizableText Describe(DateTime nowUtc)
    {
        var what = Kind == ExpiringKind.ClientSecret ? "ClientSecret" : "Certificate";
        return HasExpired(nowUtc)
            ? Of($"Expiry_{what}_Expired", ServerName, UtcTime.Day(ExpiresUtc))
            : Of($"Expiry_{what}_Soon", ServerName, UtcTime.Day(ExpiresUtc), Math.Max(1, (int)Math.Ceiling((ExpiresUtc - nowUtc).TotalDays)));
    }
}
