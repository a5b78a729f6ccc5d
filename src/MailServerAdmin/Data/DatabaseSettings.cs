using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Npgsql;

namespace MailServerAdmin.Data;

/// <summary>The database the app keeps its data in.</summary>
public enum DatabaseProvider
{
    /// <summary>A file beside the app: one instance, nothing to install (the default).</summary>
    Sqlite,

    /// <summary>A PostgreSQL server: several instances share the data.</summary>
    Postgres,
}

/// <summary>Where the Data Protection key ring, which encrypts the stored secrets, is kept.</summary>
public enum KeyRingStore
{
    /// <summary>XML files in a directory (<c>DataProtection:KeysDirectory</c>), shared by instances only if they share it.</summary>
    Directory,

    /// <summary>The <c>DataProtectionKeys</c> table of the app's database, shared by every instance that uses the database.</summary>
    Database,
}

/// <summary>
/// The settings of the database and of the key ring, read and checked together at start: a value that cannot be used is
/// reported with the name of its setting (<see cref="InvalidSettingsException"/>) before anything is registered.
/// </summary>
public sealed class DatabaseSettings
{
    public const string ProviderSetting = "Database:Provider";
    public const string MigrateAtStartSetting = "Database:MigrateAtStart";
    public const string ConnectionStringSetting = "ConnectionStrings:" + AppDatabase.ConnectionStringName;
    public const string KeyStoreSetting = "DataProtection:KeyStore";
    public const string KeysDirectorySetting = AppDatabase.KeysDirectorySetting;
    public const string CertificatePathSetting = "DataProtection:CertificatePath";
    public const string CertificatePasswordSetting = "DataProtection:CertificatePassword";
    public const string CertificateThumbprintSetting = "DataProtection:CertificateThumbprint";

    /// <summary>The assembly that holds the PostgreSQL migrations (the SQLite ones are in this library).</summary>
    public const string PostgresMigrationsAssembly = "MailServerAdmin.PostgresMigrations";

    private DatabaseSettings(DatabaseProvider provider, string connectionString)
    {
        Provider = provider;
        ConnectionString = connectionString;
    }

    public DatabaseProvider Provider { get; }

    /// <summary>The connection string, with a relative SQLite file resolved against the content root.</summary>
    public string ConnectionString { get; }

    /// <summary>Whether the app applies pending migrations when it starts (otherwise the <c>migrate</c> command does).</summary>
    public bool MigrateAtStart { get; private init; } = true;

    public KeyRingStore KeyStore { get; private init; }

    /// <summary>The full path of the key directory, when <see cref="KeyStore"/> is <see cref="KeyRingStore.Directory"/>.</summary>
    public string? KeysDirectory { get; private init; }

    /// <summary>The certificate that encrypts the keys at rest, when one is configured.</summary>
    public X509Certificate2? Certificate { get; private init; }

    /// <summary>Where the keys are, for the start-up log.</summary>
    public string KeyRingLocation => KeyStore == KeyRingStore.Directory ? $"the directory {KeysDirectory}" : "the database (table DataProtectionKeys)";

    /// <summary>Reads and checks every database and key ring setting; throws one exception that names each unusable one.</summary>
    public static DatabaseSettings Read(IConfiguration configuration, string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<SettingProblem>();
        var provider = ReadEnum(configuration, ProviderSetting, DatabaseProvider.Sqlite, problems);
        var connectionString = provider == DatabaseProvider.Postgres
            ? CheckPostgres(configuration.GetConnectionString(AppDatabase.ConnectionStringName), problems)
            : ResolveSqlite(configuration.GetConnectionString(AppDatabase.ConnectionStringName) ?? AppDatabase.DefaultConnectionString, contentRoot, problems);
        var migrateAtStart = ReadBool(configuration, MigrateAtStartSetting, true, problems);
        var keyStore = ReadEnum(configuration, KeyStoreSetting,
            provider == DatabaseProvider.Postgres ? KeyRingStore.Database : KeyRingStore.Directory, problems);
        var keysDirectory = keyStore == KeyRingStore.Directory
            ? CreateKeysDirectory(configuration[KeysDirectorySetting] ?? AppDatabase.DefaultKeysDirectory, contentRoot, problems)
            : null;
        var certificate = ReadCertificate(configuration, contentRoot, problems);

        if (problems.Count > 0)
        {
            certificate?.Dispose();
            throw new InvalidSettingsException(problems);
        }

        return new DatabaseSettings(provider, connectionString!)
        {
            MigrateAtStart = migrateAtStart,
            KeyStore = keyStore,
            KeysDirectory = keysDirectory,
            Certificate = certificate,
        };
    }

