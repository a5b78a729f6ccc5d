using MailServerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Audit;

/// <summary>
/// Records what administrators do. Entries are added to the caller's unit of work, so they are saved in the
/// same transaction as the change they describe.
/// </summary>
public sealed class AuditLog(AppDbContext db, IAuditActor actor, TimeProvider time)
{
    public void Record(
        AuditAction action, int? serverId, string? serverName, IEnumerable<string>? fields = null, string? detail = null, string? administrator = null)
    {
        var names = fields?.ToList();
        db.AuditEntries.Add(new AuditEntry
        {
            TimeUtc = time.GetUtcNow().UtcDateTime,
            Administrator = administrator ?? actor.Name,
            Action = action,
            ServerId = serverId,
            ServerName = serverName,
            Fields = names is { Count: > 0 } ? string.Join(", ", names) : null,
            Detail = detail,
        });
    }

    public async Task<AuditPage> ListAsync(int? serverId, int page, int pageSize, CancellationToken ct = default)
    {
        var query = db.AuditEntries.AsNoTracking();
        if (serverId is not null)
        {
            query = query.Where(e => e.ServerId == serverId);
        }

        var total = await query.CountAsync(ct);
        var pageCount = Math.Max(1, (total + pageSize - 1) / pageSize);
        page = Math.Clamp(page, 1, pageCount);
        var items = await query
            .OrderByDescending(e => e.Id)
            .Skip((page - 1) * pageSize)
            .Take(pageSize)
            .ToListAsync(ct);
        return new AuditPage(items, page, pageSize, total);
    }

    /// <summary>Every server the log speaks of, under the last name it had, for the filter.</summary>
    public async Task<IReadOnlyList<AuditedServer>> ServersAsync(CancellationToken ct = default)
    {
        var latest = await db.AuditEntries.AsNoTracking()
            .Where(e => e.ServerId != null)
            .GroupBy(e => e.ServerId)
            .Select(g => g.Max(e => e.Id))
            .ToListAsync(ct);
        var servers = await db.AuditEntries.AsNoTracking()
            .Where(e => latest.Contains(e.Id))
            .Select(e => new AuditedServer(e.ServerId!.Value, e.ServerName ?? ""))
            .ToListAsync(ct);
        return servers.OrderBy(s => s.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }
}

public sealed record AuditPage(IReadOnlyList<AuditEntry> Items, int Page, int PageSize, int Total)
{
    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);
}

public sealed record AuditedServer(int Id, string Name);
