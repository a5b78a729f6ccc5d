using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace MailServerAdmin.Data;

/// <summary>
/// The checks a start makes that almost always find nothing to do (secrets of an old scheme, refresh leases left behind,
/// name keys of an old rule), asked in plain SQL on the context's connection: an EF query pays for its compilation the
/// first time it runs, a large part of a cold start, and these run once. When one finds something, the work is done with
/// EF as before. The SQL is the same on SQLite and PostgreSQL unless a caller says otherwise.
/// </summary>
public static class StartupChecks
{
    /// <summary>Whether <paramref name="select"/> (a SELECT, its columns unused) has a row.</summary>
    public static async Task<bool> AnyAsync(AppDbContext db, string select, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(db);
        var found = false;
        await ReadAsync(db, $"SELECT EXISTS ({select})", reader => found = Convert.ToBoolean(reader.GetValue(0), CultureInfo.InvariantCulture), ct, parameters);
        return found;
    }

    /// <summary>Runs <paramref name="sql"/> and hands each row to <paramref name="row"/>.</summary>
    public static async Task ReadAsync(AppDbContext db, string sql, Action<DbDataReader> row, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(parameters);
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var command = db.Database.GetDbConnection().CreateCommand();
#pragma warning disable CA2100 // The callers' SQL is constant; values go in as parameters.
            command.CommandText = sql;
#pragma warning restore CA2100
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            foreach (var (name, value) in parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = value;
                command.Parameters.Add(parameter);
            }

            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                row(reader);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
