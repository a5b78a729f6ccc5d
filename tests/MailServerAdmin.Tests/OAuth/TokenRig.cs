using System.Globalization;
using System.Text;
using System.Text.Json;
using MailServerAdmin.MailServers;
using MailServerAdmin.OAuth;
using MailServerAdmin.Sending;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Tests.Infrastructure.OAuth;
using MailServerAdmin.Tests.Infrastructure.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace MailServerAdmin.Tests.OAuth;

/// <summary>
/// Everything a token test needs, all real and on 127.0.0.1: a test OAuth provider that rotates refresh tokens strictly
/// and revokes the whole family when a redeemed one comes back, an SMTP peer that accepts every access token the
/// provider hands to the app, the app on its own SQLite file (and more instances of it on the same file and key ring),
/// and one clock for the app and the provider that a test can move forward.
/// </summary>
public sealed class TokenRig : IAsyncDisposable
{
    private readonly List<AppFactory> _instances = [];

    private TokenRig(TestClock clock, TestOAuthProvider provider, SmtpTestPeer peer, AppFactory app)
    {
        Clock = clock;
        Provider = provider;
        Peer = peer;
        App = app;
        _instances.Add(app);
    }

    public TestClock Clock { get; }

    public TestOAuthProvider Provider { get; }

    public SmtpTestPeer Peer { get; }

    /// <summary>The first instance of the app (the admin app; background refresher off unless asked).</summary>
    public AppFactory App { get; }

    public string OAuthUser => Provider.Options.DefaultUser.Email;

    /// <param name="accessTokenLifetime">The provider's expires_in.</param>
    /// <param name="oauthTimeoutSeconds">The app's OAuth:TimeoutSeconds.</param>
    /// <param name="settings">More settings for every instance of the app.</param>
    public static async Task<TokenRig> StartAsync(
        TimeSpan accessTokenLifetime, int oauthTimeoutSeconds = 2, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var clock = new TestClock();
        var provider = await TestOAuthProvider.StartAsync(o =>
        {
            o.AlwaysIssueIdToken = true;
            o.StrictRotation = true;
            o.AccessTokenLifetime = accessTokenLifetime;
            o.TimeProvider = clock;
        });
        var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { Tls = SmtpPeerTls.StartTls });
        var user = provider.Options.DefaultUser.Email;
        var all = new Dictionary<string, string?> { ["Smtp:TimeoutSeconds"] = "10" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var app = new AppFactory
        {
            OAuthProviderUri = provider.BaseUri,
            OAuthTimeoutSeconds = oauthTimeoutSeconds,
            Settings = all,
            ExtraServices = services =>
            {
                services.AddSingleton<TimeProvider>(clock);
                services.AddSingleton<ServerCertificateValidation>(peer.ValidateServerCertificate);
                services.AddHttpClient(ManualOAuthClient.HttpClientName).AddHttpMessageHandler(() => new ShareIssuedTokens(peer, user));
            },
        };
        _ = app.Services;
        return new TokenRig(clock, provider, peer, app);
    }

    /// <summary>Another instance of the app on the same database and key ring, started now.</summary>
    public AppFactory StartInstance(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var instance = App.Sibling(settings);
        _ = instance.Services;
        lock (_instances)
        {
            _instances.Add(instance);
        }

        return instance;
    }

    /// <summary>
    /// An OAuth server (Manual configuration) on the SMTP peer, with tokens from a real Get Token through the New form;
    /// the first one created is the default. Returns its id.
    /// </summary>
    public async Task<int> CreateServerAsync(string name, Dictionary<string, string?>? values = null)
    {
        var client = await App.CreateBrowserAsync(followRedirects: false);
        var form = await client.GetPageAsync("/MailServers/Create");
        var url = await OAuthFixture.GetTokenAsync(client, form, values ?? ServerValues(name));
        await SaveAfterConsentAsync(client, url);
        return await App.WithDbAsync(db => db.MailServers.Where(s => s.Name == name).Select(s => s.Id).SingleAsync());
    }

    /// <summary>Clicks Get Token on the server's Edit form, consents at the provider and saves the new tokens.</summary>
    public async Task GetNewTokensAsync(int id)
    {
        var client = await App.CreateBrowserAsync(followRedirects: false);
        var edit = await client.GetPageAsync($"/MailServers/Edit/{id}");
        var url = await OAuthFixture.GetTokenAsync(client, edit, new Dictionary<string, string?>());
        await SaveAfterConsentAsync(client, url);
    }

