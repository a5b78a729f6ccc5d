using System.Linq.Expressions;
using MailServerAdmin.Data;
using MailServerAdmin.OAuth;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.MailServers;

/// <summary>
/// The servers as administrators page through them: sorted by name, searchable by name or host, a page at a time, at
/// the same cost with 100 servers as with 100,000. The count comes from a counter (and a search counts its matches up
/// to <see cref="CountLimit"/>), the pages go from one name to the next (a link names the server it follows, so page
/// 2,000 is found through the name index like page 1), searches go through the database's index
/// (<see cref="IServerSearch"/>), and whether a row's secrets are still readable is remembered
/// (<see cref="SecretReadability"/>).
/// </summary>
public sealed class MailServerList(AppDbContext db, IServerSearch search, SecretReadability readability)
{
    /// <summary>A search counts its matches up to this; past it the list says "more than".</summary>
    public const int CountLimit = 1_000;

    /// <summary>The highest page number taken from a link when the page count is not known (no overflow past it).</summary>
    private const int MaxPage = 1_000_000;

    public async Task<ServerListPage> GetAsync(ServerListRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var term = SearchTerm.From(request.Search);
        // One connection for the two or three commands of the view.
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            var summary = await search.SummarizeAsync(term, CountLimit, ct);
            var servers = db.MailServers.AsNoTracking();
            int? total = summary.Total;
            if (term is not null)
            {
                var matches = summary.Matches ?? await term.Filter(servers).Take(CountLimit + 1).CountAsync(ct);
                total = matches > CountLimit ? null : matches;
                // Few matches: through the index. Many (or a term the index cannot find): along the names, row by row,
                // which soon has a page full.
                servers = (total is null ? null : search.Matching(term)?.AsNoTracking()) ?? term.Filter(servers);
            }

            var (rows, page, hasPrevious, hasNext) = await PageAsync(servers, request, total, ct);
            var unreadable = await UnreadableAsync(rows, ct);
            return new ServerListPage(rows.Select(s => Item(s, unreadable.Contains(s.Id))).ToList(), page, request.PageSize, total, summary.Total > 0, summary.AnyDefault, hasPrevious, hasNext);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task<(List<MailServer> Rows, int? Page, bool HasPrevious, bool HasNext)> PageAsync(
        IQueryable<MailServer> servers, ServerListRequest request, int? total, CancellationToken ct)
    {
        var size = request.PageSize;
        int? pageCount = total is { } t ? Math.Max(1, (t + size - 1) / size) : null;
        // The number a link carried: only a label for a page found by name (a bookmark may be older than the list).
        int? label = request.Page is { } p ? Math.Clamp(p, 1, pageCount ?? MaxPage) : null;
        if (request.After is { } after)
        {
            var rows = await servers.Where(s => s.NormalizedName.CompareTo(after) > 0)
                .OrderBy(s => s.NormalizedName).Take(size + 1).Select(Shown).ToListAsync(ct);
            if (rows.Count > 0)
            {
                return (rows.Take(size).ToList(), label is { } n ? Math.Max(2, n) : null, true, rows.Count > size);
            }

            // Nothing after that name any more (deleted meanwhile): the last page.
            return await ByNumberAsync(servers, pageCount ?? 1, total, size, ct);
        }

        if (request.Before is { } before)
        {
            var rows = await servers.Where(s => s.NormalizedName.CompareTo(before) < 0)
                .OrderByDescending(s => s.NormalizedName).Take(size + 1).Select(Shown).ToListAsync(ct);
            var hasPrevious = rows.Count > size;
            if (rows.Count > 0)
            {
                rows = rows.Take(size).Reverse().ToList();
                return (rows, hasPrevious ? label : 1, hasPrevious, true);
            }

            return await ByNumberAsync(servers, 1, total, size, ct);
        }

        return await ByNumberAsync(servers, label ?? 1, total, size, ct);
    }

    /// <summary>
    /// A page by its number (a link to the first or last page, or an old bookmark), counted from whichever end of the
    /// name index is nearer, so that the last page costs what the first one does.
    /// </summary>
    private static async Task<(List<MailServer> Rows, int? Page, bool HasPrevious, bool HasNext)> ByNumberAsync(
        IQueryable<MailServer> servers, int page, int? total, int size, CancellationToken ct)
    {
        var skip = (page - 1) * size;
        if (total is { } known && skip > known / 2)
        {
            var take = Math.Min(size, known - skip);
            var rows = await servers.OrderByDescending(s => s.NormalizedName).Skip(known - skip - take).Take(take).Select(Shown).ToListAsync(ct);
            rows.Reverse();
            return (rows, page, page > 1, skip + take < known);
        }

        var first = await servers.OrderBy(s => s.NormalizedName).Skip(skip).Take(size + 1).Select(Shown).ToListAsync(ct);
        return (first.Take(size).ToList(), page, page > 1, first.Count > size);
    }

    /// <summary>
    /// The ids of the rows with a secret that no longer decrypts: remembered per row (<see cref="SecretReadability"/>); the
    /// ciphertexts are read, in one query, only for the rows not remembered yet.
    /// </summary>
    private async Task<HashSet<int>> UnreadableAsync(List<MailServer> rows, CancellationToken ct)
    {
        var unreadable = new HashSet<int>();
        var unknown = new List<int>();
        foreach (var row in rows)
        {
            switch (readability.Known(row))
            {
                case true:
                    unreadable.Add(row.Id);
                    break;
                case null:
                    unknown.Add(row.Id);
                    break;
            }
        }

        if (unknown.Count > 0)
        {
            await foreach (var whole in db.MailServers.AsNoTracking().Where(s => unknown.Contains(s.Id)).AsAsyncEnumerable().WithCancellation(ct))
            {
                if (readability.HasUnreadableSecret(whole))
                {
                    unreadable.Add(whole.Id);
                }
            }
        }

        return unreadable;
    }

    /// <summary>
    /// What a row of the list shows, and what tells whether its answer about unreadable secrets is still the one
    /// remembered: of each ciphertext only its end (<see cref="SecretReadability.TailLength"/> characters of its
    /// authentication tag, which differs for every ciphertext), not the ciphertext itself.
    /// </summary>
    private static readonly Expression<Func<MailServer, MailServer>> Shown = s => new MailServer
    {
        Id = s.Id,
        Name = s.Name,
        NormalizedName = s.NormalizedName,
        Host = s.Host,
        Port = s.Port,
        Security = s.Security,
        SenderEmail = s.SenderEmail,
        SenderName = s.SenderName,
        AuthenticationType = s.AuthenticationType,
        RequiresAuthentication = s.RequiresAuthentication,
        Login = s.Login,
        IsDefault = s.IsDefault,
        OAuthProvider = s.OAuthProvider,
        TokenAccount = s.TokenAccount,
        AccessTokenExpiresUtc = s.AccessTokenExpiresUtc,
        TokensRefreshedUtc = s.TokensRefreshedUtc,
        TokenError = s.TokenError,
        TokenErrorUtc = s.TokenErrorUtc,
        TokenNeedsAuthorization = s.TokenNeedsAuthorization,
        TokenRetryAfterUtc = s.TokenRetryAfterUtc,
        Version = s.Version,
        TokenVersion = s.TokenVersion,
        SecretScheme = s.SecretScheme,
        ProtectedPassword = s.ProtectedPassword == null ? null
            : s.ProtectedPassword.Length > SecretReadability.TailLength ? s.ProtectedPassword.Substring(s.ProtectedPassword.Length - SecretReadability.TailLength) : s.ProtectedPassword,
        ProtectedClientSecret = s.ProtectedClientSecret == null ? null
            : s.ProtectedClientSecret.Length > SecretReadability.TailLength ? s.ProtectedClientSecret.Substring(s.ProtectedClientSecret.Length - SecretReadability.TailLength) : s.ProtectedClientSecret,
        ProtectedCertificate = s.ProtectedCertificate == null ? null
            : s.ProtectedCertificate.Length > SecretReadability.TailLength ? s.ProtectedCertificate.Substring(s.ProtectedCertificate.Length - SecretReadability.TailLength) : s.ProtectedCertificate,
        ProtectedServiceAccountKey = s.ProtectedServiceAccountKey == null ? null
            : s.ProtectedServiceAccountKey.Length > SecretReadability.TailLength ? s.ProtectedServiceAccountKey.Substring(s.ProtectedServiceAccountKey.Length - SecretReadability.TailLength) : s.ProtectedServiceAccountKey,
        ProtectedAccessToken = s.ProtectedAccessToken == null ? null
            : s.ProtectedAccessToken.Length > SecretReadability.TailLength ? s.ProtectedAccessToken.Substring(s.ProtectedAccessToken.Length - SecretReadability.TailLength) : s.ProtectedAccessToken,
        ProtectedRefreshToken = s.ProtectedRefreshToken == null ? null
            : s.ProtectedRefreshToken.Length > SecretReadability.TailLength ? s.ProtectedRefreshToken.Substring(s.ProtectedRefreshToken.Length - SecretReadability.TailLength) : s.ProtectedRefreshToken,
    };

    private static MailServerListItem Item(MailServer s, bool unreadable) => new(
        s.Id, s.Name, s.Host, s.Port, s.Security, s.SenderEmail, s.SenderName,
        s.AuthenticationType, s.RequiresAuthentication, s.Login, s.IsDefault, s.OAuthProvider, s.TokenAccount,
        MailServerStore.Health(s), unreadable)
    {
        SortKey = s.NormalizedName,
    };
}

/// <summary>
/// Which page of the list: the first one, one by its number (<see cref="Page"/>), or the one right after or before a
/// server's normalized name (<see cref="After"/>, <see cref="Before"/>; <see cref="Page"/> is then only its label).
/// </summary>
public sealed record ServerListRequest(string? Search, int? Page = null, string? After = null, string? Before = null, int PageSize = 25);

public sealed record ServerListPage(
    IReadOnlyList<MailServerListItem> Items,
    int? Page,
    int PageSize,
    int? Total,
    bool AnyServer,
    bool AnyDefault,
    bool HasPrevious,
    bool HasNext)
{
    /// <summary>Null when a search matched more than <see cref="MailServerList.CountLimit"/> servers.</summary>
    public int? PageCount => Total is { } t ? Math.Max(1, (t + PageSize - 1) / PageSize) : null;

    /// <summary>The key the link to the previous page starts before.</summary>
    public string? FirstKey => Items.Count > 0 ? Items[0].SortKey : null;

    /// <summary>The key the link to the next page starts after.</summary>
    public string? LastKey => Items.Count > 0 ? Items[^1].SortKey : null;
}

public sealed record MailServerListItem(
    int Id,
    string Name,
    string Host,
    int Port,
    SmtpSecurity Security,
    string SenderEmail,
    string? SenderName,
    AuthenticationType AuthenticationType,
    bool RequiresAuthentication,
    string? Login,
    bool IsDefault,
    OAuthProvider? Provider,
    string? TokenAccount,
    TokenHealth Health,
    bool HasUnreadableSecret)
{
    /// <summary>The normalized name the list is sorted by.</summary>
    public string SortKey { get; init; } = "";
}
