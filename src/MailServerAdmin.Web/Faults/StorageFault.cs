using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

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
/// SQLite's primary result codes, PostgreSQL's SQLSTATE codes, and Npgsql's own errors for a server it cannot reach.
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
                NpgsqlException npgsql => FromNpgsql(npgsql),
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
    /// SQLSTATE codes (PostgreSQL's appendix A, reported by Npgsql's <c>PostgresException</c>): 53100 disk full; 25006
    /// read-only transaction; 55P03 lock not available, 57014 statement timeout and 53300 too many connections; 57P01–57P03
    /// the server shutting down or starting, 53200 out of memory, 58030 I/O error, 3D000 no such database, and the classes
    /// 08 (connection) and 28 (authorization). A unique violation or a serialization failure is the app's to handle, and a
    /// missing privilege (42501, on reads as on writes) a deployment error, not a storage fault.
    /// </summary>
    private static StorageFault? FromSqlState(string state, DbException error)
    {
        StorageFaultKind? kind = state switch
        {
            "53100" => StorageFaultKind.Full,
            "25006" => StorageFaultKind.ReadOnly,
            "55P03" or "57014" or "53300" => StorageFaultKind.Busy,
            "57P01" or "57P02" or "57P03" or "53200" or "58030" or "3D000" => StorageFaultKind.Unavailable,
            _ when state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("28", StringComparison.Ordinal) => StorageFaultKind.Unavailable,
            _ => null,
        };
        return kind is null ? null : new StorageFault(kind.Value, $"SQLSTATE {state}", error.Message);
    }

    /// <summary>
    /// Npgsql's errors without a SQLSTATE: the server could not be reached or the connection broke (a socket or I/O
    /// error), or no connection became free in time (a timeout).
    /// </summary>
    private static StorageFault? FromNpgsql(NpgsqlException error)
    {
        StorageFaultKind? kind = error.InnerException switch
        {
            TimeoutException => StorageFaultKind.Busy,
            SocketException or IOException => StorageFaultKind.Unavailable,
            _ when error.IsTransient => StorageFaultKind.Unavailable,
            _ => null,
        };
        return kind is null ? null : new StorageFault(kind.Value, $"Npgsql {error.InnerException?.GetType().Name ?? "error"}", error.Message);
    }
}