    /// <summary>
    /// The EF model of this provider, compiled at design time (<c>scripts/compiled-model.sh</c>): building it from the
    /// entity configurations was a large part of every start. A test checks that it matches the configurations.
    /// </summary>
    public IModel CompiledModel => CompiledModelOf(Provider);

    /// <summary>The compiled EF model of <paramref name="provider"/>.</summary>
    public static IModel CompiledModelOf(DatabaseProvider provider) => provider == DatabaseProvider.Postgres
        ? CompiledModels.Postgres.AppDbContextModel.Instance
        : CompiledModels.Sqlite.AppDbContextModel.Instance;

    /// <summary>Points <paramref name="options"/> at this database.</summary>
    public DbContextOptionsBuilder UseDatabase(DbContextOptionsBuilder options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (Provider == DatabaseProvider.Postgres)
        {
            UsePostgres(options, ConnectionString);
        }
        else
        {
            options.UseSqlite(ConnectionString);
        }

        return options;
    }

    /// <summary>
    /// PostgreSQL, with its own migrations (<see cref="PostgresMigrationsAssembly"/>) and write transactions that run one at
    /// a time (<see cref="SerializedTransactions"/>). The design-time factory of the migrations uses the same options.
    /// </summary>
    public static void UsePostgres(DbContextOptionsBuilder options, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(PostgresMigrationsAssembly))
            .AddInterceptors(SerializedTransactions.Instance);
    }

    private static TEnum ReadEnum<TEnum>(IConfiguration configuration, string setting, TEnum fallback, List<SettingProblem> problems)
        where TEnum : struct, Enum
    {
        var value = configuration[setting];
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        if (Enum.TryParse<TEnum>(value.Trim(), ignoreCase: true, out var parsed) && !char.IsAsciiDigit(value.Trim()[0]) && Enum.IsDefined(parsed))
        {
            return parsed;
        }

        problems.Add(new(setting, $"'{value}' is not one of {string.Join(", ", Enum.GetNames<TEnum>())}."));
        return fallback;
    }

    private static bool ReadBool(IConfiguration configuration, string setting, bool fallback, List<SettingProblem> problems)
    {
        var value = configuration[setting];
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        if (bool.TryParse(value.Trim(), out var parsed))
        {
            return parsed;
        }

        problems.Add(new(setting, $"'{value}' is neither true nor false."));
        return fallback;
    }

    private static string? CheckPostgres(string? connectionString, List<SettingProblem> problems)
    {
        const string Example = "Host=db.example.com;Database=mailserveradmin;Username=mailserveradmin;Password=…";
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            problems.Add(new(ConnectionStringSetting, $"is not set; with {ProviderSetting}=Postgres it is the PostgreSQL connection string, such as {Example}."));
            return null;
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrWhiteSpace(builder.Host))
            {
                problems.Add(new(ConnectionStringSetting, $"names no Host; with {ProviderSetting}=Postgres it is a PostgreSQL connection string, such as {Example}."));
            }
        }
        catch (ArgumentException e)
        {
            problems.Add(new(ConnectionStringSetting, $"is not a PostgreSQL connection string ({e.Message}); with {ProviderSetting}=Postgres it looks like {Example}."));
        }

        return connectionString;
    }

    /// <summary>Makes a relative SQLite file path relative to the app's content root and creates its folder.</summary>
    private static string? ResolveSqlite(string connectionString, string contentRoot, List<SettingProblem> problems)
    {
        SqliteConnectionStringBuilder csb;
        try
        {
            csb = new SqliteConnectionStringBuilder(connectionString);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            problems.Add(new(ConnectionStringSetting, $"is not a SQLite connection string ({e.Message}); it looks like Data Source=App_Data/mailserveradmin.db."));
            return null;
        }

        if (string.IsNullOrWhiteSpace(csb.DataSource))
        {
            problems.Add(new(ConnectionStringSetting, "names no database file (Data Source=…)."));
            return null;
        }

        if (csb.DataSource != ":memory:" && csb.Mode != SqliteOpenMode.Memory)
        {
            try
            {
                csb.DataSource = Path.GetFullPath(csb.DataSource, contentRoot);
                Directory.CreateDirectory(Path.GetDirectoryName(csb.DataSource)!);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                problems.Add(new(ConnectionStringSetting, $"the folder of the database file {csb.DataSource} cannot be created: {e.Message}"));
                return null;
            }
        }

        return csb.ToString();
    }

    private static string? CreateKeysDirectory(string directory, string contentRoot, List<SettingProblem> problems)
    {
        try
        {
            return Directory.CreateDirectory(Path.GetFullPath(directory, contentRoot)).FullName;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            problems.Add(new(KeysDirectorySetting, $"the directory '{directory}' cannot be created: {e.Message}"));
            return null;
        }
    }

    /// <summary>The certificate from a PKCS#12 or PEM file, or from the certificate store by thumbprint; it must have an RSA private key.</summary>
    private static X509Certificate2? ReadCertificate(IConfiguration configuration, string contentRoot, List<SettingProblem> problems)
    {
        var path = configuration[CertificatePathSetting];
        var thumbprint = configuration[CertificateThumbprintSetting];
        if (!string.IsNullOrWhiteSpace(path) && !string.IsNullOrWhiteSpace(thumbprint))
        {
            problems.Add(new(CertificateThumbprintSetting, $"is set together with {CertificatePathSetting}; set only one of them."));
            return null;
        }

        X509Certificate2? certificate;
        string setting;
        if (!string.IsNullOrWhiteSpace(path))
        {
            setting = CertificatePathSetting;
            certificate = LoadFile(Path.GetFullPath(path, contentRoot), configuration[CertificatePasswordSetting], problems);
        }
        else if (!string.IsNullOrWhiteSpace(thumbprint))
        {
            setting = CertificateThumbprintSetting;
            certificate = FindInStores(thumbprint, problems);
        }
        else
        {
            return null;
        }

        if (certificate is not null && !HasRsaPrivateKey(certificate))
        {
            problems.Add(new(setting, $"the certificate {certificate.Subject} ({certificate.Thumbprint}) has no RSA private key; Data Protection needs one to encrypt and decrypt the keys."));
            certificate.Dispose();
            return null;
        }

        return certificate;
    }

    private static X509Certificate2? LoadFile(string path, string? password, List<SettingProblem> problems)
    {
        if (!File.Exists(path))
        {
            problems.Add(new(CertificatePathSetting, $"the file {path} does not exist."));
            return null;
        }

        try
        {
            var extension = Path.GetExtension(path);
            if (extension.Equals(".pfx", StringComparison.OrdinalIgnoreCase) || extension.Equals(".p12", StringComparison.OrdinalIgnoreCase))
            {
                return X509CertificateLoader.LoadPkcs12FromFile(path, password);
            }

            // PEM: the certificate and its private key in one file.
            return string.IsNullOrEmpty(password)
                ? X509Certificate2.CreateFromPemFile(path)
                : X509Certificate2.CreateFromEncryptedPemFile(path, password);
        }
        catch (CryptographicException e)
        {
            problems.Add(new(CertificatePathSetting,
                $"the file {path} cannot be read as a certificate with its private key (a .pfx/.p12 file, or a PEM file holding both; {CertificatePasswordSetting} is its password): {e.Message}"));
            return null;
        }
    }

    private static X509Certificate2? FindInStores(string thumbprint, List<SettingProblem> problems)
    {
        var wanted = thumbprint.Replace(" ", "", StringComparison.Ordinal).Replace(":", "", StringComparison.Ordinal).Trim();
        if (wanted.Length != 40 || !wanted.All(char.IsAsciiHexDigit))
        {
            problems.Add(new(CertificateThumbprintSetting, $"'{thumbprint}' is not a SHA-1 thumbprint (40 hexadecimal digits)."));
            return null;
        }

        foreach (var location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
        {
            try
            {
                using var store = new X509Store(StoreName.My, location);
                store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
                var found = store.Certificates.Find(X509FindType.FindByThumbprint, wanted, validOnly: false);
                if (found.Count > 0)
                {
                    var certificate = found[0];
                    foreach (var other in found.Skip(1))
                    {
                        other.Dispose();
                    }

                    return certificate;
                }
            }
            catch (CryptographicException)
            {
                // A store that does not exist on this machine holds nothing.
            }
        }

        problems.Add(new(CertificateThumbprintSetting,
            $"no certificate with the thumbprint {wanted.ToUpperInvariant()} is in the CurrentUser or LocalMachine 'My' store of the account that runs the app."));
        return null;
    }

    private static bool HasRsaPrivateKey(X509Certificate2 certificate)
    {
        try
        {
            using var rsa = certificate.GetRSAPrivateKey();
            return rsa is not null;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
