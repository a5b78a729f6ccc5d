using System.Runtime.CompilerServices;
using Npgsql;

namespace MailServerAdmin.Tests.Infrastructure;

/// <summary>
/// Which database the suite runs on: SQLite files (the default), or PostgreSQL when
/// <c>MAILSERVERADMIN_TEST_DATABASE=Postgres</c>, with a server reached through <c>MAILSERVERADMIN_TEST_POSTGRES</c>
/// (a connection string without a database, as <c>scripts/postgres-for-tests.sh</c> prints it). The tests are the same
/// on both; each app gets a fresh database of its own.
/// </summary>
public static class TestDatabase
{
    public const string ProviderVariable = "MAILSERVERADMIN_TEST_DATABASE";
    public const string PostgresVariable = "MAILSERVERADMIN_TEST_POSTGRES";

    /// <summary>This run's apps use PostgreSQL.</summary>
    public static bool IsPostgres { get; } =
        string.Equals(Environment.GetEnvironmentVariable(ProviderVariable)?.Trim(), "Postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>The server's connection string without a database, or null.</summary>
    public static string? PostgresServer { get; } = Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value ? value : null;

    /// <summary>Continuous integration (the <c>CI</c> variable is set): nothing that needs PostgreSQL may be skipped.</summary>
    public static bool UnderCi { get; } = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    public const string HowToRunPostgres =
        "run scripts/postgres-for-tests.sh and set MAILSERVERADMIN_TEST_POSTGRES to what it prints, with MAILSERVERADMIN_TEST_DATABASE=Postgres";

    /// <summary>Why a PostgreSQL-only test does not run in this run, or null when it does.</summary>
    public static string? PostgresSkipReason =>
        IsPostgres ? null
        : UnderCi && PostgresServer is null ? null // fails, saying what is missing
        : PostgresServer is null ? $"PostgreSQL-specific, and no PostgreSQL is configured: {HowToRunPostgres}."
        : "PostgreSQL-specific: runs in the PostgreSQL run (MAILSERVERADMIN_TEST_DATABASE=Postgres).";

    /// <summary>The server for a PostgreSQL-only test; fails with what to do when there is none.</summary>
    public static string RequirePostgresServer() => PostgresServer
        ?? throw new InvalidOperationException($"This test needs PostgreSQL ({(UnderCi ? "CI must not skip it" : "none configured")}): {HowToRunPostgres}.");
}

/// <summary>A test of SQLite itself (its files, PRAGMAs or locks): skipped, with this reason, in the PostgreSQL run.</summary>
public sealed class SqliteFactAttribute : FactAttribute
{
    public SqliteFactAttribute(string reason)
    {
        if (TestDatabase.IsPostgres)
        {
            Skip = $"SQLite-specific ({reason}); the PostgreSQL run covers the behaviour in tests/MailServerAdmin.Tests/Hosting.";
        }
    }
}

/// <summary>A theory of SQLite itself: skipped, with this reason, in the PostgreSQL run.</summary>
public sealed class SqliteTheoryAttribute : TheoryAttribute
{
    public SqliteTheoryAttribute(string reason)
    {
        if (TestDatabase.IsPostgres)
        {
            Skip = $"SQLite-specific ({reason}); the PostgreSQL run covers the behaviour in tests/MailServerAdmin.Tests/Hosting.";
        }
    }
}

/// <summary>
/// A test that needs PostgreSQL: it runs in the PostgreSQL run; elsewhere it is skipped with the reason, except under CI
/// without a configured server, where it runs and fails saying what is missing.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute() => Skip = TestDatabase.PostgresSkipReason;
}

/// <summary>A PostgreSQL database of its own, created empty and dropped (with its connections) when disposed.</summary>
public sealed class PostgresDatabase : IDisposable
{
    private static int _counter;
    private readonly string _server;

    private PostgresDatabase(string server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server)
        {
            Database = name,
            // Two apps on one database, under load, stay well within the server's 100 connections.
            MaxPoolSize = 30,
            Timeout = 30,
            IncludeErrorDetail = true,
        }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    /// <summary>Creates a database named after the test class, unique in this run.</summary>
    public static PostgresDatabase Create([CallerFilePath] string caller = "")
    {
        var server = TestDatabase.RequirePostgresServer();
        var stem = new string(Path.GetFileNameWithoutExtension(caller).ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(24).ToArray());
        var name = $"msa_{stem}_{Environment.ProcessId}_{Interlocked.Increment(ref _counter)}_{Guid.NewGuid().ToString("N")[..6]}";
        Execute(server, $"CREATE DATABASE \"{name}\"");
        // Tests need no durability: commits return before the disk has them.
        Execute(server, $"ALTER DATABASE \"{name}\" SET synchronous_commit = off");
        return new PostgresDatabase(server, name);
    }

    /// <summary>Runs SQL in the server's maintenance database (creating, dropping or altering databases).</summary>
    public static void Execute(string server, string sql)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Runs SQL in this database, on a connection of its own.</summary>
    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    public void Dispose()
    {
        using (var connection = new NpgsqlConnection(ConnectionString))
        {
            NpgsqlConnection.ClearPool(connection);
        }

        try
        {
            Execute(_server, $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
        }
        catch (NpgsqlException)
        {
            // A database left behind is harmless; its name says which run made it.
        }
    }
}
