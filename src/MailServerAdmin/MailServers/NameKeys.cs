using System.Globalization;
using System.Text;
using MailServerAdmin.Data;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.MailServers;

/// <summary>
/// The key that makes server names unique: two names that read the same get the same key. Kept in
/// <see cref="MailServer.NormalizedName"/>, which has a unique index.
/// </summary>
public static partial class NameKeys
{
    /// <summary>
    /// The key of <paramref name="name"/>:
    /// <list type="number">
    /// <item>invisible characters are removed: every default-ignorable code point of Unicode (zero-width space, joiners
    /// and non-joiner, word joiner, byte order mark, soft hyphen, bidirectional marks and overrides, variation
    /// selectors, Hangul fillers, tags);</item>
    /// <item>the text is put in Unicode normalization form KC, so that full-width letters, ligatures, superscripts and
    /// composed or decomposed accents read as their plain forms ("Ｒｅｌａｙ" is "Relay", "Cafe" + U+0301 is "Café");</item>
    /// <item>case is folded (see <see cref="FoldCase"/>);</item>
    /// <item>white space of any kind is collapsed to single spaces, and trimmed.</item>
    /// </list>
    /// The key is upper case (the list sorts and searches by it).
    /// </summary>
    public static string For(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var visible = WithoutIgnorables(name).Normalize(NormalizationForm.FormKC);
        var folded = FoldCase(visible).Normalize(NormalizationForm.FormKC).ToUpperInvariant();
        return CollapseWhiteSpace(WithoutIgnorables(folded));
    }

    /// <summary>
    /// Full case folding as far as names need it. .NET has no case-folding API and its invariant casing maps one
    /// character to one character, so the foldings that change length or depend on language are done here first:
    /// ß and ẞ fold to "ss" (so "straße" is "STRASSE"); İ (capital I with dot) and ı (dotless i) fold to i (so
    /// "İstanbul" is "istanbul", whatever the culture); final sigma ς folds to σ. Then invariant lower casing folds
    /// the rest (the result is lower case). Not covered: the rarer expanding foldings (Armenian ligatures, Greek
    /// letters with ypogegrammeni), which NFKC mostly decomposes before this step anyway.
    /// </summary>
    public static string FoldCase(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            switch (c)
            {
                case '\u00DF' or '\u1E9E':
                    builder.Append("ss");
                    break;
                case '\u0130' or '\u0131':
                    builder.Append('i');
                    break;
                case '\u03C2':
                    builder.Append('\u03C3');
                    break;
                default:
                    builder.Append(c);
                    break;
            }
        }

