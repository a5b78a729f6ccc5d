using MailServerAdmin.MailServers;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Data;

/// <summary>Where the data and the Data Protection keys live, and how the database is brought up to date.</summary>
public static class AppDatabase
{
    public const string ConnectionStringName = "MailServerAdmin";
    public const string DefaultConnectionString = "Data Source=App_Data/mailserveradmin.db";
    public const string KeysDirectorySetting = "DataProtection:KeysDirectory";
    public const string DefaultKeysDirectory = "App_Data/keys";

    /// <summary>
    /// Registers the database (SQLite by default, PostgreSQL with <c>Database:Provider</c> = Postgres) and the Data
    /// Protection key ring (in a directory, or in the database with <c>DataProtection:KeyStore</c> = Database), encrypted
    /// with a certificate when one is configured. Unusable settings throw an <see cref="InvalidSettingsException"/> that
    /// names them.
    /// </summary>
    public static DatabaseSettings AddAppDatabase(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var settings = DatabaseSettings.Read(builder.Configuration, builder.Environment.ContentRootPath);
        builder.Services.AddSingleton(settings);
        // Pooled: every request (the sign-in check included) gets a reset context instead of building a new one. The model
        // is the compiled one of the provider (scripts/compiled-model.sh), not built from the configurations at start.
        builder.Services.AddDbContextPool<AppDbContext>(options => settings.UseDatabase(options).UseModel(settings.CompiledModel));

        var dataProtection = builder.Services.AddDataProtection().SetApplicationName("MailServerAdmin");
        if (settings.KeyStore == KeyRingStore.Database)
        {
            dataProtection.PersistKeysToDbContext<AppDbContext>();
        }
        else
        {
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(settings.KeysDirectory!));
        }

        if (settings.Certificate is { } certificate)
        {
            dataProtection.ProtectKeysWithCertificate(certificate);
        }

        return settings;
    }

    /// <summary>Creates the database on first start and applies any pending migrations.</summary>
    /// <remarks>
    /// Several instances may do this at once: EF Core takes a database-wide lock around the migrations, so each one is
    /// applied once. Secrets of earlier versions are re-encrypted afterwards.
    /// </remarks>
    public static async Task MigrateDatabaseAsync(this IHost app, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        EnsureMigrationsPresent(db);
        // Migrate only when a migration is pending: MigrateAsync also takes the migrations lock and compares the model
        // with the last migration's snapshot (CI checks that), which costs a noticeable part of every start.
        if ((await db.Database.GetPendingMigrationsAsync(ct)).Any())
        {
            await db.Database.MigrateAsync(ct);
        }

        var loggers = app.Services.GetRequiredService<ILoggerFactory>();
        await NameKeys.BackfillAsync(db, loggers.CreateLogger(typeof(NameKeys)), ct);
        if (db.Database.IsSqlite())
        {
            // Write-ahead logging lets pages read while another request writes.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            await SqliteListIndexes.EnsureAsync(db, loggers.CreateLogger(typeof(SqliteListIndexes)), ct);
        }

        await LegacySecrets.UpgradeAsync(db, scope.ServiceProvider.GetRequiredService<SecretVault>(), loggers.CreateLogger(typeof(LegacySecrets)), ct);
    }

    /// <summary>The migrations this version of the app has that the database has not applied yet.</summary>
    public static async Task<IReadOnlyList<string>> GetPendingMigrationsAsync(this IServiceProvider services, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        EnsureMigrationsPresent(db);
        return [.. await db.Database.GetPendingMigrationsAsync(ct)];
    }

    /// <summary>
    /// Makes sure the key ring has a key before the first request needs one, so that instances started together agree
    /// early and the readiness check finds one.
    /// </summary>
    public static void PrepareKeyRing(this IHost app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var protector = app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("MailServerAdmin.KeyRing.Start");
        protector.Unprotect(protector.Protect([1]));
    }

    /// <summary>A PostgreSQL database with no migrations to apply would stay empty: the migrations assembly is missing.</summary>
    private static void EnsureMigrationsPresent(AppDbContext db)
    {
        if (!db.Database.GetMigrations().Any())
        {
            throw new InvalidOperationException(
                $"No migrations were found for {db.Database.ProviderName}: the assembly {DatabaseSettings.PostgresMigrationsAssembly} must be deployed with the app (the web app references it).");
        }
    }
}
