using System.Web;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Tests.Infrastructure.OAuth;
using MailServerAdmin.Audit;
using MailServerAdmin.MailServers;
using MailServerAdmin.OAuth;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Pages.OAuth;

/// <summary>Get Token end to end, for each provider, against a real OAuth 2.0 exchange on 127.0.0.1.</summary>
public sealed class GetTokenTests(OAuthFixture oauth) : IClassFixture<OAuthFixture>
{
    private TestOAuthProvider Provider => oauth.Provider;

    private AppFactory App => oauth.App;

    public static TheoryData<string> Providers => new() { "Microsoft", "Google", "Manual" };

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Get_token_round_trip_restores_the_unsaved_form_with_tokens_and_save_stores_them_encrypted(string provider)
    {
        var client = await oauth.BrowserAsync();
        var name = $"{provider} {Guid.NewGuid():N}";
        var tenant = Guid.NewGuid().ToString();
        var values = provider switch
        {
            "Microsoft" => oauth.Microsoft(name, tenant),
            "Google" => oauth.Google(name),
            _ => oauth.Manual(name),
        };
        values["Input.SenderName"] = "Kept across the round trip";

        var form = await client.GetPageAsync("/MailServers/Create");
        var authorizationUrl = await OAuthFixture.GetTokenAsync(client, form, values);

        // The authorization request: code flow, PKCE S256, a one-time state, the exact redirect URI.
        var query = HttpUtility.ParseQueryString(authorizationUrl.Query);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal(Provider.Options.ClientId, query["client_id"]);
        Assert.Equal("https://localhost/oauth/callback", query["redirect_uri"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Matches("^[A-Za-z0-9_-]{43,}$", query["code_challenge"]);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", query["state"]);
        var scopes = query["scope"]!.Split(' ');
        switch (provider)
        {
            case "Microsoft":
                Assert.Equal($"/{tenant}/oauth2/v2.0/authorize", authorizationUrl.AbsolutePath);
                Assert.Equal("login.microsoftonline.com", authorizationUrl.Host);
                Assert.Contains("https://outlook.office.com/SMTP.Send", scopes);
                Assert.Contains("offline_access", scopes);
                break;
            case "Google":
                Assert.Equal("/o/oauth2/v2/auth", authorizationUrl.AbsolutePath);
                Assert.Equal("offline", query["access_type"]);
                Assert.Equal("consent", query["prompt"]);
                Assert.Contains("https://mail.google.com/", scopes);
                break;
            default:
                Assert.Equal(["smtp.send", "offline_access"], scopes);
                break;
        }

        var (restored, _) = await oauth.ConsentAndReturnAsync(client, authorizationUrl);

        // PKCE: the verifier sent to the token endpoint matches the challenge sent to the authorization endpoint.
        var tokenRequest = Provider.TokenRequests.Last(r => r.GrantType == "authorization_code" && r["code"] is not null && r.Outcome == "ok" && Provider.IsValidAccessToken(r.IssuedAccessToken));
        Assert.Equal(query["code_challenge"], TestOAuthProvider.ComputeS256Challenge(tokenRequest["code_verifier"]!));
        var accessToken = tokenRequest.IssuedAccessToken!;
        var refreshToken = tokenRequest.IssuedRefreshToken!;

        Assert.Equal("/MailServers/Create", restored.Location.PathName);
        Assert.Contains("Tokens obtained for user@example.test", restored.StatusMessage(), StringComparison.Ordinal);
        Assert.Contains("Save to keep them", restored.StatusMessage(), StringComparison.Ordinal);
        Assert.Equal(name, restored.ValueOf("Input.Name"));
        Assert.Equal("Kept across the round trip", restored.ValueOf("Input.SenderName"));
        Assert.Equal(provider, restored.ValueOf("Input.Provider"));
        Assert.Contains("Not saved yet", restored.QuerySelector("[data-testid=token-status]")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(restored.QuerySelector("[data-testid=client-secret-drafted]"));
        AssertNoSecret(restored.Source.Text, accessToken, refreshToken);
        Assert.False(await App.WithDbAsync(db => db.MailServers.AnyAsync(s => s.Name == name)));

        var list = await client.SubmitAndReadAsync(restored);

        Assert.Contains($"Mail server '{name}' created.", list.StatusMessage(), StringComparison.Ordinal);
        AssertNoSecret(list.Source.Text, accessToken, refreshToken);
        var stored = await App.WithDbAsync(db => db.MailServers.SingleAsync(s => s.Name == name));
        Assert.Equal(AuthenticationType.OAuth, stored.AuthenticationType);
        Assert.Equal(accessToken, App.Secret(stored, SecretField.AccessToken));
        if (provider == "Microsoft")
        {
            // MSAL's own token cache is kept (it holds the refresh token); the app never reads the token out of it.
            Assert.True(MsalTokenCacheSecret.TryRead(App.Secret(stored, SecretField.RefreshToken), out var cache));
            Assert.NotEmpty(cache.Cache);
        }
        else
        {
            Assert.Equal(refreshToken, App.Secret(stored, SecretField.RefreshToken));
        }

        Assert.Equal(Provider.Options.ClientSecret, App.Secret(stored, SecretField.ClientSecret));
        Assert.Equal("user@example.test", stored.TokenAccount);
        Assert.True(stored.AccessTokenExpiresUtc > DateTime.UtcNow.AddMinutes(50));
        Assert.True(Provider.IsValidAccessToken(App.Secret(stored, SecretField.AccessToken), "user@example.test"));
        Assert.Equal("Kept across the round trip", stored.SenderName);

        var raw = await App.ReadRawAsync($"SELECT AccessToken || '|' || RefreshToken || '|' || ClientSecret FROM MailServers WHERE Id = {stored.Id}");
        AssertNoSecret(raw!, accessToken, refreshToken, Provider.Options.ClientSecret!);

        var edit = await client.GetPageAsync($"/MailServers/Edit/{stored.Id}");
        AssertNoSecret(edit.Source.Text, accessToken, refreshToken, Provider.Options.ClientSecret!);
        Assert.Contains("•••••• stored", edit.QuerySelector("[data-testid=token-status]")!.TextContent, StringComparison.Ordinal);

        var audit = await App.WithDbAsync(db => db.AuditEntries.Where(e => e.Action == AuditAction.TokensObtained && e.ServerName == name).ToListAsync());
        var entry = Assert.Single(audit);
        AssertNoSecret($"{entry.Fields}{entry.Detail}", accessToken, refreshToken);
        AssertNoSecret(App.Logs.All, accessToken, refreshToken, Provider.Options.ClientSecret!);
    }

    [Fact]
    public async Task Get_token_works_on_the_edit_form_and_keeps_the_stored_client_secret()
    {
        var client = await oauth.BrowserAsync();
        var name = $"Edit {Guid.NewGuid():N}";
        var form = await client.GetPageAsync("/MailServers/Create");
        var (restored, _) = await oauth.ConsentAndReturnAsync(client, await OAuthFixture.GetTokenAsync(client, form, oauth.Google(name)));
        await client.SubmitAndReadAsync(restored);
        var id = await App.WithDbAsync(db => db.MailServers.Where(s => s.Name == name).Select(s => s.Id).SingleAsync());
        var first = await App.WithDbAsync(db => db.MailServers.SingleAsync(s => s.Id == id));

        var edit = await client.GetPageAsync($"/MailServers/Edit/{id}");
        Assert.NotNull(edit.QuerySelector("[data-testid=client-secret-stored]"));
        var url = await OAuthFixture.GetTokenAsync(client, edit, new Dictionary<string, string?> { ["Input.SenderName"] = "Renewed" });
        var (again, _) = await oauth.ConsentAndReturnAsync(client, url);

        Assert.Equal($"/MailServers/Edit/{id}", again.Location.PathName);
        Assert.Equal("Renewed", again.ValueOf("Input.SenderName"));
        Assert.Equal(Provider.Options.ClientSecret, Provider.LastTokenRequest!["client_secret"]);
        await client.SubmitAndReadAsync(again);
        var second = await App.WithDbAsync(db => db.MailServers.SingleAsync(s => s.Id == id));
        Assert.NotEqual(App.Secret(first, SecretField.AccessToken), App.Secret(second, SecretField.AccessToken));
        Assert.Equal("Renewed", second.SenderName);
        Assert.Equal(Provider.Options.ClientSecret, App.Secret(second, SecretField.ClientSecret));
    }

    [Fact]
    public async Task Signing_in_with_another_mailbox_than_the_user_name_and_sender_is_pointed_out()
    {
        var client = await oauth.BrowserAsync();
        var form = await client.GetPageAsync("/MailServers/Create");
        var values = oauth.Google($"Mismatch {Guid.NewGuid():N}").With("Input.UserName", "mailbox@example.com").With("Input.SenderEmail", "sender@example.com");

        var (page, _) = await oauth.ConsentAndReturnAsync(client, await OAuthFixture.GetTokenAsync(client, form, values));

        var warning = page.QuerySelector("[data-testid=warning-message]")!.TextContent;
        Assert.Contains("You signed in as user@example.test, but the user name is mailbox@example.com and the sender is sender@example.com.", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signing_in_with_the_user_names_mailbox_gives_no_warning()
    {
        var client = await oauth.BrowserAsync();
        var form = await client.GetPageAsync("/MailServers/Create");

        var (page, _) = await oauth.ConsentAndReturnAsync(client, await OAuthFixture.GetTokenAsync(client, form, oauth.Google($"Match {Guid.NewGuid():N}")));

        Assert.Contains("Tokens obtained", page.StatusMessage(), StringComparison.Ordinal);
        Assert.Null(page.QuerySelector("[data-testid=warning-message]"));
    }

    [Fact]
    public async Task An_unknown_state_gets_an_error_page_and_changes_nothing()
    {
        var client = await oauth.BrowserAsync();
        var before = await App.WithDbAsync(db => db.OAuthFlows.CountAsync());

        using var response = await client.GetAsync(new Uri("/oauth/callback?state=not-a-state&code=abc", UriKind.Relative));
        var page = await response.ReadPageAsync();

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("does not belong to any Get Token", page.QuerySelector("[data-testid=callback-problem]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(before, await App.WithDbAsync(db => db.OAuthFlows.CountAsync()));
    }

    [Fact]
    public async Task A_replayed_callback_is_refused()
    {
        var client = await oauth.BrowserAsync();
        var form = await client.GetPageAsync("/MailServers/Create");
        var (_, callback) = await oauth.ConsentAndReturnAsync(client, await OAuthFixture.GetTokenAsync(client, form, oauth.Manual($"Replay {Guid.NewGuid():N}")));
        var exchanges = Provider.TokenRequestCount;

        using var replay = await client.GetAsync(callback);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Contains("already used", (await replay.ReadPageAsync()).QuerySelector("[data-testid=callback-problem]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(exchanges, Provider.TokenRequestCount);
    }

    [Fact]
    public async Task An_expired_state_is_refused()
    {
        var client = await oauth.BrowserAsync();
        var form = await client.GetPageAsync("/MailServers/Create");
        var url = await OAuthFixture.GetTokenAsync(client, form, oauth.Manual($"Late {Guid.NewGuid():N}"));
        var state = HttpUtility.ParseQueryString(url.Query)["state"]!;
        await App.WithDbAsync(db => db.OAuthFlows.Where(f => f.Id == state)
            .ExecuteUpdateAsync(u => u.SetProperty(f => f.ExpiresUtc, DateTime.UtcNow.AddSeconds(-1))));
        var exchanges = Provider.TokenRequestCount;

        var answer = await Provider.AuthorizeAsync(url);
        using var response = await client.GetAsync(new Uri(answer.RedirectUri!.PathAndQuery, UriKind.Relative));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("longer than 10 minutes", (await response.ReadPageAsync()).QuerySelector("[data-testid=callback-problem]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(exchanges, Provider.TokenRequestCount);
    }

    [Fact]
    public async Task A_state_from_another_session_is_refused_and_stays_usable_by_its_own_session()
    {
        var client = await oauth.BrowserAsync();
        var other = await oauth.BrowserAsync();
        var form = await client.GetPageAsync("/MailServers/Create");
        var url = await OAuthFixture.GetTokenAsync(client, form, oauth.Manual($"Session {Guid.NewGuid():N}"));
        var answer = await Provider.AuthorizeAsync(url);
        var callback = new Uri(answer.RedirectUri!.PathAndQuery, UriKind.Relative);

        using var stolen = await other.GetAsync(callback);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, stolen.StatusCode);
        Assert.Contains("another browser session", (await stolen.ReadPageAsync()).QuerySelector("[data-testid=callback-problem]")!.TextContent, StringComparison.Ordinal);

        using var own = await client.FollowAsync(await client.GetAsync(callback));
        Assert.Contains("Tokens obtained", (await own.ReadPageAsync()).StatusMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Access_denied_at_the_provider_returns_to_the_form_with_the_draft_and_the_reason()
    {
        var client = await oauth.BrowserAsync();
        var name = $"Denied {Guid.NewGuid():N}";
        var form = await client.GetPageAsync("/MailServers/Create");
        var url = await OAuthFixture.GetTokenAsync(client, form, oauth.Google(name).With("Input.SenderName", "Still here"));
        Provider.DenyNextAuthorization("access_denied", "The user declined.");

        var (page, _) = await oauth.ConsentAndReturnAsync(client, url);

        Assert.Equal("/MailServers/Create", page.Location.PathName);
        var error = page.QuerySelector("[data-testid=error-message]")!.TextContent;
        Assert.Contains("access_denied", error, StringComparison.Ordinal);
        Assert.Contains("The user declined.", error, StringComparison.Ordinal);
        Assert.Contains("accept the requested permissions", error, StringComparison.Ordinal);
        Assert.Equal(name, page.ValueOf("Input.Name"));
        Assert.Equal("Still here", page.ValueOf("Input.SenderName"));
        Assert.Equal("Google", page.ValueOf("Input.Provider"));
        Assert.NotNull(page.QuerySelector("[data-testid=client-secret-drafted]"));
    }

    public static TheoryData<string, string, string> TokenEndpointFailures => new()
    {
        { "Microsoft", "aadsts7000215", "The client secret is wrong or expired" },
        { "Manual", "invalid_grant", "Click Get Token again" },
        { "Google", "redirect_uri_mismatch", "Register exactly this redirect URI at the provider (scheme, host, port and path must match): https://localhost/oauth/callback" },
        { "Google", "timeout", "did not answer within 2 seconds" },
        { "Manual", "http500", "The token endpoint answered 500" },
    };

    [Theory]
    [MemberData(nameof(TokenEndpointFailures))]
    public async Task A_token_endpoint_failure_returns_to_the_form_with_the_draft_the_message_and_a_hint(string provider, string failure, string expected)
    {
        var client = await oauth.BrowserAsync();
        var name = $"{failure} {Guid.NewGuid():N}";
        var values = provider switch
        {
            "Microsoft" => oauth.Microsoft(name, Guid.NewGuid().ToString()),
            "Google" => oauth.Google(name),
            _ => oauth.Manual(name),
        };
        var form = await client.GetPageAsync("/MailServers/Create");
        var url = await OAuthFixture.GetTokenAsync(client, form, values.With("Input.SenderName", "Kept"));
        switch (failure)
        {
            case "aadsts7000215":
                Provider.EnqueueTokenFault(TestTokenFault.AadInvalidClientSecret());
                break;
            case "timeout":
                Provider.DelayNextTokenRequest(TimeSpan.FromSeconds(6));
                break;
            case "http500":
                Provider.FailNextTokenRequestWithStatus(500, "down");
                break;
            default:
                Provider.FailNextTokenRequest(failure, $"The provider says {failure}.");
                break;
        }

        var (page, _) = await oauth.ConsentAndReturnAsync(client, url);

        var error = page.QuerySelector("[data-testid=error-message]")?.TextContent ?? "";
        Assert.Contains("The token request failed", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        if (failure == "aadsts7000215")
        {
            Assert.Contains("AADSTS7000215", error, StringComparison.Ordinal);
        }

        Assert.Equal(name, page.ValueOf("Input.Name"));
        Assert.Equal("Kept", page.ValueOf("Input.SenderName"));
        Assert.False(await App.WithDbAsync(db => db.MailServers.AnyAsync(s => s.Name == name)));
        Provider.ClearTokenFaults();
    }

    private static void AssertNoSecret(string text, params string[] secrets)
    {
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }
}
