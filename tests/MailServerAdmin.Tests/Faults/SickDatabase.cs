using System.Data.Common;
using System.Runtime.CompilerServices;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace MailServerAdmin.Tests.Faults;

/// <summary>How the app's database misbehaves.</summary>
public enum Sickness
{
    Healthy,

    /// <summary><c>PRAGMA query_only</c>: SQLite answers every write with SQLITE_READONLY (8).</summary>
    ReadOnly,

    /// <summary><c>PRAGMA max_page_count</c> at the current size: a write that needs a new page gets SQLITE_FULL (13).</summary>
    Full,

    /// <summary>A one-second wait for locks: a write while another connection holds the write lock gets SQLITE_BUSY (5).</summary>
    Busy,

    /// <summary>The app's connections open a file that cannot be opened: SQLITE_CANTOPEN (14).</summary>
    Unreadable,
}

/// <summary>
/// Makes the app's own SQLite connections fail the way a read-only, full, locked or missing database does, with SQLite's
/// own mechanisms, so that the app sees SQLite's real errors. Pooled connections are reset on every open.
/// </summary>
public sealed class SickDatabase : DbConnectionInterceptor
{
    private const int DefaultTimeoutSeconds = 30;
    private const string NoLimit = "2147483646";

    private readonly ConditionalWeakTable<DbConnection, string> _healthy = [];

    public Sickness Sickness { get; set; }

    /// <summary>An app on a real SQLite file whose connections go through this switch.</summary>
    public AppFactory CreateApp(string environmentName = "Testing", Uri? oauthProvider = null) => new()
    {
        EnvironmentName = environmentName,
        OAuthProviderUri = oauthProvider,
        OAuthTimeoutSeconds = 2,
        ExtraServices = services => services.ConfigureDbContext<AppDbContext>(options => options.AddInterceptors(this)),
    };

    /// <summary>Another connection to the same file takes the write lock and keeps it until disposed.</summary>
    public static async Task<SqliteConnection> HoldWriteLockAsync(AppFactory app)
    {
        var connection = new SqliteConnection($"Data Source={app.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "BEGIN IMMEDIATE;";
        await command.ExecuteNonQueryAsync();
        return connection;
    }

    /// <summary>Packs the file so that it has no free pages: with <see cref="Sickness.Full"/>, growing it is refused.</summary>
    public static async Task CompactAsync(AppFactory app)
    {
        await using var connection = new SqliteConnection($"Data Source={app.DatabasePath};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE); VACUUM; PRAGMA wal_checkpoint(TRUNCATE);";
        await command.ExecuteNonQueryAsync();
    }

    public override InterceptionResult ConnectionOpening(DbConnection connection, ConnectionEventData eventData, InterceptionResult result)
    {
        Redirect(connection);
        return result;
    }

    public override ValueTask<InterceptionResult> ConnectionOpeningAsync(
        DbConnection connection, ConnectionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        Redirect(connection);
        return ValueTask.FromResult(result);
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        foreach (var sql in Pragmas(connection, PageCount(connection)))
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        foreach (var sql in Pragmas(connection, PageCount(connection)))
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>An unreadable database is one whose file cannot be opened; otherwise the app's own file.</summary>
    private void Redirect(DbConnection connection)
    {
        var healthy = _healthy.GetValue(connection, c => c.ConnectionString);
        connection.ConnectionString = Sickness == Sickness.Unreadable
            ? new SqliteConnectionStringBuilder
            {
                DataSource = Path.Combine(Path.GetTempPath(), $"no-such-folder-{Guid.NewGuid():N}", "mailserveradmin.db"),
                Mode = SqliteOpenMode.ReadWrite,
            }.ToString()
            : healthy;
    }

    private string PageCount(DbConnection connection)
    {
        if (Sickness != Sickness.Full)
        {
            return NoLimit;
        }

        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA page_count;";
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)!;
    }

    private IEnumerable<string> Pragmas(DbConnection connection, string maxPageCount)
    {
        ((SqliteConnection)connection).DefaultTimeout = Sickness == Sickness.Busy ? 1 : DefaultTimeoutSeconds;
        yield return $"PRAGMA query_only = {(Sickness == Sickness.ReadOnly ? "ON" : "OFF")};";
        yield return $"PRAGMA max_page_count = {maxPageCount};";
    }
}