        return builder.ToString().ToLowerInvariant();
    }

    /// <summary>
    /// Brings every stored key up to <see cref="For"/>, after the migrations at start (a migration cannot run this
    /// code). Names that were distinct under an older rule may now read the same: the oldest server keeps the key,
    /// each newer one gets its key followed by "#" and its id, and a warning names them, so that start never fails and
    /// an administrator can rename them (saving such a server asks for another name).
    /// </summary>
    public static async Task BackfillAsync(AppDbContext db, ILogger logger, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (await AllKeysCurrentAsync(db, ct))
        {
            return;
        }

        var rows = await db.MailServers.AsNoTracking()
            .OrderBy(s => s.CreatedUtc).ThenBy(s => s.Id)
            .Select(s => new { s.Id, s.Name, s.NormalizedName })
            .ToListAsync(ct);

        var owners = new Dictionary<string, int>(StringComparer.Ordinal);
        var changes = new List<(int Id, string Key)>();
        foreach (var row in rows)
        {
            var key = For(row.Name);
            if (owners.TryGetValue(key, out var owner))
            {
                var suffix = row.Id.ToString(CultureInfo.InvariantCulture);
                LogLookAlike(logger, row.Id, row.Name, owner, suffix);
                var suffixed = $"{key}#{suffix}";
                while (owners.ContainsKey(suffixed))
                {
                    suffixed += "#";
                }

                key = suffixed;
            }

            owners[key] = row.Id;
            if (!string.Equals(key, row.NormalizedName, StringComparison.Ordinal))
            {
                changes.Add((row.Id, key));
            }
        }

        if (changes.Count == 0)
        {
            return;
        }

        // Keys may move from one row to another: every changing row steps aside first, then takes its key.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        foreach (var (id, _) in changes)
        {
            var aside = $"\u0001{id.ToString(CultureInfo.InvariantCulture)}";
            await db.MailServers.Where(s => s.Id == id).ExecuteUpdateAsync(u => u.SetProperty(s => s.NormalizedName, aside), ct);
        }

        foreach (var (id, key) in changes)
        {
            await db.MailServers.Where(s => s.Id == id).ExecuteUpdateAsync(u => u.SetProperty(s => s.NormalizedName, key), ct);
        }

        await transaction.CommitAsync(ct);
        LogBackfilled(logger, changes.Count);
    }

    /// <summary>
    /// Whether every stored key is already <see cref="For"/> of its name, so that <see cref="BackfillAsync"/> has nothing
    /// to do, without reading every row: a name of printable ASCII with single spaces inside has the key the database's
    /// ASCII upper case gives it, and the database compares those itself; only the other rows (non-ASCII names, odd
    /// spacing, keys that differ) are read and checked here. Reading and recomputing every key was the largest single part
    /// of a start at 100,000 servers.
    /// </summary>
    private static async Task<bool> AllKeysCurrentAsync(AppDbContext db, CancellationToken ct)
    {
        var current = true;
        await StartupChecks.ReadAsync(db, db.Database.IsNpgsql() ? PostgresOtherKeys : SqliteOtherKeys,
            row => current &= string.Equals(For(row.GetString(0)), row.GetString(1), StringComparison.Ordinal), ct);
        return current;
    }

    /// <summary>The rows whose key is not simply their name in ASCII upper case (SQLite's upper() folds ASCII only).</summary>
    private const string SqliteOtherKeys = """
        SELECT "Name", "NormalizedName" FROM "MailServers"
        WHERE "Name" GLOB '*[^ -~]*' OR "Name" LIKE ' %' OR "Name" LIKE '% ' OR instr("Name", '  ') > 0
           OR "NormalizedName" IS NOT upper("Name")
        """;

    /// <summary>As <see cref="SqliteOtherKeys"/>; upper() under the "C" collation folds ASCII only, whatever the database's locale.</summary>
    private const string PostgresOtherKeys = """
        SELECT "Name", "NormalizedName" FROM "MailServers"
        WHERE "Name" ~ '[^ -~]' OR "Name" LIKE ' %' OR "Name" LIKE '% ' OR strpos("Name", '  ') > 0
           OR "NormalizedName" IS DISTINCT FROM upper("Name" COLLATE "C")
        """;

    /// <summary>Default_Ignorable_Code_Point (Unicode DerivedCoreProperties).</summary>
    public static bool IsDefaultIgnorable(Rune rune) => rune.Value switch
    {
        0x00AD or 0x034F or 0x061C or 0x3164 or 0xFEFF or 0xFFA0 => true,
        >= 0x115F and <= 0x1160 => true,
        >= 0x17B4 and <= 0x17B5 => true,
        >= 0x180B and <= 0x180F => true,
        >= 0x200B and <= 0x200F => true,
        >= 0x202A and <= 0x202E => true,
        >= 0x2060 and <= 0x206F => true,
        >= 0xFE00 and <= 0xFE0F => true,
        >= 0xFFF0 and <= 0xFFF8 => true,
        >= 0x1BCA0 and <= 0x1BCA3 => true,
        >= 0x1D173 and <= 0x1D17A => true,
        >= 0xE0000 and <= 0xE0FFF => true,
        _ => false,
    };

    /// <summary>Without default-ignorable code points; a lone surrogate becomes U+FFFD (normalization refuses it).</summary>
    private static string WithoutIgnorables(string text)
    {
        var builder = new StringBuilder(text.Length);
        Span<char> buffer = stackalloc char[2];
        foreach (var rune in text.EnumerateRunes())
        {
            if (!IsDefaultIgnorable(rune))
            {
                builder.Append(buffer[..rune.EncodeToUtf16(buffer)]);
            }
        }

        return builder.ToString();
    }

    private static string CollapseWhiteSpace(string text)
    {
        var builder = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = builder.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Mail server {ServerId} ('{Name}') has a name that reads the same as the name of the older server {OlderServerId}: its name key gets the suffix #{Suffix}. Rename one of them.")]
    private static partial void LogLookAlike(ILogger logger, int serverId, string name, int olderServerId, string suffix);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recomputed the name keys of {Count} mail servers.")]
    private static partial void LogBackfilled(ILogger logger, int count);
}
