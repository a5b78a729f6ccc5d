using System.Net;
using MailServerAdmin.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace MailServerAdmin.Tests.Security;

public sealed class SecurityHeadersTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Theory]
    [InlineData("/Account/Login")]
    [InlineData("/MailServers")]
    [InlineData("/lib/bootstrap/dist/css/bootstrap.min.css")]
    [InlineData("/no-such-page")]
    public async Task Every_response_carries_the_security_headers(string path)
    {
        using var response = await Client("https://mail-admin.example.com").GetAsync(new Uri(path, UriKind.Relative));

        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.StartsWith("max-age=31536000", response.Headers.GetValues("Strict-Transport-Security").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pages_have_no_inline_script()
    {
        var client = await app.CreateBrowserAsync();
        foreach (var path in new[] { "/MailServers", "/MailServers/Create", "/Audit", "/Administrators", "/Administrators/Add" })
        {
            var page = await client.GetPageAsync(path);
            Assert.All(page.Scripts, script => Assert.False(string.IsNullOrEmpty(script.Source), $"{path} has an inline script"));
            Assert.Empty(page.QuerySelectorAll("[onclick],[onload],[onchange],[onsubmit]"));
        }
    }

    [Fact]
    public async Task Plain_http_is_redirected_to_https()
    {
        using var response = await Client("http://mail-admin.example.com").GetAsync(new Uri("/Account/Login", UriKind.Relative));

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal("https://mail-admin.example.com/Account/Login", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task Cookies_are_http_only_secure_and_same_site()
    {
        await app.EnsureAdministratorAsync(AppFactory.AdminEmail, AppFactory.AdminPassword);
        var browser = app.CreateAnonymousBrowser();
        var login = await browser.GetPageAsync("/Account/Login");
        var client = Client("https://localhost");
        var token = login.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var loginGet = await client.GetAsync(new Uri("/Account/Login", UriKind.Relative));
        var antiforgery = loginGet.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("MailServerAdmin.Antiforgery=", StringComparison.Ordinal));
        AssertLockedDown(antiforgery, "samesite=strict");

        var formToken = (await loginGet.ReadPageAsync()).QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/Account/Login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = formToken,
                ["Input.Email"] = AppFactory.AdminEmail,
                ["Input.Password"] = AppFactory.AdminPassword,
            }),
        };
        request.Headers.Add("Cookie", antiforgery.Split(';')[0]);
        using var signedIn = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var auth = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("MailServerAdmin.Auth=", StringComparison.Ordinal));
        AssertLockedDown(auth, "samesite=lax");
        Assert.NotEmpty(token);
    }

    private static void AssertLockedDown(string setCookie, string sameSite)
    {
        var attributes = setCookie.ToLowerInvariant();
        Assert.Contains("httponly", attributes, StringComparison.Ordinal);
        Assert.Contains("secure", attributes, StringComparison.Ordinal);
        Assert.Contains(sameSite, attributes, StringComparison.Ordinal);
    }

    private HttpClient Client(string baseAddress) => app.CreateClient(new WebApplicationFactoryClientOptions
    {
        AllowAutoRedirect = false,
        HandleCookies = false,
        BaseAddress = new Uri(baseAddress),
    });
}
