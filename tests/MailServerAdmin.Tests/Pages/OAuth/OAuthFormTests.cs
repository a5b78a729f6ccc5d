using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Tests.Infrastructure.OAuth;
using MailServerAdmin.MailServers;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Pages.OAuth;

/// <summary>The OAuth part of the form: the complete-token rule, pasted tokens, URLs and secrets.</summary>
public sealed class OAuthFormTests(OAuthFixture oauth) : IClassFixture<OAuthFixture>
{
    private const string PastedAccess = "pasted-access-token-0123456789";
    private const string PastedRefresh = "pasted-refresh-token-9876543210";

    private AppFactory App => oauth.App;

    [Fact]
    public async Task Manual_configuration_with_pasted_tokens_saves_and_never_shows_them_again()
    {
        var client = await App.CreateBrowserAsync();
        var name = $"Pasted {Guid.NewGuid():N}";
        var form = await client.GetPageAsync("/MailServers/Create");

        // Without an authorization URL: pasted tokens do not need one.
        var list = await client.SubmitAndReadAsync(form, Pasted(name)
            .With("Input.AccessTokenExpiresUtc", "2030-01-02T03:04")
            .With("Input.AuthorizationUrl", ""));

        Assert.Contains($"Mail server '{name}' created.", list.StatusMessage(), StringComparison.Ordinal);
        var stored = await App.WithDbAsync(db => db.MailServers.SingleAsync(s => s.Name == name));
        Assert.Equal(PastedAccess, App.Secret(stored, SecretField.AccessToken));
        Assert.Equal(PastedRefresh, App.Secret(stored, SecretField.RefreshToken));
        Assert.Equal(new DateTime(2030, 1, 2, 3, 4, 0, DateTimeKind.Utc), stored.AccessTokenExpiresUtc);
        var edit = await client.GetPageAsync($"/MailServers/Edit/{stored.Id}");
        Assert.DoesNotContain(PastedAccess, edit.Source.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(PastedRefresh, edit.Source.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(PastedAccess, list.Source.Text, StringComparison.Ordinal);

        // Pasting only a new access token keeps the stored refresh token.
        await client.SubmitAndReadAsync(edit, new Dictionary<string, string?> { ["Input.AccessToken"] = "second-access-token" });
        var after = await App.WithDbAsync(db => db.MailServers.SingleAsync(s => s.Name == name));
        Assert.Equal("second-access-token", App.Secret(after, SecretField.AccessToken));
        Assert.Equal(PastedRefresh, App.Secret(after, SecretField.RefreshToken));
    }

    public static TheoryData<string, string, string> MissingTokens => new()
    {
        { "Input.AccessToken", "Paste the access token, or click Get Token.", "access token" },
        { "Input.RefreshToken", "Paste the refresh token, or click Get Token.", "refresh token" },
        { "Input.ClientId", "Enter the client ID from the provider's console.", "client ID" },
        { "Input.TokenUrl", "Enter the token URL.", "token URL" },
    };

    [Theory]
    [MemberData(nameof(MissingTokens))]
    public async Task Saving_an_incomplete_oauth_server_is_refused_naming_what_is_missing_and_keeping_the_input(
        string field, string message, string missing)
    {
        var client = await App.CreateBrowserAsync();
        var name = $"Incomplete {Guid.NewGuid():N}";
        var form = await client.GetPageAsync("/MailServers/Create");

        using var response = await client.SubmitAsync(form, Pasted(name).With(field, ""));
        var page = await response.ReadPageAsync();

        Assert.Equal("/MailServers/Create", page.Location.PathName);
        Assert.Contains(message, page.ErrorFor(field), StringComparison.Ordinal);
        Assert.Contains("This OAuth server cannot be saved until every field is filled. Missing: " + missing, page.ValidationSummary(), StringComparison.Ordinal);
        Assert.Equal(name, page.ValueOf("Input.Name"));
        Assert.Equal("Manual", page.ValueOf("Input.Provider"));
        Assert.Equal("OAuth", page.QuerySelector("input[name='Input.AuthenticationType']:checked")!.GetAttribute("value"));
        Assert.NotNull(page.QuerySelector("[data-testid=retype-tokens]"));
        Assert.DoesNotContain(PastedAccess, page.Source.Text, StringComparison.Ordinal);
        Assert.False(await App.WithDbAsync(db => db.MailServers.AnyAsync(s => s.Name == name)));
    }

    [Theory]
    [InlineData("Microsoft")]
    [InlineData("Google")]
    public async Task Microsoft_and_google_need_get_token_and_every_field_before_saving(string provider)
    {
        var client = await App.CreateBrowserAsync();
        var name = $"No tokens {Guid.NewGuid():N}";
        var form = await client.GetPageAsync("/MailServers/Create");
        var values = (provider == "Microsoft" ? oauth.Microsoft(name, "contoso.onmicrosoft.com") : oauth.Google(name))
            .With("Input.ClientSecret", "")
            .With("Input.ClientId", "");

        var page = await client.SubmitAndReadAsync(form, values);

        Assert.Equal("There is no access token yet: click Get Token.", page.ErrorFor("Input.AccessToken"));
        Assert.Equal("There is no refresh token yet: click Get Token.", page.ErrorFor("Input.RefreshToken"));
        Assert.Equal("Enter the client secret from the provider's console.", page.ErrorFor("Input.ClientSecret"));
        Assert.Equal("Enter the client ID from the provider's console.", page.ErrorFor("Input.ClientId"));
        Assert.Contains("Missing: client ID, client secret, access token, refresh token.", page.ValidationSummary(), StringComparison.Ordinal);
        Assert.False(await App.WithDbAsync(db => db.MailServers.AnyAsync(s => s.Name == name)));
    }

    [Fact]
    public async Task Without_script_the_providers_defaults_are_filled_in_by_the_server()
    {
        var client = await App.CreateBrowserAsync();
        var form = await client.GetPageAsync("/MailServers/Create");
        var values = oauth.Google($"Defaults {Guid.NewGuid():N}")
            .With("Input.AuthorizationUrl", "")
            .With("Input.TokenUrl", "")
            .With("Input.RevocationUrl", "")
            .With("Input.Scopes", "");

        var page = await client.SubmitAndReadAsync(form, values);

        Assert.Equal("https://accounts.google.com/o/oauth2/v2/auth", page.ValueOf("Input.AuthorizationUrl"));
        Assert.Equal("https://oauth2.googleapis.com/token", page.ValueOf("Input.TokenUrl"));
        Assert.Equal("https://oauth2.googleapis.com/revoke", page.ValueOf("Input.RevocationUrl"));
        Assert.Equal("https://mail.google.com/", page.ValueOf("Input.Scopes"));
    }

    [Theory]
    [InlineData("http://auth.example.com/token", false)]
    [InlineData("ftp://auth.example.com/token", false)]
    [InlineData("https://user:pw@auth.example.com/token", false)]
    [InlineData("not a url", false)]
    [InlineData("https://auth.example.com/token", true)]
    [InlineData("http://127.0.0.1:8080/token", true)]
    [InlineData("http://localhost:8080/token", true)]
    [InlineData("http://[::1]:8080/token", true)]
    public async Task Endpoints_must_be_https_except_on_this_machine(string url, bool accepted)
    {
        var client = await App.CreateBrowserAsync();
        var name = $"Url {Guid.NewGuid():N}";
        var form = await client.GetPageAsync("/MailServers/Create");

        var page = await client.SubmitAndReadAsync(form, Pasted(name).With("Input.TokenUrl", url));

        Assert.Equal(accepted, await App.WithDbAsync(db => db.MailServers.AnyAsync(s => s.Name == name)));
        if (!accepted)
        {
            Assert.StartsWith("Enter an https:// URL", page.ErrorFor("Input.TokenUrl"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Changing_an_endpoint_of_a_server_with_a_stored_client_secret_requires_typing_it_again()
    {
        var client = await App.CreateBrowserAsync();
        var name = $"Secret {Guid.NewGuid():N}";
        await client.SubmitAndReadAsync(await client.GetPageAsync("/MailServers/Create"), Pasted(name));
        var id = await App.WithDbAsync(db => db.MailServers.Where(s => s.Name == name).Select(s => s.Id).SingleAsync());
        var edit = await client.GetPageAsync($"/MailServers/Edit/{id}");

        var refused = await client.SubmitAndReadAsync(edit, new Dictionary<string, string?> { ["Input.AuthorizationUrl"] = "https://attacker.example.net/authorize" });

        Assert.Equal("You changed the authorization or token URL: type the client secret again to confirm it may be sent there.", refused.ErrorFor("Input.ClientSecret"));
        var stored = await App.WithDbAsync(db => db.MailServers.SingleAsync(s => s.Id == id));
        Assert.Equal(oauth.Provider.AuthorizationEndpoint.ToString(), stored.AuthorizationUrl);

        // Get Token with the changed URL is refused the same way: the stored secret never leaves for the new endpoint.
        using var getToken = await client.SubmitAsync(edit, new Dictionary<string, string?> { ["Input.AuthorizationUrl"] = "https://attacker.example.net/authorize" }, button: "[data-testid=get-token]");
        Assert.Equal(System.Net.HttpStatusCode.OK, getToken.StatusCode);
        Assert.Equal("You changed the authorization or token URL: type the client secret again to confirm it may be sent there.", (await getToken.ReadPageAsync()).ErrorFor("Input.ClientSecret"));
    }

    [Fact]
    public async Task Changing_the_client_drops_the_stored_tokens_until_get_token()
    {
        var client = await App.CreateBrowserAsync();
        var name = $"Client {Guid.NewGuid():N}";
        await client.SubmitAndReadAsync(await client.GetPageAsync("/MailServers/Create"), Pasted(name));
        var id = await App.WithDbAsync(db => db.MailServers.Where(s => s.Name == name).Select(s => s.Id).SingleAsync());
        var edit = await client.GetPageAsync($"/MailServers/Edit/{id}");

        var refused = await client.SubmitAndReadAsync(edit, new Dictionary<string, string?> { ["Input.ClientId"] = "another-client" });

        // The stored client secret belongs to the old client too: it must be typed again.
        Assert.Contains("Missing: client secret, access token, refresh token.", refused.ValidationSummary(), StringComparison.Ordinal);
        Assert.Equal("You changed the provider, client ID, tenant or token URL: type the client secret again to confirm it may be sent there.", refused.ErrorFor("Input.ClientSecret"));
        Assert.NotNull(refused.QuerySelector("[data-testid=tokens-dropped]"));
        Assert.Equal(PastedAccess, App.Secret((await App.WithDbAsync(db => db.MailServers.SingleAsync(s => s.Id == id))), SecretField.AccessToken));
    }

    [Theory]
    [InlineData("Input.Host", "elsewhere.example.net")]
    [InlineData("Input.Port", "2525")]
    [InlineData("Input.Security", "None")]
    public async Task Pointing_an_oauth_server_elsewhere_drops_the_stored_tokens_until_get_token(string field, string value)
    {
        var client = await App.CreateBrowserAsync();
        var name = $"Moved {Guid.NewGuid():N}";
        await client.SubmitAndReadAsync(await client.GetPageAsync("/MailServers/Create"), Pasted(name));
        var id = await App.WithDbAsync(db => db.MailServers.Where(s => s.Name == name).Select(s => s.Id).SingleAsync());
        var edit = await client.GetPageAsync($"/MailServers/Edit/{id}");

        var refused = await client.SubmitAndReadAsync(edit, new Dictionary<string, string?> { [field] = value });

        Assert.Contains("Missing: access token, refresh token.", refused.ValidationSummary(), StringComparison.Ordinal);
        Assert.Contains("the stored tokens are only sent to the server they were saved for", refused.QuerySelector("[data-testid=tokens-dropped]")!.TextContent, StringComparison.Ordinal);
        var stored = await App.WithDbAsync(db => db.MailServers.SingleAsync(s => s.Id == id));
        Assert.Equal((PastedAccess, "smtp.example.com"), (App.Secret(stored, SecretField.AccessToken), stored.Host));

        // New tokens for the new destination are accepted.
        var saved = await client.SubmitAndReadAsync(refused, new Dictionary<string, string?>
        {
            [field] = value,
            ["Input.AccessToken"] = "access-for-the-new-server",
            ["Input.RefreshToken"] = "refresh-for-the-new-server",
        });
        Assert.Equal("/MailServers", saved.Location.PathName);
        Assert.Equal("refresh-for-the-new-server", App.Secret((await App.WithDbAsync(db => db.MailServers.SingleAsync(s => s.Id == id))), SecretField.RefreshToken));
    }

    [Fact]
    public async Task Switching_an_oauth_server_to_basic_removes_its_oauth_secrets()
    {
        var client = await App.CreateBrowserAsync();
        var name = $"Switch {Guid.NewGuid():N}";
        await client.SubmitAndReadAsync(await client.GetPageAsync("/MailServers/Create"), Pasted(name));
        var id = await App.WithDbAsync(db => db.MailServers.Where(s => s.Name == name).Select(s => s.Id).SingleAsync());
        var edit = await client.GetPageAsync($"/MailServers/Edit/{id}");

        await client.SubmitAndReadAsync(edit, new Dictionary<string, string?>
        {
            ["Input.AuthenticationType"] = "Basic",
            ["Input.Password"] = "basic-password",
        });

        var stored = await App.WithDbAsync(db => db.MailServers.SingleAsync(s => s.Id == id));
        Assert.Equal(AuthenticationType.Basic, stored.AuthenticationType);
        Assert.Equal("basic-password", App.Secret(stored, SecretField.Password));
        Assert.Null(App.Secret(stored, SecretField.AccessToken));
        Assert.Null(App.Secret(stored, SecretField.RefreshToken));
        Assert.Null(App.Secret(stored, SecretField.ClientSecret));
        Assert.Null(stored.OAuthProvider);
    }

    [Fact]
    public async Task The_form_shows_the_redirect_uri_to_register()
    {
        var client = await App.CreateBrowserAsync();
        var form = await client.GetPageAsync("/MailServers/Create");

        Assert.Equal("https://localhost/oauth/callback", form.QuerySelector("[data-testid=redirect-uri]")!.GetAttribute("value"));
        Assert.Contains("you do not need to revoke the app's access", form.Source.Text, StringComparison.Ordinal);
    }

    private Dictionary<string, string?> Pasted(string name) => oauth.Manual(name)
        .With("Input.AccessToken", PastedAccess)
        .With("Input.RefreshToken", PastedRefresh);
}
