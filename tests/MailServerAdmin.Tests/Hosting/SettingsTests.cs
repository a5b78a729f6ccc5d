using MailServerAdmin.Data;
using MailServerAdmin.Web.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting.Internal;

namespace MailServerAdmin.Tests.Hosting;

/// <summary>A documented setting with a value the app cannot use stops it at start, with a message that names it.</summary>
public sealed class SettingsTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("mailserveradmin-settings-");

    public static TheoryData<string, string, string> InvalidValues => new()
    {
        { "Database:Provider", "Oracle", "is not one of Sqlite, Postgres" },
        { "Database:Provider", "1", "is not one of Sqlite, Postgres" },
        { "Database:MigrateAtStart", "sometimes", "neither true nor false" },
        { "ConnectionStrings:MailServerAdmin", "Data Source=x.db;Colour=blue", "not a SQLite connection string" },
        { "DataProtection:KeyStore", "Cloud", "is not one of Directory, Database" },
        { "DataProtection:CertificatePath", "no-such.pfx", "does not exist" },
        { "DataProtection:CertificateThumbprint", "12AB", "not a SHA-1 thumbprint" },
        { "DataProtection:CertificateThumbprint", "0123456789ABCDEF0123456789ABCDEF01234567", "no certificate with the thumbprint" },
        { "ForwardedHeaders:KnownProxies", "10.0.0.5, proxy.example.com", "'proxy.example.com' is not an IP address" },
        { "ForwardedHeaders:KnownProxies", "7", "'7' is not an IP address" },
        { "ForwardedHeaders:KnownNetworks", "10.0.0.0/33", "not a network in CIDR notation" },
        { "ForwardedHeaders:KnownNetworks", "10.0.0.0", "not a network in CIDR notation" },
        { "ForwardedHeaders:ForwardLimit", "0", "from 1 to 10" },
        { "PublicBaseUrl", "mail-admin.example.com", "is not the address browsers use" },
        { "PublicBaseUrl", "https://mail-admin.example.com/?x=1", "is not the address browsers use" },
        { "OAuth:TimeoutSeconds", "thirty", "from 1 to 600" },
        { "OAuth:RefreshCheckMinutes", "-5", "from 0 to 10080" },
        { "Smtp:TimeoutSeconds", "601", "from 1 to 600" },
        { "https_port", "70000", "from 1 to 65535" },
    };

    [Theory]
    [MemberData(nameof(InvalidValues))]
    public void An_invalid_value_is_reported_with_the_name_of_its_setting(string setting, string value, string problem)
    {
        var problems = Check(new() { [setting] = value });

        var reported = Assert.Single(problems);
        Assert.Equal(setting, reported.Setting);
        Assert.Contains(problem, reported.Problem, StringComparison.Ordinal);
        Assert.StartsWith($"{setting}: ", reported.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void PostgreSQL_needs_its_own_connection_string_and_every_problem_is_reported_at_once()
    {
        var problems = Check(new()
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:MailServerAdmin"] = "Data Source=App_Data/mailserveradmin.db",
            ["ForwardedHeaders:KnownNetworks"] = "everything",
        });

        Assert.Equal(["ConnectionStrings:MailServerAdmin", "ForwardedHeaders:KnownNetworks"], problems.Select(p => p.Setting));
        Assert.Contains("not a PostgreSQL connection string", problems[0].Problem, StringComparison.Ordinal);
        Assert.Contains("Host=", problems[0].Problem, StringComparison.Ordinal);
        var message = SettingsCheck.Describe(problems);
        Assert.Contains("ConnectionStrings:MailServerAdmin: ", message, StringComparison.Ordinal);
        Assert.Contains("ForwardedHeaders:KnownNetworks: ", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_file_without_its_password_or_without_a_private_key_is_refused()
    {
        using var certificate = TestCertificate.Create(_root.FullName);
        var publicOnly = Path.Combine(_root.FullName, "public.cer");
        File.WriteAllBytes(publicOnly, certificate.Certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Cert));

        var wrongPassword = Check(new() { ["DataProtection:CertificatePath"] = certificate.PfxPath, ["DataProtection:CertificatePassword"] = "wrong" });
        var noKey = Check(new() { ["DataProtection:CertificatePath"] = publicOnly });
        var fine = Check(new() { ["DataProtection:CertificatePath"] = certificate.PfxPath, ["DataProtection:CertificatePassword"] = TestCertificate.Password });

        Assert.Equal("DataProtection:CertificatePath", Assert.Single(wrongPassword).Setting);
        Assert.Equal("DataProtection:CertificatePath", Assert.Single(noKey).Setting);
        Assert.Empty(fine);
    }

    [Fact]
    public void Valid_and_absent_values_pass()
    {
        Assert.Empty(Check([]));
        Assert.Empty(Check(new()
        {
            ["Database:Provider"] = "postgres",
            ["ConnectionStrings:MailServerAdmin"] = "Host=db.example.com;Database=mailserveradmin;Username=app;Password=secret",
            ["Database:MigrateAtStart"] = "False",
            ["DataProtection:KeyStore"] = "Database",
            ["ForwardedHeaders:KnownProxies"] = "10.0.0.5, fd00::5",
            ["ForwardedHeaders:KnownNetworks:0"] = "10.0.0.0/8",
            ["ForwardedHeaders:KnownNetworks:1"] = "fd00::/8",
            ["ForwardedHeaders:ForwardLimit"] = "2",
            ["PublicBaseUrl"] = "https://mail-admin.example.com",
            ["OAuth:RefreshCheckMinutes"] = "0",
            ["https_port"] = "443",
        }));
    }

    [Fact]
    public async Task The_app_stops_at_start_with_a_message_that_names_the_setting()
    {
        await using var app = AppProcess.Start(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__MailServerAdmin"] = $"Data Source={Path.Combine(_root.FullName, "app.db")}",
            ["DataProtection__KeysDirectory"] = Path.Combine(_root.FullName, "keys"),
            ["Database__Provider"] = "Oracle",
            ["ForwardedHeaders__KnownProxies"] = "proxy.example.com",
        });

        var exitCode = await app.WaitForExitAsync();

        Assert.Equal(1, exitCode);
        Assert.Contains("MailServerAdmin cannot start", app.Output, StringComparison.Ordinal);
        Assert.Contains("Database:Provider: 'Oracle' is not one of Sqlite, Postgres.", app.Output, StringComparison.Ordinal);
        Assert.Contains("ForwardedHeaders:KnownProxies: 'proxy.example.com' is not an IP address", app.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", app.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_root.FullName, "app.db")));
    }

    public void Dispose()
    {
        try
        {
            _root.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private List<SettingProblem> Check(Dictionary<string, string?> values)
    {
        var defaults = new Dictionary<string, string?>
        {
            ["ConnectionStrings:MailServerAdmin"] = $"Data Source={Path.Combine(_root.FullName, "app.db")}",
            ["DataProtection:KeysDirectory"] = Path.Combine(_root.FullName, "keys"),
        };
        foreach (var (key, value) in values)
        {
            defaults[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(defaults).Build();
        return [.. SettingsCheck.Run(configuration, new HostingEnvironment { ContentRootPath = _root.FullName, EnvironmentName = "Production" })];
    }
}
