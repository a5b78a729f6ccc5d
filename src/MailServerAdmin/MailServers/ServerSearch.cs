using System.Globalization;
using System.Runtime.CompilerServices;
using MailServerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.MailServers;

/// <summary>
/// What an administrator searches the list for: servers whose name or host contains it, ignoring case the way names are
/// unique (upper-case invariant) and hosts are stored (lower case), with accents as typed.
/// </summary>
public sealed record SearchTerm(string Text)
{
    /// <summary>The form compared with <see cref="MailServer.NormalizedName"/>.</summary>
    public string NameForm { get; } = Text.ToUpperInvariant();

    /// <summary>The form compared with <see cref="MailServer.Host"/>.</summary>
    public string HostForm { get; } = Text.ToLowerInvariant();

    /// <summary>Its length in characters as a database counts them (a surrogate pair is one).</summary>
    public int Characters { get; } = Text.EnumerateRunes().Count();

    /// <summary>The term typed in the search box, trimmed; null when blank.</summary>
    public static SearchTerm? From(string? typed) => string.IsNullOrWhiteSpace(typed) ? null : new SearchTerm(typed.Trim());

    /// <summary>The servers that contain it, row by row (every provider; no index).</summary>
    public IQueryable<MailServer> Filter(IQueryable<MailServer> servers)
    {
        ArgumentNullException.ThrowIfNull(servers);
        var name = NameForm;
        var host = HostForm;
        return servers.Where(s => s.NormalizedName.Contains(name) || s.Host.Contains(host));
    }
}

/// <summary>How many servers there are, whether one is the default, and how many match a search (up to a cap).</summary>
public sealed record ServerListSummary(int Total, bool AnyDefault, int? Matches);

/// <summary>
/// The part of the server list that depends on the database: counting and searching through the database's own indexes.
/// SQLite has <see cref="SqliteServerSearch"/> (an FTS5 trigram index and a server count, both kept by triggers);
/// any other provider gets <see cref="PortableServerSearch"/> until it has its own (PostgreSQL: <c>pg_trgm</c> GIN
/// indexes on <c>NormalizedName</c> and <c>Host</c>, searched with <c>LIKE '%term%'</c>).
/// </summary>
public interface IServerSearch
{
    /// <summary>
    /// In one round trip: the number of servers, whether one is the default, and for a <paramref name="term"/> the number
    /// of servers that contain it, counted up to <paramref name="cap"/> + 1; <see cref="ServerListSummary.Matches"/> is
    /// null when the index cannot count this term (the list then counts row by row).
    /// </summary>
    Task<ServerListSummary> SummarizeAsync(SearchTerm? term, int cap, CancellationToken ct);

    /// <summary>
    /// The servers that contain <paramref name="term"/>, found through the index, as a query the list orders and pages;
    /// null when the index cannot find this term (the list then filters row by row).
    /// </summary>
    IQueryable<MailServer>? Matching(SearchTerm term);
}

/// <summary>The <see cref="IServerSearch"/> of the database the app is configured with.</summary>
public static class ServerSearch
{
    public static IServerSearch For(AppDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Database.IsSqlite() ? new SqliteServerSearch(db) : new PortableServerSearch(db);
    }
}

/// <summary>
/// SQLite: the server count is kept in <c>MailServerCount</c> and the trigram index <c>MailServerSearch</c> (FTS5,
/// case-sensitive, over the upper-case name and the lower-case host) by triggers on <c>MailServers</c> (see
/// <see cref="SqliteListIndexes"/>). A trigram index finds terms of three characters or more; shorter ones are
/// searched row by row.
/// </summary>
internal sealed class SqliteServerSearch(AppDbContext db) : IServerSearch
{
    public async Task<ServerListSummary> SummarizeAsync(SearchTerm? term, int cap, CancellationToken ct)
    {
        var match = term is null ? null : MatchExpression(term);
        // "IsDefault" as the filter of the single-default index says it, so that SQLite reads that index.
        var sql = match is null
            ? FormattableStringFactory.Create("""
              SELECT (SELECT "Servers" FROM "MailServerCount") AS "Total",
                     EXISTS (SELECT 1 FROM "MailServers" WHERE "IsDefault") AS "AnyDefault",
                     NULL AS "Matches"
              """)
            : FormattableStringFactory.Create("""
              SELECT (SELECT "Servers" FROM "MailServerCount") AS "Total",
                     EXISTS (SELECT 1 FROM "MailServers" WHERE "IsDefault") AS "AnyDefault",
                     (SELECT count(*) FROM (SELECT 1 FROM "MailServerSearch" WHERE "MailServerSearch" MATCH {0} LIMIT {1})) AS "Matches"
              """, match, cap + 1);
        var rows = await db.Database.SqlQuery<SummaryRow>(sql).ToListAsync(ct);
        var row = rows.Single();
        return new ServerListSummary(row.Total ?? 0, row.AnyDefault, row.Matches);
    }

    public IQueryable<MailServer>? Matching(SearchTerm term)
    {
        var match = MatchExpression(term);
        return match is null
            ? null
            : db.MailServers.FromSql($"""
                SELECT * FROM "MailServers"
                WHERE "Id" IN (SELECT rowid FROM "MailServerSearch" WHERE "MailServerSearch" MATCH {match})
                """);
    }

    /// <summary>
    /// An FTS5 query for "the name contains it, or the host does": each form as one quoted phrase (quotes doubled), which
    /// the trigram tokenizer matches as a substring. Null below three characters, which a trigram index cannot find.
    /// </summary>
    internal static string? MatchExpression(SearchTerm term) => term.Characters < 3
        ? null
        : string.Create(CultureInfo.InvariantCulture, $"NormalizedName:{Quote(term.NameForm)} OR Host:{Quote(term.HostForm)}");

    private static string Quote(string text) => "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private sealed class SummaryRow
    {
        public int? Total { get; init; }

        public bool AnyDefault { get; init; }

        public int? Matches { get; init; }
    }
}

/// <summary>Any provider: plain LINQ (a count of the table, and no index for searches).</summary>
internal sealed class PortableServerSearch(AppDbContext db) : IServerSearch
{
    public async Task<ServerListSummary> SummarizeAsync(SearchTerm? term, int cap, CancellationToken ct) =>
        new(await db.MailServers.CountAsync(ct), await db.MailServers.AnyAsync(s => s.IsDefault, ct), null);

    public IQueryable<MailServer>? Matching(SearchTerm term) => null;
}
