using System.Net;
using MailServerAdmin.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MailServerAdmin.Tests.Pages.Account;

public sealed class AccessTests(AppFactory app) : IClassFixture<AppFactory>
{
    /// <summary>Pages anybody may open: signing in (its second step and single sign-on too), first-run set-up, and the error page.</summary>
    private static readonly string[] PublicPages =
        ["/Account/Login", "/Account/LoginWith2fa", "/Account/LoginWithRecoveryCode", "/Account/ExternalLogin", "/Setup/Index", "/Error"];

    [Fact]
    public async Task Every_page_sends_an_anonymous_visitor_to_sign_in()
    {
        var pages = app.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<PageActionDescriptor>() is not null)
            .ToList();
        Assert.Contains(pages, p => p.Metadata.GetMetadata<PageActionDescriptor>()!.ViewEnginePath == "/MailServers/Index");

        var client = NoRedirects();
        foreach (var page in pages)
        {
            var name = page.Metadata.GetMetadata<PageActionDescriptor>()!.ViewEnginePath;
            var url = "/" + page.RoutePattern.RawText!.Replace("{id:int}", "1", StringComparison.Ordinal).Replace("{id}", "1", StringComparison.Ordinal).TrimStart('/');
            if (PublicPages.Contains(name))
            {
                Assert.NotNull(page.Metadata.GetMetadata<IAllowAnonymous>());
                continue;
            }

            using var response = await client.GetAsync(new Uri(url, UriKind.Relative));
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{url} answered {(int)response.StatusCode}");
            Assert.Equal("/Account/Login", response.Headers.Location!.AbsolutePath);
        }

        using var home = await client.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal("/Account/Login", home.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task An_anonymous_post_changes_nothing()
    {
        var admin = await app.CreateBrowserAsync();
        await admin.CreateServerAsync(ServerForms.Basic("Guarded"));
        var id = await admin.FindIdAsync("Guarded");

        using var response = await NoRedirects().PostAsync(
            new Uri($"/MailServers/Delete/{id}", UriKind.Relative), new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/Login", response.Headers.Location!.AbsolutePath);
        Assert.True(await app.WithDbAsync(db => db.MailServers.AnyAsync(s => s.Id == id)));
    }

    [Fact]
    public async Task Signing_in_returns_to_the_page_asked_for_and_signing_out_ends_the_session()
    {
        var client = app.CreateAnonymousBrowser();
        await app.EnsureAdministratorAsync(AppFactory.AdminEmail, AppFactory.AdminPassword);

        var login = await client.GetPageAsync("/Audit");
        Assert.Equal("/Account/Login", login.Location.PathName);
        var audit = await client.SubmitAndReadAsync(login, new Dictionary<string, string?>
        {
            ["Input.Email"] = AppFactory.AdminEmail,
            ["Input.Password"] = AppFactory.AdminPassword,
        });
        Assert.Equal("/Audit", audit.Location.PathName);
        Assert.Equal(AppFactory.AdminEmail, audit.QuerySelector("[data-testid=signed-in-as]")!.TextContent.Trim());

        var signedOut = await client.SubmitAndReadAsync(audit, formSelector: "form[action='/Account/Logout']");
        Assert.Equal("/Account/Login", signedOut.Location.PathName);
        Assert.Contains("You are signed out.", signedOut.StatusMessage(), StringComparison.Ordinal);
        Assert.Equal("/Account/Login", (await client.GetPageAsync("/MailServers")).Location.PathName);
    }

    [Fact]
    public async Task A_return_url_to_another_site_is_ignored()
    {
        await app.EnsureAdministratorAsync(AppFactory.AdminEmail, AppFactory.AdminPassword);
        var client = app.CreateAnonymousBrowser();
        var login = await client.GetPageAsync("/Account/Login?ReturnUrl=https%3A%2F%2Fevil.example.net%2F");

        var landed = await client.SubmitAndReadAsync(login, new Dictionary<string, string?>
        {
            ["Input.Email"] = AppFactory.AdminEmail,
            ["Input.Password"] = AppFactory.AdminPassword,
        });

        Assert.Equal("localhost", landed.Location.HostName);
        Assert.Equal("/MailServers", landed.Location.PathName);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_without_saying_which_part_was_wrong()
    {
        await app.EnsureAdministratorAsync(AppFactory.AdminEmail, AppFactory.AdminPassword);
        var client = app.CreateAnonymousBrowser();
        var login = await client.GetPageAsync("/Account/Login");

        var refused = await client.SubmitAndReadAsync(login, new Dictionary<string, string?>
        {
            ["Input.Email"] = "nobody@example.com",
            ["Input.Password"] = "whatever-it-is",
        });

        Assert.Equal("Wrong e-mail or password, or the account is locked for a while after too many failed sign-ins.", refused.ValidationSummary());
        Assert.Equal("nobody@example.com", refused.ValueOf("Input.Email"));
    }

    private HttpClient NoRedirects() => app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions
    {
        AllowAutoRedirect = false,
        BaseAddress = new Uri("https://localhost"),
    });
}
