using MailServerAdmin.Data;
using Npgsql;

namespace MailServerAdmin.Web.Hosting;

/// <summary>What the operator needs to know at start: which database, where the keys are and whether they are encrypted.</summary>
public static partial class StartupLog
{
    public static void LogStorageAtStart(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StartupLog));
        var settings = app.Services.GetRequiredService<DatabaseSettings>();
        var database = Describe(settings);
        LogDatabase(logger, settings.Provider, database);
        if (settings.Certificate is { } certificate)
        {
            LogKeysEncrypted(logger, settings.KeyRingLocation, certificate.Subject, certificate.Thumbprint);
        }
        else
        {
            // In Development an unencrypted key directory is the usual thing; elsewhere it is a warning.
            LogKeysNotEncrypted(logger, app.Environment.IsDevelopment() ? LogLevel.Information : LogLevel.Warning, settings.KeyRingLocation,
                DatabaseSettings.CertificatePathSetting, DatabaseSettings.CertificateThumbprintSetting);
        }
    }

    /// <summary>The database without its password.</summary>
    private static string Describe(DatabaseSettings settings)
    {
        if (settings.Provider == DatabaseProvider.Sqlite)
        {
            return new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(settings.ConnectionString).DataSource;
        }

        var postgres = new NpgsqlConnectionStringBuilder(settings.ConnectionString);
        return $"host {postgres.Host}, port {postgres.Port}, database {postgres.Database ?? postgres.Username}, user {postgres.Username}";
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Database: {Provider}, {Where}.")]
    private static partial void LogDatabase(ILogger logger, DatabaseProvider provider, string where);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Data Protection keys: in {Location}, encrypted with the certificate {Subject} ({Thumbprint}).")]
    private static partial void LogKeysEncrypted(ILogger logger, string location, string subject, string thumbprint);

    [LoggerMessage(EventId = 3, Message =
        "Data Protection keys: in {Location}, stored unencrypted: whoever can read them can decrypt the stored passwords, client secrets and tokens. "
        + "Set {CertificatePath} (a .pfx file with its private key) or {CertificateThumbprint} to encrypt them at rest; see docs/deployment.md.")]
    private static partial void LogKeysNotEncrypted(ILogger logger, LogLevel level, string location, string certificatePath, string certificateThumbprint);
}
