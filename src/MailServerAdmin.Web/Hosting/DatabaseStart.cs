using MailServerAdmin.Data;

namespace MailServerAdmin.Web.Hosting;

/// <summary>
/// Bringing the database up to date, at start or as a deploy step: <c>dotnet MailServerAdmin.Web.dll migrate</c> applies
/// the migrations and exits; with <c>Database:MigrateAtStart</c> = false the app never migrates by itself and refuses to
/// start on a database that lacks a migration, saying which command to run.
/// </summary>
public static partial class DatabaseStart
{
    public const string MigrateCommand = "migrate";

    /// <summary>The app was started as <c>MailServerAdmin.Web migrate</c>.</summary>
    public static bool IsMigrateCommand(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        return args.Count > 0 && string.Equals(args[0], MigrateCommand, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The migrate command: applies every pending migration and returns the process's exit code.</summary>
    public static async Task<int> MigrateAsync(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseStart));
        var settings = app.Services.GetRequiredService<DatabaseSettings>();
        try
        {
            var pending = await app.Services.GetPendingMigrationsAsync();
            await app.MigrateDatabaseAsync();
            var names = pending.Count == 0 ? "none" : string.Join(", ", pending);
            LogMigrated(logger, settings.Provider, pending.Count, names);
            return 0;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogMigrationFailed(logger, e, settings.Provider);
            return 1;
        }
    }

    /// <summary>
    /// At start: migrates (the default), or with <c>Database:MigrateAtStart</c> = false checks that nothing is pending.
    /// False when the app must not run; the log says why.
    /// </summary>
    public static async Task<bool> PrepareAsync(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var settings = app.Services.GetRequiredService<DatabaseSettings>();
        if (settings.MigrateAtStart)
        {
            await app.MigrateDatabaseAsync();
            return true;
        }

        var pending = await app.Services.GetPendingMigrationsAsync();
        if (pending.Count == 0)
        {
            return true;
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseStart));
        var names = string.Join(", ", pending);
        LogNotMigrated(logger, pending.Count, names, DatabaseSettings.MigrateAtStartSetting);
        return false;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "The {Provider} database is up to date; migrations applied now: {Count} ({Migrations}).")]
    private static partial void LogMigrated(ILogger logger, DatabaseProvider provider, int count, string migrations);

    [LoggerMessage(EventId = 2, Level = LogLevel.Critical, Message = "Migrating the {Provider} database failed; nothing after the failed migration was applied.")]
    private static partial void LogMigrationFailed(ILogger logger, Exception error, DatabaseProvider provider);

    [LoggerMessage(EventId = 3, Level = LogLevel.Critical, Message =
        "The database lacks {Count} migration(s) of this version ({Migrations}) and {Setting} is false, so the app does not migrate it and does not start. "
        + "Run 'dotnet MailServerAdmin.Web.dll migrate' with the same settings first (the upgrade step of docs/deployment.md), then start the app again.")]
    private static partial void LogNotMigrated(ILogger logger, int count, string migrations, string setting);
}
