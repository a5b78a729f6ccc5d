using AngleSharp.Html.Dom;

namespace MailServerAdmin.Tests.Infrastructure.OAuth;

/// <summary>The app with a test OAuth provider on 127.0.0.1 that every provider call (MSAL's included) reaches.</summary>
public sealed class OAuthFixture : IAsyncLifetime
{
    public TestOAuthProvider Provider { get; private set; } = null!;

    public AppFactory App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Provider = await TestOAuthProvider.StartAsync(o => o.AlwaysIssueIdToken = true);
        App = new AppFactory { OAuthProviderUri = Provider.BaseUri, OAuthTimeoutSeconds = 2 };
        _ = App.Services;
    }

    public async Task DisposeAsync()
    {
        App.Dispose();
        await Provider.DisposeAsync();
    }

    /// <summary>A signed-in browser that stops at redirects, to see where Get Token sends it.</summary>
    public Task<HttpClient> BrowserAsync() => App.CreateBrowserAsync(followRedirects: false);

    public Dictionary<string, string?> Microsoft(string name, string tenant) => Common(name, "Microsoft")
        .With("Input.Tenant", tenant)
        .With("Input.ClientSecret", Provider.Options.ClientSecret);

    public Dictionary<string, string?> Google(string name) => Common(name, "Google")
        .With("Input.ClientSecret", Provider.Options.ClientSecret)
        .With("Input.AuthorizationUrl", Provider.GoogleAuthorizationEndpoint.ToString())
        .With("Input.TokenUrl", Provider.GoogleTokenEndpoint.ToString())
        .With("Input.RevocationUrl", Provider.GoogleRevocationEndpoint.ToString());

    public Dictionary<string, string?> Manual(string name) => Common(name, "Manual")
        .With("Input.ClientSecret", Provider.Options.ClientSecret)
        .With("Input.AuthorizationUrl", Provider.AuthorizationEndpoint.ToString())
        .With("Input.TokenUrl", Provider.TokenEndpoint.ToString())
        .With("Input.Scopes", "smtp.send offline_access");

    /// <summary>Opens New (or Edit), fills it and clicks Get Token; returns the provider's authorization URL.</summary>
    public static async Task<Uri> GetTokenAsync(HttpClient client, IHtmlDocument form, Dictionary<string, string?> values)
    {
        using var response = await client.SubmitAsync(form, values, button: "[data-testid=get-token]");
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Redirect, $"Get Token answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response.Headers.Location!;
    }

    /// <summary>Consents at the provider and comes back to the app's callback; returns the page the app then shows.</summary>
    public async Task<(IHtmlDocument Page, Uri Callback)> ConsentAndReturnAsync(HttpClient client, Uri authorizationUrl)
    {
        var answer = await Provider.AuthorizeAsync(authorizationUrl);
        Assert.NotNull(answer.RedirectUri);
        var callback = new Uri(answer.RedirectUri!.PathAndQuery, UriKind.Relative);
        using var response = await client.FollowAsync(await client.GetAsync(callback));
        return (await response.ReadPageAsync(), callback);
    }

    private Dictionary<string, string?> Common(string name, string provider) => ServerForms.Basic(name, password: null)
        .With("Input.UserName", Provider.Options.DefaultUser.Email)
        .With("Input.AuthenticationType", "OAuth")
        .With("Input.Provider", provider)
        .With("Input.ClientId", Provider.Options.ClientId);
}
