using System.Data.Common;
using MailServerAdmin.Web.Faults;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Faults;

/// <summary>Which database errors are a database that cannot be written or read, however EF Core wraps them.</summary>
public sealed class StorageFaultClassificationTests
{
    [Theory]
    [InlineData(3, StorageFaultKind.ReadOnly)]
    [InlineData(8, StorageFaultKind.ReadOnly)]
    [InlineData(1032, StorageFaultKind.ReadOnly)] // SQLITE_READONLY_DBMOVED
    [InlineData(13, StorageFaultKind.Full)]
    [InlineData(5, StorageFaultKind.Busy)]
    [InlineData(6, StorageFaultKind.Busy)]
    [InlineData(10, StorageFaultKind.Unavailable)]
    [InlineData(266, StorageFaultKind.Unavailable)] // SQLITE_IOERR_READ
    [InlineData(14, StorageFaultKind.Unavailable)]
    public void A_sqlite_storage_error_is_recognised_however_it_is_wrapped(int code, StorageFaultKind kind)
    {
        var error = new SqliteException($"SQLite Error {code}.", code);

        Assert.Equal(kind, StorageFault.Find(error)?.Kind);
        Assert.Equal(kind, StorageFault.Find(new DbUpdateException("An error occurred while saving the entity changes.", error))?.Kind);
        Assert.Equal(kind, StorageFault.Find(new InvalidOperationException("A transient failure.", new DbUpdateException("Saving.", error)))?.Kind);
        Assert.StartsWith($"SQLite error {code & 0xFF}", StorageFault.Find(error)!.Code, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)] // SQLITE_ERROR: a wrong query
    [InlineData(19)] // SQLITE_CONSTRAINT: a duplicate name, handled by the pages
    [InlineData(2067)] // SQLITE_CONSTRAINT_UNIQUE
    public void Other_sqlite_errors_are_not_storage_faults(int code)
    {
        Assert.Null(StorageFault.Find(new DbUpdateException("Saving.", new SqliteException("SQLite Error.", code))));
    }

    [Fact]
    public void Other_errors_are_not_storage_faults()
    {
        Assert.Null(StorageFault.Find(new InvalidOperationException("Sequence contains no elements.")));
        Assert.Null(StorageFault.Find(new DbUpdateConcurrencyException("The row changed.")));
    }

    [Theory]
    [InlineData("53100", StorageFaultKind.Full)]
    [InlineData("25006", StorageFaultKind.ReadOnly)]
    [InlineData("57P01", StorageFaultKind.Unavailable)]
    [InlineData("57P03", StorageFaultKind.Unavailable)]
    [InlineData("08006", StorageFaultKind.Unavailable)]
    public void A_postgresql_storage_error_is_recognised_by_its_sqlstate(string state, StorageFaultKind kind)
    {
        var fault = StorageFault.Find(new DbUpdateException("Saving.", new ProviderException(state)));

        Assert.Equal(kind, fault?.Kind);
        Assert.Equal($"SQLSTATE {state}", fault?.Code);
    }

    [Theory]
    [InlineData("23505")] // unique_violation
    [InlineData("40001")] // serialization_failure
    public void Other_postgresql_errors_are_not_storage_faults(string state)
    {
        Assert.Null(StorageFault.Find(new DbUpdateException("Saving.", new ProviderException(state))));
    }

    /// <summary>An ADO.NET provider that reports a SQLSTATE, as Npgsql's exceptions do (no PostgreSQL server runs here).</summary>
    private sealed class ProviderException(string state) : DbException($"{state}: the server said no")
    {
        public override string SqlState => state;
    }
}
