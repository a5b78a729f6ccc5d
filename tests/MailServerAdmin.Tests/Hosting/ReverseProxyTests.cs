using System.Net;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Tests.Localization;
using Microsoft.AspNetCore.Mvc.Testing;

namespace MailServerAdmin.Tests.Hosting;

/// <summary>
/// Deployed as in production (HTTPS-only cookies, no HTTPS port of its own) behind a reverse proxy that ends TLS: the
/// app believes X-Forwarded-* only from the proxies it is told about, and over plain HTTP it explains instead of failing.
/// </summary>
public sealed class ReverseProxyTests : IDisposable
{
    private readonly DirectoryInfo _certificates = Directory.CreateTempSubdirectory("mailserveradmin-proxy-");

    [Fact]
    public async Task Forms_posted_over_plain_http_by_a_configured_proxy_work_and_the_redirect_uri_is_the_public_address()
    {
        using var tls = TestCertificate.Create(_certificates.FullName);
        using var app = BehindProxy(knownProxies: "127.0.0.1");
        await using var proxy = await ForwardingProxy.StartAsync(tls.Certificate, LiveInstance.Start(app));
        await app.EnsureAdministratorAsync(AppFactory.AdminEmail, AppFactory.AdminPassword);
        using var browser = proxy.CreateBrowser();

        // Signing in and creating a server are forms with antiforgery tokens and HTTPS-only cookies, posted through the
        // proxy, which reaches the app over plain HTTP.
        var login = await browser.GetPageAsync("/Account/Login");
        var list = await browser.SubmitAndReadAsync(login, new Dictionary<string, string?>
        {
            ["Input.Email"] = AppFactory.AdminEmail,
            ["Input.Password"] = AppFactory.AdminPassword,
        });
        Assert.Equal("/MailServers", list.Location.PathName);
        var created = await browser.CreateServerAsync(ServerForms.Basic("Behind the proxy"));
        Assert.Contains("Behind the proxy", created.QuerySelector("tbody")!.TextContent, StringComparison.Ordinal);

        // The OAuth redirect URI is the address the browser used: https, the proxy's host and port.
        var form = await browser.GetPageAsync("/MailServers/Create");
        Assert.Equal(new Uri(proxy.Address, "/oauth/callback").ToString(), form.QuerySelector("[data-testid=redirect-uri]")!.GetAttribute("value"));
    }

    [Fact]
    public async Task The_same_headers_from_an_address_that_is_not_a_configured_proxy_are_ignored()
    {
        using var tls = TestCertificate.Create(_certificates.FullName);
        // The proxy on 127.0.0.1 is not the one configured.
        using var app = BehindProxy(knownProxies: "192.0.2.10");
        var instance = LiveInstance.Start(app);
        await using var proxy = await ForwardingProxy.StartAsync(tls.Certificate, instance);
        using var browser = proxy.CreateBrowser();

        using var throughProxy = await browser.GetAsync(new Uri("/Account/Login", UriKind.Relative));
        using var direct = new HttpClient();
        using var forged = new HttpRequestMessage(HttpMethod.Get, new Uri(instance, "/Account/Login"));
        forged.Headers.Add("X-Forwarded-Proto", "https");
        forged.Headers.Add("X-Forwarded-Host", "mail-admin.example.com");
        forged.Headers.Add("X-Forwarded-For", "203.0.113.9");
        using var forgedResponse = await direct.SendAsync(forged);

        foreach (var response in new[] { throughProxy, forgedResponse })
        {
            // Taken for what it is, plain HTTP: the page says so (no sign-in form, no antiforgery cookie, no 500).
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            var page = await response.Content.ReadAsStringAsync();
            Assert.Contains("data-testid=\"https-required\"", page, StringComparison.Ordinal);
            Assert.Contains("ForwardedHeaders:KnownProxies", page, StringComparison.Ordinal);
            Assert.DoesNotContain("__RequestVerificationToken", page, StringComparison.Ordinal);
            Assert.False(response.Headers.Contains("Set-Cookie"));
        }

    }

    [Fact]
    public async Task Production_over_plain_http_without_a_proxy_explains_what_to_set_instead_of_answering_500()
    {
        // Production with no HTTPS endpoint, no HTTPS port to redirect to, and no proxy configured.
        using var app = new AppFactory { EnvironmentName = "Production", HttpsPort = null };
        var browser = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("http://localhost") });

        using var login = await browser.GetAsync(new Uri("/Account/Login", UriKind.Relative));
        using var post = await browser.PostAsync(new Uri("/Account/Login", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Input.Email"] = AppFactory.AdminEmail,
            ["Input.Password"] = AppFactory.AdminPassword,
        }));
        using var spanish = await browser.Speaking("es").GetAsync(new Uri("/MailServers", UriKind.Relative));
        using var health = await app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://localhost") })
            .GetAsync(new Uri("/healthz", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Forbidden, login.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        var page = await login.Content.ReadAsStringAsync();
        Assert.Contains("<h1>HTTPS required</h1>", page, StringComparison.Ordinal);
        Assert.Contains("ForwardedHeaders:KnownProxies", page, StringComparison.Ordinal);
        Assert.Contains("<h1>Se requiere HTTPS</h1>", await spanish.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        // The start log says what to set, once.
        var warning = Assert.Single(app.Logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("plain HTTP", StringComparison.Ordinal));
        Assert.Contains("ForwardedHeaders:KnownProxies", warning, StringComparison.Ordinal);
        Assert.Contains("ForwardedHeaders:KnownNetworks", warning, StringComparison.Ordinal);
        Assert.Contains("X-Forwarded-Proto", warning, StringComparison.Ordinal);
        Assert.DoesNotContain(app.Logs.Lines, line => (line.StartsWith("Error", StringComparison.Ordinal) || line.StartsWith("Critical", StringComparison.Ordinal))
            && !FirstMigrationOnPostgres(line));
    }

    [Fact]
    public void With_a_proxy_configured_the_start_log_names_it_and_gives_no_warning()
    {
        using var app = BehindProxy(knownProxies: "10.0.0.5, 10.0.0.6", knownNetworks: "172.16.0.0/12");
        _ = app.Services;

        Assert.Contains(app.Logs.Lines, line => line.StartsWith("Information", StringComparison.Ordinal)
            && line.Contains("honoured from the reverse proxies 10.0.0.5, 10.0.0.6, 172.16.0.0/12 only", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs.Lines, line => line.Contains("plain HTTP", StringComparison.Ordinal));
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

    /// <summary>
    /// On an empty PostgreSQL database, EF Core's first migration logs a failed query of the history table that it then
    /// creates (npgsql/efcore.pg#3407, harmless; docs/deployment.md mentions it).
    /// </summary>
    private static bool FirstMigrationOnPostgres(string line) =>
        TestDatabase.IsPostgres && line.Contains("Failed executing DbCommand", StringComparison.Ordinal) && line.Contains("__EFMigrationsHistory", StringComparison.Ordinal);

    /// <summary>As deployed behind a proxy: production behaviour and no HTTPS port of its own.</summary>
    private static AppFactory BehindProxy(string knownProxies, string? knownNetworks = null) => new()
    {
        HttpsPort = null,
        Settings = new Dictionary<string, string?>
        {
            ["ForwardedHeaders:KnownProxies"] = knownProxies,
            ["ForwardedHeaders:KnownNetworks"] = knownNetworks,
        },
    };
}
