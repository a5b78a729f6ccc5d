using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace MailServerAdmin.Web.Faults;

/// <summary>What the database could not do.</summary>
public enum StorageFaultKind
{
    /// <summary>Writes are refused: a read-only file, file system or transaction, or no permission to write.</summary>
    ReadOnly,

    /// <summary>The disk, or the database's size limit, is full.</summary>
    Full,

    /// <summary>Another writer held the database longer than the app waits.</summary>
    Busy,

    /// <summary>The database cannot be opened or reached, or its disk fails.</summary>
    Unavailable,
}

/// <summary>
/// A database that cannot be written or read, recognised from the provider's own error however EF Core wraps it
/// (<c>DbUpdateException</c>, <c>InvalidOperationException</c>). The one place that knows the providers' codes:
/// SQLite's primary result codes, and the SQLSTATE of providers that report one (PostgreSQL through Npgsql).
/// </summary>
/// <param name="Kind">What the database could not do.</param>
/// <param name="Code">The provider's code, for the log ("SQLite error 8", "SQLSTATE 53100").</param>
/// <param name="Detail">The provider's own message, which names no data.</param>
public sealed record StorageFault(StorageFaultKind Kind, string Code, string Detail)
{
    /// <summary>The storage fault behind <paramref name="exception"/>, or null when it is something else.</summary>
    public static StorageFault? Find(Exception? exception)
    {
        for (var error = exception; error is not null; error = error.InnerException)
        {
            var fault = error switch
            {
                SqliteException sqlite => FromSqlite(sqlite),
                DbException { SqlState: { } state } other => FromSqlState(state, other),
                _ => null,
            };
            if (fault is not null)
            {
                return fault;
            }
        }

        return null;
    }

    /// <summary>SQLite's primary result codes (https://www.sqlite.org/rescode.html); extended codes keep them in the low byte.</summary>
    private static StorageFault? FromSqlite(SqliteException error)
    {
        var primary = error.SqliteErrorCode & 0xFF;
        StorageFaultKind? kind = primary switch
        {
            3 or 8 => StorageFaultKind.ReadOnly, // SQLITE_PERM, SQLITE_READONLY
            13 => StorageFaultKind.Full, // SQLITE_FULL
            5 or 6 => StorageFaultKind.Busy, // SQLITE_BUSY, SQLITE_LOCKED
            10 or 14 => StorageFaultKind.Unavailable, // SQLITE_IOERR, SQLITE_CANTOPEN
            _ => null,
        };
        if (kind is null)
        {
            return null;
        }

        var code = error.SqliteExtendedErrorCode is var extended && extended != primary
            ? $"SQLite error {primary} (extended {extended})"
            : $"SQLite error {primary}";
        return new StorageFault(kind.Value, code, error.Message);
    }

    /// <summary>
    /// SQLSTATE codes (PostgreSQL's appendix A): 53100 disk full, 25006 read-only transaction, 57P01–57P03 the server
    /// shutting down or starting, class 08 the connection lost.
    /// </summary>
    private static StorageFault? FromSqlState(string state, DbException error)
    {
        StorageFaultKind? kind = state switch
        {
            "53100" => StorageFaultKind.Full,
            "25006" => StorageFaultKind.ReadOnly,
            "57P01" or "57P02" or "57P03" => StorageFaultKind.Unavailable,
            _ when state.StartsWith("08", StringComparison.Ordinal) => StorageFaultKind.Unavailable,
            _ => null,
        };
        return kind is null ? null : new StorageFault(kind.Value, $"SQLSTATE {state}", error.Message);
    }
}
