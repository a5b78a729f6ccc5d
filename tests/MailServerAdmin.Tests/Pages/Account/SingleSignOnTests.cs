using System.Net;
using AngleSharp.Html.Dom;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Tests.Infrastructure.OAuth;
using MailServerAdmin.Audit;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MailServerAdmin.Tests.Pages.Account;

/// <summary>Single sign-on through the real OpenID Connect handler, against the test provider on 127.0.0.1.</summary>
public sealed class SingleSignOnTests(SingleSignOnTests.Site site) : IClassFixture<SingleSignOnTests.Site>
{
    public sealed class Site : IAsyncLifetime
    {
        public TestOAuthProvider Provider { get; private set; } = null!;

        public AppFactory App { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Provider = await TestOAuthProvider.StartAsync(o => o.SignIdTokensWithRsa = true);
            App = new AppFactory { Settings = Settings(Provider) };
            await App.EnsureAdministratorAsync(AppFactory.AdminEmail, AppFactory.AdminPassword);
        }

        public async Task DisposeAsync()
        {
            App.Dispose();
            await Provider.DisposeAsync();
        }

        public static Dictionary<string, string?> Settings(TestOAuthProvider provider) => new()
        {
            ["Authentication:Oidc:Authority"] = provider.BaseUri.ToString(),
            ["Authentication:Oidc:ClientId"] = provider.Options.ClientId,
            ["Authentication:Oidc:ClientSecret"] = provider.Options.ClientSecret,
            ["Authentication:Oidc:DisplayName"] = "Example IdP",
            ["Authentication:Oidc:AllowedEmails:0"] = "alice@partner.example",
            ["Authentication:Oidc:AllowedDomains:0"] = "corp.example",
        };
    }

    private TestOAuthProvider Provider => site.Provider;

    private AppFactory App => site.App;

