using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Data;

/// <summary>
/// The SQLite objects behind the server list that the EF model does not know: the server count
/// (<c>MailServerCount</c>), the trigram search index (<c>MailServerSearch</c>, FTS5 over <c>MailServers</c>) and the
/// triggers that keep both up to date. Created by the ListAndSearchIndexes migration. A later migration that rebuilds
/// the <c>MailServers</c> table (as EF does on SQLite for changes ALTER TABLE cannot make) drops its triggers:
/// <see cref="EnsureAsync"/> puts them back, with a fresh index and count, at the next start.
/// </summary>
public static partial class SqliteListIndexes
{
    /// <summary>The triggers, as the migration created them.</summary>
    internal const string Triggers = """
        CREATE TRIGGER IF NOT EXISTS "MailServers_List_Insert" AFTER INSERT ON "MailServers" BEGIN
            INSERT INTO "MailServerSearch"(rowid, "NormalizedName", "Host") VALUES (new."Id", new."NormalizedName", new."Host");
            UPDATE "MailServerCount" SET "Servers" = "Servers" + 1;
        END;
        CREATE TRIGGER IF NOT EXISTS "MailServers_List_Delete" AFTER DELETE ON "MailServers" BEGIN
            INSERT INTO "MailServerSearch"("MailServerSearch", rowid, "NormalizedName", "Host") VALUES ('delete', old."Id", old."NormalizedName", old."Host");
            UPDATE "MailServerCount" SET "Servers" = "Servers" - 1;
        END;
        CREATE TRIGGER IF NOT EXISTS "MailServers_List_Update" AFTER UPDATE OF "NormalizedName", "Host" ON "MailServers" BEGIN
            INSERT INTO "MailServerSearch"("MailServerSearch", rowid, "NormalizedName", "Host") VALUES ('delete', old."Id", old."NormalizedName", old."Host");
            INSERT INTO "MailServerSearch"(rowid, "NormalizedName", "Host") VALUES (new."Id", new."NormalizedName", new."Host");
        END;
        """;

    /// <summary>Puts back what is missing, then rebuilds the index and the count from the table.</summary>
    internal const string Repair = """
        CREATE TABLE IF NOT EXISTS "MailServerCount" ("Id" INTEGER NOT NULL PRIMARY KEY CHECK ("Id" = 1), "Servers" INTEGER NOT NULL);
        CREATE VIRTUAL TABLE IF NOT EXISTS "MailServerSearch" USING fts5("NormalizedName", "Host", content='MailServers', content_rowid='Id', tokenize='trigram case_sensitive 1');
        """ + Triggers + """
        INSERT INTO "MailServerSearch"("MailServerSearch") VALUES ('rebuild');
        INSERT OR REPLACE INTO "MailServerCount" ("Id", "Servers") VALUES (1, (SELECT count(*) FROM "MailServers"));
        """;

    /// <summary>How many of the five objects exist: the count, the index and the three triggers.</summary>
    private const string PresentObjects = """
        SELECT count(*) FROM sqlite_master
        WHERE name IN ('MailServerCount', 'MailServerSearch', 'MailServers_List_Insert', 'MailServers_List_Delete', 'MailServers_List_Update')
        """;

    /// <summary>Checks, after the migrations, that the count, the index and their triggers are all there; repairs them if not.</summary>
    public static async Task EnsureAsync(AppDbContext db, ILogger logger, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (!db.Database.IsSqlite())
        {
            return;
        }

        long present = 0;
        await StartupChecks.ReadAsync(db, PresentObjects, row => present = row.GetInt64(0), ct);
        if (present == 5)
        {
            return;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlRawAsync(Repair, ct);
        await transaction.CommitAsync(ct);
        LogRepaired(logger);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The server list's search index, count or triggers were missing (a migration rebuilt the MailServers table?): they have been recreated from the table")]
    private static partial void LogRepaired(ILogger logger);
}