    public Dictionary<string, string?> ServerValues(string name) => ServerForms.Basic(name, password: null)
        .With("Input.Host", Peer.Host)
        .With("Input.Port", Peer.Port.ToString(CultureInfo.InvariantCulture))
        .With("Input.UserName", OAuthUser)
        .With("Input.AuthenticationType", "OAuth")
        .With("Input.Provider", "Manual")
        .With("Input.ClientId", Provider.Options.ClientId)
        .With("Input.ClientSecret", Provider.Options.ClientSecret)
        .With("Input.AuthorizationUrl", Provider.AuthorizationEndpoint.ToString())
        .With("Input.TokenUrl", Provider.TokenEndpoint.ToString())
        .With("Input.Scopes", "smtp.send offline_access");

    /// <summary>A Microsoft server (MSAL, its https authority routed to the test provider) on the SMTP peer.</summary>
    public Dictionary<string, string?> MicrosoftServerValues(string name) => ServerForms.Basic(name, password: null)
        .With("Input.Host", Peer.Host)
        .With("Input.Port", Peer.Port.ToString(CultureInfo.InvariantCulture))
        .With("Input.UserName", OAuthUser)
        .With("Input.AuthenticationType", "OAuth")
        .With("Input.Provider", "Microsoft")
        .With("Input.Tenant", Guid.NewGuid().ToString())
        .With("Input.ClientId", Provider.Options.ClientId)
        .With("Input.ClientSecret", Provider.Options.ClientSecret);

    /// <summary>Sends a small message through the server with <paramref name="app"/>'s <see cref="MailDelivery"/>, as the business application does.</summary>
    public static async Task<SmtpSendResult> SendAsync(AppFactory app, string serverName, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        await using var scope = app.Services.CreateAsyncScope();
        var message = new MimeMessage
        {
            To = { MailboxAddress.Parse($"{Guid.NewGuid():N}@example.net") },
            Subject = "Token test",
            Body = new TextPart("plain") { Text = "x" },
        };
        return await scope.ServiceProvider.GetRequiredService<MailDelivery>().SendAsync(message, serverName, ct);
    }

    public Task<SmtpSendResult> SendAsync(string serverName, CancellationToken ct = default) => SendAsync(App, serverName, ct);

    public Task<MailServer> StoredAsync(int id) => App.WithDbAsync(db => db.MailServers.AsNoTracking().SingleAsync(s => s.Id == id));

    public TokenKeeper Keeper(AppFactory? app = null) => (app ?? App).Services.GetRequiredService<TokenKeeper>();

    public async ValueTask DisposeAsync()
    {
        AppFactory[] instances;
        lock (_instances)
        {
            instances = [.. _instances];
        }

        // The first instance owns the folder: it goes last.
        foreach (var instance in instances.Reverse())
        {
            instance.Dispose();
        }

        await Peer.DisposeAsync();
        await Provider.DisposeAsync();
    }

    private async Task SaveAfterConsentAsync(HttpClient client, Uri authorizationUrl)
    {
        var answer = await Provider.AuthorizeAsync(authorizationUrl);
        using var back = await client.FollowAsync(await client.GetAsync(new Uri(answer.RedirectUri!.PathAndQuery, UriKind.Relative)));
        var restored = await back.ReadPageAsync();
        Assert.Contains("Tokens obtained", restored.StatusMessage(), StringComparison.Ordinal);
        var saved = await client.SubmitAndReadAsync(restored);
        Assert.Equal("/MailServers", saved.Location.PathName);
    }

    /// <summary>Passes every access token the provider hands to the app to the SMTP peer, as a real provider and server share trust.</summary>
    private sealed class ShareIssuedTokens(SmtpTestPeer peer, string user) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode || response.Content.Headers.ContentType?.MediaType != "application/json")
            {
                return response;
            }

            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            using (var json = JsonDocument.Parse(body))
            {
                if (json.RootElement.TryGetProperty("access_token", out var token) && token.GetString() is { } accessToken)
                {
                    peer.AcceptXOAuth2(user, accessToken);
                }
            }

            response.Content = new StringContent(body, Encoding.UTF8, "application/json");
            return response;
        }
    }
}
