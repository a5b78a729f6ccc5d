using MailServerAdmin.MailServers;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Data;

/// <summary>Where the data and the Data Protection keys live, and how the database is brought up to date.</summary>
public static class AppDatabase
{
    public const string ConnectionStringName = "MailServerAdmin";
    public const string DefaultConnectionString = "Data Source=App_Data/mailserveradmin.db";
    public const string KeysDirectorySetting = "DataProtection:KeysDirectory";
    public const string DefaultKeysDirectory = "App_Data/keys";

    /// <summary>Registers the SQLite database and a Data Protection key ring kept in a directory apart from it.</summary>
    public static void AddAppDatabase(this IHostApplicationBuilder builder)
    {
        var contentRoot = builder.Environment.ContentRootPath;
        var connectionString = ResolveSqlite(
            builder.Configuration.GetConnectionString(ConnectionStringName) ?? DefaultConnectionString, contentRoot);
        // Pooled: every request (the sign-in check included) gets a reset context instead of building a new one.
        builder.Services.AddDbContextPool<AppDbContext>(options => options.UseSqlite(connectionString));

        var keysDirectory = Path.GetFullPath(
            builder.Configuration[KeysDirectorySetting] ?? DefaultKeysDirectory, contentRoot);
        builder.Services.AddDataProtection()
            .SetApplicationName("MailServerAdmin")
            .PersistKeysToFileSystem(Directory.CreateDirectory(keysDirectory));
    }

    /// <summary>Creates the database file on first start, applies any pending migrations, and brings the name keys up to date.</summary>
    public static async Task MigrateDatabaseAsync(this IHost app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        // Migrate only when a migration is pending: MigrateAsync also takes the migrations lock and compares the model
        // with the last migration's snapshot (CI checks that), which costs a noticeable part of every start.
        if ((await db.Database.GetPendingMigrationsAsync()).Any())
        {
            await db.Database.MigrateAsync();
        }

        await NameKeys.BackfillAsync(db, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(NameKeys)));
        // Write-ahead logging lets pages read while another request writes.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        await SqliteListIndexes.EnsureAsync(db, app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SqliteListIndexes)));
        await LegacySecrets.UpgradeAsync(
            db, scope.ServiceProvider.GetRequiredService<SecretVault>(), app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LegacySecrets)));
    }

    /// <summary>Makes a relative SQLite file path relative to the app's content root and creates its folder.</summary>
    private static string ResolveSqlite(string connectionString, string contentRoot)
    {
        var csb = new SqliteConnectionStringBuilder(connectionString);
        if (!string.IsNullOrEmpty(csb.DataSource) && csb.DataSource != ":memory:" && csb.Mode != SqliteOpenMode.Memory)
        {
            csb.DataSource = Path.GetFullPath(csb.DataSource, contentRoot);
            Directory.CreateDirectory(Path.GetDirectoryName(csb.DataSource)!);
        }

        return csb.ToString();
    }
}
