using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using AngleSharp.Html.Dom;
using MailServerAdmin.Data;
using MailServerAdmin.MailServers;
using MailServerAdmin.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Hosting;

/// <summary>
/// Two instances of the app on one PostgreSQL database behind a reverse proxy that ends TLS, sharing the key ring in the
/// database, encrypted with a certificate: whichever instance a request reaches, it works the same.
/// </summary>
/// <remarks>
/// "A token refresh under load from both, one provider request per expiry" is the two-instance test of
/// tests/MailServerAdmin.Tests/OAuth (two app instances sending with 30-second tokens against a provider that rotates
/// strictly), which the PostgreSQL run of the suite runs on one PostgreSQL database.
/// </remarks>
public sealed partial class SeveralInstancesTests : IDisposable
{
    private const int Racers = 1_000;
    private readonly DirectoryInfo _certificates = Directory.CreateTempSubdirectory("mailserveradmin-instances-");

    [PostgresFact]
    [Trait("Database", "Postgres")]
    public async Task Two_instances_behind_a_proxy_share_set_up_sign_in_secrets_and_the_single_default()
    {
        using var keys = TestCertificate.Create(_certificates.FullName, "CN=MailServerAdmin key ring");
        using var tls = TestCertificate.Create(_certificates.FullName, "CN=127.0.0.1");
        var settings = new Dictionary<string, string?>
        {
            [DatabaseSettings.KeyStoreSetting] = "Database",
            [DatabaseSettings.CertificatePathSetting] = keys.PfxPath,
            [DatabaseSettings.CertificatePasswordSetting] = TestCertificate.Password,
            ["ForwardedHeaders:KnownProxies"] = "127.0.0.1",
        };
        using var postgres = PostgresDatabase.Create();
        using var a = new AppFactory(postgres) { HttpsPort = null, Settings = settings };
        using var b = a.Sibling();
        var instances = await Task.WhenAll(Task.Run(() => LiveInstance.Start(a)), Task.Run(() => LiveInstance.Start(b)));
        await using var proxy = await ForwardingProxy.StartAsync(tls.Certificate, instances);

        // Set-up on one instance, with the code the other one wrote to its log.
        var code = SetupCode().Match(a.Logs.All).Groups[1].Value;
        using var installer = proxy.CreateBrowser(instance: 1);
        var setup = await installer.GetPageAsync("/setup");
        var welcome = await installer.SubmitAndReadAsync(setup, new Dictionary<string, string?>
        {
            ["Input.Code"] = code,
            ["Input.Email"] = "first@example.com",
            ["Input.Password"] = "correct-horse-battery-staple",
            ["Input.ConfirmPassword"] = "correct-horse-battery-staple",
        });
        Assert.Equal("/MailServers", welcome.Location.PathName);
        Assert.Empty(await a.WithDbAsync(db => db.SetupCodes.ToListAsync()));

        // Sign-in on the other.
        var cookies = new CookieContainer();
        using var onA = proxy.CreateBrowser(cookies, instance: 0);
        var login = await onA.GetPageAsync("/Account/Login");
        var list = await onA.SubmitAndReadAsync(login, new Dictionary<string, string?>
        {
            ["Input.Email"] = "first@example.com",
            ["Input.Password"] = "correct-horse-battery-staple",
        });
        Assert.Equal("/MailServers", list.Location.PathName);

        // A secret saved through one instance decrypts on the other, with the same session.
        using var onB = proxy.CreateBrowser(cookies, instance: 1);
        await onB.CreateServerAsync(ServerForms.Basic("Secret keeper", password: "typed-on-instance-b"));
        var keeper = await a.WithDbAsync(db => db.MailServers.SingleAsync(s => s.Name == "Secret keeper"));
        Assert.Equal("typed-on-instance-b", a.Secret(keeper, SecretField.Password));
        var listOnA = await onA.GetPageAsync("/MailServers");
        Assert.Single(listOnA.QuerySelectorAll("tbody tr[data-server-id]"));
        Assert.Empty(listOnA.QuerySelectorAll("[data-testid=secrets-unreadable]"));

        // The key ring is in the database, every key encrypted with the certificate.
        var ring = await a.WithDbAsync(db => db.DataProtectionKeys.Select(k => k.Xml!).ToListAsync());
        Assert.NotEmpty(ring);
        Assert.All(ring, xml =>
        {
            Assert.Contains("EncryptedXmlDecryptor", xml, StringComparison.Ordinal);
            Assert.Contains($"<X509Certificate>{Convert.ToBase64String(keys.Certificate.RawData)}</X509Certificate>", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<value>", xml, StringComparison.Ordinal);
        });

        // 1,000 make-default requests racing over both instances: exactly one default, every request answered.
        for (var i = 0; i < 19; i++)
        {
            list = await onA.CreateServerAsync(ServerForms.Basic($"Racer {i:D2}"));
        }

        var forms = MakeDefaultForms(list);
        Assert.Equal(19, forms.Count);
        var postsBefore = (MakeDefaultPosts(a), MakeDefaultPosts(b));
        var linesBefore = (a.Logs.Lines.Count, b.Logs.Lines.Count);
        using var spread = proxy.CreateBrowser(cookies);
        var statuses = new ConcurrentBag<HttpStatusCode>();
        using var inFlight = new SemaphoreSlim(48);
        await Task.WhenAll(Enumerable.Range(0, Racers).Select(async i =>
        {
            await inFlight.WaitAsync();
            try
            {
                using var response = await spread.SubmitAsync(list, button: forms[i % forms.Count]);
                statuses.Add(response.StatusCode);
            }
            finally
            {
                inFlight.Release();
            }
        }));

        Assert.Equal(Racers, statuses.Count);
        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.Redirect, status));
        Assert.Single(await a.WithDbAsync(db => db.MailServers.Where(s => s.IsDefault).ToListAsync()));
        var served = (MakeDefaultPosts(a) - postsBefore.Item1, MakeDefaultPosts(b) - postsBefore.Item2);
        Assert.Equal(Racers, served.Item1 + served.Item2);
        Assert.InRange(served.Item1, Racers / 4, Racers * 3 / 4);
        var duringRace = a.Logs.Lines.Skip(linesBefore.Item1).Concat(b.Logs.Lines.Skip(linesBefore.Item2));
        Assert.DoesNotContain(duringRace, line => line.StartsWith("Error", StringComparison.Ordinal) || line.StartsWith("Critical", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        try
        {
            _certificates.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static List<string> MakeDefaultForms(IHtmlDocument list) =>
        [.. list.QuerySelectorAll("tbody tr[data-server-id]")
            .Where(row => row.QuerySelector("button[data-action=make-default]") is not null)
            .Select(row => $"tr[data-server-id='{row.GetAttribute("data-server-id")}'] button[data-action=make-default]")];

    /// <summary>Make-default posts this instance has answered, from its request log.</summary>
    private static int MakeDefaultPosts(AppFactory app) =>
        app.Logs.Lines.Count(line => line.Contains("Request finished", StringComparison.Ordinal)
            && line.Contains(" POST ", StringComparison.Ordinal) && line.Contains("handler=MakeDefault", StringComparison.Ordinal));

    [GeneratedRegex(@"set-up code to create the first administrator: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})")]
    private static partial Regex SetupCode();
}
