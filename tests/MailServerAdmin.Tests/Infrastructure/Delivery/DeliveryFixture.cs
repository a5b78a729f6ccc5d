using System.Text;
using System.Text.Json;
using MailServerAdmin.Tests.Infrastructure.OAuth;
using MailServerAdmin.Tests.Infrastructure.Smtp;
using MailServerAdmin.Sending;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MailServerAdmin.Tests.Infrastructure.Delivery;

/// <summary>
/// The app with a real SMTP peer (STARTTLS, its own test certificate trusted explicitly) and a test OAuth provider, both
/// on 127.0.0.1. Every access token the provider issues to the app is also accepted by the peer for XOAUTH2.
/// </summary>
public sealed class DeliveryFixture : IAsyncLifetime
{
    public const string BasicLogin = "relay@example.com";
    public const string BasicPassword = "Smtp-Pa55word!";

    public TestOAuthProvider Provider { get; private set; } = null!;

    public SmtpTestPeer Peer { get; private set; } = null!;

    public AppFactory App { get; private set; } = null!;

    public string OAuthUser => Provider.Options.DefaultUser.Email;

    public async Task InitializeAsync()
    {
        Provider = await TestOAuthProvider.StartAsync(o => o.AlwaysIssueIdToken = true);
        if (!SmtpTestPeer.IsAvailable)
        {
            return;
        }

        Peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { Tls = SmtpPeerTls.StartTls });
        Peer.AcceptBasic(BasicLogin, BasicPassword);
        App = new AppFactory
        {
            OAuthProviderUri = Provider.BaseUri,
            OAuthTimeoutSeconds = 2,
            Settings = new Dictionary<string, string?> { ["Smtp:TimeoutSeconds"] = "3" },
            ExtraServices = services =>
            {
                services.AddSingleton<ServerCertificateValidation>(Peer.ValidateServerCertificate);
                services.AddHttpClient(MailServerAdmin.OAuth.ManualOAuthClient.HttpClientName)
                    .AddHttpMessageHandler(() => new ShareIssuedTokens(Peer, OAuthUser));
            },
        };
        _ = App.Services;
    }

    public async Task DisposeAsync()
    {
        App?.Dispose();
        if (Peer is not null)
        {
            await Peer.DisposeAsync();
        }

        await Provider.DisposeAsync();
    }

    /// <summary>A Basic server on the peer, saved through the New form; returns its id.</summary>
    public async Task<int> CreateBasicServerAsync(HttpClient client, string name)
    {
        await client.CreateServerAsync(BasicValues(name));
        return await IdOfAsync(name);
    }

    public Dictionary<string, string?> BasicValues(string name) => ServerForms.Basic(name, BasicPassword)
        .With("Input.Host", Peer.Host)
        .With("Input.Port", Peer.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .With("Input.Login", BasicLogin);

    /// <summary>An OAuth server (Manual configuration) on the peer, with tokens from a real Get Token; returns its id.</summary>
    public async Task<int> CreateOAuthServerAsync(string name)
    {
        var client = await App.CreateBrowserAsync(followRedirects: false);
        var values = ServerForms.Basic(name, password: null)
            .With("Input.Host", Peer.Host)
            .With("Input.Port", Peer.Port.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .With("Input.UserName", OAuthUser)
            .With("Input.AuthenticationType", "OAuth")
            .With("Input.Provider", "Manual")
            .With("Input.ClientId", Provider.Options.ClientId)
            .With("Input.ClientSecret", Provider.Options.ClientSecret)
            .With("Input.AuthorizationUrl", Provider.AuthorizationEndpoint.ToString())
            .With("Input.TokenUrl", Provider.TokenEndpoint.ToString())
            .With("Input.RevocationUrl", Provider.RevocationEndpoint.ToString())
            .With("Input.Scopes", "smtp.send offline_access");
        var form = await client.GetPageAsync("/MailServers/Create");
        var url = await OAuthFixture.GetTokenAsync(client, form, values);
        var answer = await Provider.AuthorizeAsync(url);
        using var back = await client.FollowAsync(await client.GetAsync(new Uri(answer.RedirectUri!.PathAndQuery, UriKind.Relative)));
        var restored = await back.ReadPageAsync();
        Assert.Contains("Tokens obtained", restored.StatusMessage(), StringComparison.Ordinal);
        await client.SubmitAndReadAsync(restored);
        return await IdOfAsync(name);
    }

    /// <summary>
    /// Makes the stored access token of a server expire soon (or expired, for a negative time), as if time had passed:
    /// the times it was obtained and refreshed move back by as much, so its lifetime stays what the provider gave.
    /// </summary>
    public async Task ExpireSoonAsync(int id, TimeSpan within)
    {
        var row = await App.WithDbAsync(db => db.MailServers.AsNoTracking().SingleAsync(s => s.Id == id));
        var expires = DateTime.UtcNow + within;
        var passed = (row.AccessTokenExpiresUtc ?? expires) - expires;
        await App.WithDbAsync(db => db.MailServers.Where(s => s.Id == id).ExecuteUpdateAsync(u => u
            .SetProperty(s => s.AccessTokenExpiresUtc, expires)
            .SetProperty(s => s.TokensObtainedUtc, row.TokensObtainedUtc - passed)
            .SetProperty(s => s.TokensRefreshedUtc, row.TokensRefreshedUtc - passed)));
    }

    public Task<int> IdOfAsync(string name) =>
        App.WithDbAsync(db => db.MailServers.Where(s => s.Name == name).Select(s => s.Id).SingleAsync());

    /// <summary>Passes every access token the provider issues to the SMTP peer, as a real provider and server share trust.</summary>
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
