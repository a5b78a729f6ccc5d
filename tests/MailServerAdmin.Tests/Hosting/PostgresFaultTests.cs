using System.Net;
using System.Net.Sockets;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Web.Faults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace MailServerAdmin.Tests.Hosting;

/// <summary>
/// PostgreSQL that refuses writes or cannot be reached gets the same answers as SQLite's faults (tests/Faults): 503 with
/// a clear message, the typed form kept, never 500. Npgsql's own errors are recognised, not only SQLSTATEs.
/// </summary>
public sealed class PostgresFaultTests
{
    private const string NotSavedForm =
        "The database cannot be written right now (read-only or full). Nothing was saved; your input is below. " +
        "Try again, or ask the operator to check the disk and permissions.";

    [PostgresFact]
    [Trait("Database", "Postgres")]
    public async Task A_form_posted_while_postgresql_refuses_writes_comes_back_503_with_everything_typed_but_the_password()
    {
        using var postgres = PostgresDatabase.Create();
        using var app = new AppFactory(postgres);
        var client = await app.CreateBrowserAsync();
        var form = await client.GetPageAsync("/MailServers/Create");

        // New sessions are read-only (SQLSTATE 25006 on a write); the app's pooled sessions are closed.
        PostgresDatabase.Execute(TestDatabase.RequirePostgresServer(), $"ALTER DATABASE \"{postgres.Name}\" SET default_transaction_read_only = on");
        using (var pooled = new NpgsqlConnection(postgres.ConnectionString))
        {
            NpgsqlConnection.ClearPool(pooled);
        }

        using var response = await client.SubmitAsync(form, ServerForms.Basic("Typed while read-only", password: "typed-password-8").With("Input.Host", "typed-host-8.example.net"));
        var page = await response.ReadPageAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(NotSavedForm, page.ValidationSummary());
        Assert.Equal("Typed while read-only", page.ValueOf("Input.Name"));
        Assert.Equal("typed-host-8.example.net", page.ValueOf("Input.Host"));
        Assert.DoesNotContain("typed-password-8", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(app.Logs.Lines, line => line.Contains("SQLSTATE 25006", StringComparison.Ordinal));
        Assert.Equal(0, await app.WithDbAsync(db => db.MailServers.CountAsync()));
    }

    [PostgresFact]
    [Trait("Database", "Postgres")]
    public async Task Pages_answer_503_when_postgresql_cannot_be_reached()
    {
        using var postgres = PostgresDatabase.Create();
        await using var database = ReachableDatabase.Start(postgres);
        var client = await database.App.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("Before the cut"));

        await database.CutAsync();
        using var list = await client.GetAsync(new Uri("/MailServers", UriKind.Relative));
        var page = await list.ReadPageAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, list.StatusCode);
        Assert.Equal("The database cannot be read right now. Try again, or ask the operator to check the database file, the disk and its permissions.",
            page.QuerySelector("[data-testid=storage-message]")?.TextContent.Trim());
        Assert.Contains(database.App.Logs.Lines, line => line.Contains("StorageFault", StringComparison.Ordinal) && line.Contains("Npgsql", StringComparison.Ordinal));
        Assert.DoesNotContain(database.App.Logs.Lines, line => line.StartsWith("Error Microsoft.AspNetCore.Diagnostics", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("25006", StorageFaultKind.ReadOnly)]
    [InlineData("53100", StorageFaultKind.Full)]
    [InlineData("55P03", StorageFaultKind.Busy)]
    [InlineData("57014", StorageFaultKind.Busy)]
    [InlineData("53300", StorageFaultKind.Busy)]
    [InlineData("57P01", StorageFaultKind.Unavailable)]
    [InlineData("3D000", StorageFaultKind.Unavailable)]
    [InlineData("28P01", StorageFaultKind.Unavailable)]
    [InlineData("08006", StorageFaultKind.Unavailable)]
    public void A_postgresql_error_is_recognised_however_ef_core_wraps_it(string state, StorageFaultKind kind)
    {
        var error = new PostgresException("the server said no", "ERROR", "ERROR", state);

        var fault = StorageFault.Find(new InvalidOperationException("A transient failure.", new DbUpdateException("Saving.", error)));

        Assert.Equal(kind, fault?.Kind);
        Assert.Equal($"SQLSTATE {state}", fault?.Code);
    }

    [Theory]
    [InlineData("23505")] // unique_violation: a duplicate name, handled by the pages
    [InlineData("40001")] // serialization_failure
    [InlineData("42501")] // insufficient_privilege: a deployment error, on reads as on writes
    [InlineData("42P01")] // undefined_table: a database that is not migrated
    public void Other_postgresql_errors_are_not_storage_faults(string state)
    {
        Assert.Null(StorageFault.Find(new DbUpdateException("Saving.", new PostgresException("no", "ERROR", "ERROR", state))));
    }

    [Fact]
    public void A_server_that_cannot_be_reached_or_a_pool_that_stays_full_is_recognised_from_npgsql_itself()
    {
        var refused = StorageFault.Find(new NpgsqlException("Failed to connect to 127.0.0.1:5432", new SocketException((int)SocketError.ConnectionRefused)));
        var dropped = StorageFault.Find(new NpgsqlException("Exception while reading from stream", new EndOfStreamException()));
        var exhausted = StorageFault.Find(new NpgsqlException("The connection pool has been exhausted", new TimeoutException()));

        Assert.Equal((StorageFaultKind.Unavailable, "Npgsql SocketException"), (refused!.Kind, refused.Code));
        Assert.Equal(StorageFaultKind.Unavailable, dropped?.Kind);
        Assert.Equal(StorageFaultKind.Busy, exhausted?.Kind);
        Assert.Null(StorageFault.Find(new NpgsqlException("Something else")));
    }
}
