using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace MailServerAdmin.Data;

/// <summary>
/// On PostgreSQL, every transaction begins by taking one transaction-scoped advisory lock, so that write transactions run
/// one at a time across all the app's instances, as SQLite's <c>BEGIN IMMEDIATE</c> (Microsoft.Data.Sqlite's default) makes
/// them do in one. The rules that read before they write in one transaction (a single default server, the last
/// administrator who stays, a set-up code used once) hold on both databases without each knowing the provider; the partial
/// unique index stays the last guard of the single default. The lock is released at commit or rollback.
/// </summary>
public sealed class SerializedTransactions : DbTransactionInterceptor
{
    /// <summary>The advisory lock's key, the same in every instance: 0x4D534164_6D696E, "MSAdmin" in ASCII.</summary>
    private const string Sql = "SELECT pg_advisory_xact_lock(21765113529592174)";

    public static SerializedTransactions Instance { get; } = new();

    public override DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        ArgumentNullException.ThrowIfNull(connection);
        using var command = connection.CreateCommand();
        command.Transaction = result;
        command.CommandText = Sql;
        command.ExecuteNonQuery();
        return result;
    }

    public override async ValueTask<DbTransaction> TransactionStartedAsync(
        DbConnection connection, TransactionEndEventData eventData, DbTransaction result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = connection.CreateCommand();
        command.Transaction = result;
        command.CommandText = Sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
        return result;
    }
}