    [Fact]
    public async Task A_listed_address_signs_in_through_the_provider_and_becomes_an_administrator()
    {
        var user = new TestOAuthUser("alice@partner.example", "Alice");
        var (client, response) = await SignInAsync(user, start: "/Audit");

        Assert.Equal("/Audit", response.RequestMessage!.RequestUri!.AbsolutePath);
        var page = await response.ReadPageAsync();
        Assert.Equal("alice@partner.example", page.QuerySelector("[data-testid=signed-in-as]")!.TextContent.Trim());
        Assert.Equal("/MailServers", (await client.GetPageAsync("/MailServers")).Location.PathName);

        var request = Provider.AuthorizationRequests[^1];
        Assert.Equal("code", request["response_type"]);
        Assert.Equal("S256", request["code_challenge_method"]);
        Assert.False(string.IsNullOrEmpty(request["nonce"]));
        Assert.False(string.IsNullOrEmpty(request["state"]));
        Assert.Contains("openid", request["scope"]!.Split(' '));
        Assert.False(string.IsNullOrEmpty(Provider.TokenRequests[^1]["code_verifier"]));

        await using var scope = App.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var admin = await users.FindByLoginAsync("oidc", user.Subject);
        Assert.Equal("alice@partner.example", admin?.Email);
        Assert.False(await users.HasPasswordAsync(admin!));
        var actions = await App.WithDbAsync(db => db.AuditEntries.Where(e => e.Detail == "alice@partner.example").Select(e => e.Action).ToListAsync());
        Assert.Equal([AuditAction.AdministratorAdded, AuditAction.SingleSignOn], actions);

        var idToken = Provider.IssuedIdTokens[^1];
        Assert.DoesNotContain(idToken, App.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(idToken.Split('.')[2], App.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(Provider.Options.ClientSecret!, App.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain(Provider.TokenRequests[^1].IssuedAccessToken!, App.Logs.All, StringComparison.Ordinal);

        // Signing in again uses the same administrator.
        await SignInAsync(user);
        Assert.Equal(1, await App.WithDbAsync(db => db.Users.CountAsync(u => u.Email == "alice@partner.example")));
    }

    [Fact]
    public async Task An_administrator_with_the_same_address_is_linked_and_keeps_the_password()
    {
        await App.EnsureAdministratorAsync("bob@corp.example", "bobs-own-password");
        var id = await App.WithDbAsync(db => db.Users.Where(u => u.Email == "bob@corp.example").Select(u => u.Id).SingleAsync());

        var (_, response) = await SignInAsync(new TestOAuthUser("BOB@corp.example", "Bob"));

        Assert.Equal("/MailServers", response.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal([id], await App.WithDbAsync(db => db.UserLogins.Where(l => l.LoginProvider == "oidc").Select(l => l.UserId).Where(u => u == id).ToListAsync()));
        Assert.Equal(1, await App.WithDbAsync(db => db.Users.CountAsync(u => u.NormalizedEmail == "BOB@CORP.EXAMPLE")));
        Assert.Contains(AuditAction.SingleSignOnLinked, await App.WithDbAsync(db => db.AuditEntries.Where(e => e.Administrator == "BOB@corp.example").Select(e => e.Action).ToListAsync()));
        Assert.Equal("/MailServers", (await TwoFactorSteps.PasswordStepAsync(App.CreateAnonymousBrowser(), "bob@corp.example", "bobs-own-password")).Location.PathName);
    }

    [Theory]
    [InlineData("eve@elsewhere.example", true, "eve@elsewhere.example may not sign in to MailServerAdmin.")]
    [InlineData("mallory@sub.corp.example", true, "mallory@sub.corp.example may not sign in to MailServerAdmin.")]
    [InlineData("carol@corp.example", false, "The provider has not verified the address carol@corp.example")]
    public async Task An_address_not_on_the_allow_list_or_not_verified_is_refused_with_a_clear_page(string email, bool verified, string message)
    {
        var normalized = email.ToUpperInvariant();
        var (client, response) = await SignInAsync(new TestOAuthUser(email) { EmailVerified = verified });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var page = await response.ReadPageAsync();
        Assert.StartsWith(message, page.QuerySelector("[data-testid=sso-refused]")!.TextContent.Trim(), StringComparison.Ordinal);
        Assert.Null(page.QuerySelector("[data-testid=signed-in-as]"));
        Assert.Equal("/Account/Login", (await client.GetPageAsync("/MailServers")).Location.PathName);
        Assert.False(await App.WithDbAsync(db => db.Users.AnyAsync(u => u.NormalizedEmail == normalized)));
        Assert.Contains(App.Logs.Lines, line => line.StartsWith("Warning ", StringComparison.Ordinal) && line.Contains(email, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(TestIdTokenTampering.WrongSignature)]
    [InlineData(TestIdTokenTampering.WrongNonce)]
    [InlineData(TestIdTokenTampering.WrongIssuer)]
    [InlineData(TestIdTokenTampering.WrongAudience)]
    [InlineData(TestIdTokenTampering.Expired)]
    public async Task A_spoiled_id_token_is_refused(TestIdTokenTampering tampering)
    {
        var email = $"dave-{tampering}@corp.example".ToLowerInvariant();
        var normalized = email.ToUpperInvariant();
        Provider.Options.IdTokenTampering = tampering;
        try
        {
            var (client, response) = await SignInAsync(new TestOAuthUser(email));

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("/Account/ExternalLogin", response.RequestMessage!.RequestUri!.AbsolutePath);
            var page = await response.ReadPageAsync();
            Assert.StartsWith("Single sign-on did not complete", page.QuerySelector("[data-testid=sso-refused]")!.TextContent.Trim(), StringComparison.Ordinal);
            Assert.Equal("/Account/Login", (await client.GetPageAsync("/MailServers")).Location.PathName);
            Assert.False(await App.WithDbAsync(db => db.Users.AnyAsync(u => u.NormalizedEmail == normalized)));
        }
        finally
        {
            Provider.Options.IdTokenTampering = TestIdTokenTampering.None;
        }
    }

    [Fact]
    public async Task A_forged_or_replayed_answer_at_the_callback_is_a_clear_page()
    {
        var client = App.CreateAnonymousBrowser(followRedirects: false);

        using var response = await client.FollowAsync(await client.GetAsync(new Uri("/signin-oidc?code=forged&state=forged", UriKind.Relative)));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("Single sign-on did not complete", (await response.ReadPageAsync()).QuerySelector("[data-testid=sso-refused]")!.TextContent.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_local_accounts_only_single_sign_on_signs_in_and_set_up_still_works()
    {
        var settings = Site.Settings(Provider);
        settings["Authentication:LocalAccounts"] = "false";
        settings["Admin:RequireTwoFactor"] = "true";
        using var app = new AppFactory { Settings = settings };
        var client = app.CreateAnonymousBrowser(followRedirects: false);

        var login = await client.GetPageAsync("/Account/Login");
        Assert.Null(login.QuerySelector("input[name='Input.Password']"));
        Assert.Equal("Sign in with Example IdP", login.QuerySelector("[data-testid=single-sign-on] button")!.TextContent.Trim());
        Assert.NotNull(login.QuerySelector("[data-testid=setup-pending]"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/setup", UriKind.Relative))).StatusCode);

        await app.EnsureAdministratorAsync("first@corp.example", "first-admin-password");
        using var token = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = login.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value,
            ["Input.Email"] = "first@corp.example",
            ["Input.Password"] = "first-admin-password",
        });
        using var posted = await client.PostAsync(new Uri("/Account/Login", UriKind.Relative), token);
        Assert.Equal(HttpStatusCode.NotFound, posted.StatusCode);

        // The provider checks its own second factor: required two-factor is not asked again after single sign-on.
        var (signedIn, response) = await SignInAsync(app, new TestOAuthUser("first@corp.example"));
        Assert.Equal("/MailServers", response.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal("/Administrators", (await signedIn.GetPageAsync("/Administrators")).Location.PathName);
    }

    [Fact]
    public void Turning_local_accounts_off_without_single_sign_on_stops_the_app_at_start()
    {
        using var app = new AppFactory { Settings = new Dictionary<string, string?> { ["Authentication:LocalAccounts"] = "false" } };

        var failure = Assert.ThrowsAny<Exception>(() => app.Services);

        Assert.Contains("Authentication:LocalAccounts", failure.ToString(), StringComparison.Ordinal);
    }

    private Task<(HttpClient Client, HttpResponseMessage Response)> SignInAsync(TestOAuthUser user, string start = "/Account/Login") =>
        SignInAsync(App, user, start);

    /// <summary>
    /// Clicks the single sign-on button, lets the provider consent as <paramref name="user"/>, and follows the handler's
    /// redirects back into the app; returns the browser and the last answer.
    /// </summary>
    private async Task<(HttpClient Client, HttpResponseMessage Response)> SignInAsync(AppFactory app, TestOAuthUser user, string start = "/Account/Login")
    {
        Provider.Options.DefaultUser = user;
        var client = app.CreateAnonymousBrowser(followRedirects: false);
        var login = await client.GetPageAsync(start);
        using var challenge = await client.SubmitAsync(login, formSelector: "form[data-testid=single-sign-on]");
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var authorize = challenge.Headers.Location!;
        Assert.Equal(Provider.BaseUri.Authority, authorize.Authority);

        var answer = await Provider.AuthorizeAsync(authorize);
        Assert.NotNull(answer.Code);
        var callback = new Uri(answer.RedirectUri!.PathAndQuery, UriKind.Relative);
        Assert.Equal("/signin-oidc", answer.RedirectUri.AbsolutePath);
        return (client, await client.FollowAsync(await client.GetAsync(callback)));
    }
}
