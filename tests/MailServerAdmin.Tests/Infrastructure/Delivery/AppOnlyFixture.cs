using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using AngleSharp.Html.Dom;
using MailServerAdmin.Sending;
using MailServerAdmin.Tests.Infrastructure.OAuth;
using MailServerAdmin.Tests.Infrastructure.Smtp;
using Microsoft.Extensions.DependencyInjection;

namespace MailServerAdmin.Tests.Infrastructure.Delivery;

/// <summary>
/// The app with the test OAuth provider and a real SMTP peer on 127.0.0.1, for app-only servers: the provider knows the
/// app's certificate and the service account's public key, and the peer accepts for XOAUTH2 every token the provider
/// issues to the app, for the mailbox it was issued for (a service account's <c>sub</c>) or, for an application
/// permission, for <see cref="Mailbox"/> (which Exchange would check against the app's mailbox permission).
/// </summary>
public sealed class AppOnlyFixture : IAsyncLifetime
{
    /// <summary>The mailbox the app-only servers send as.</summary>
    public const string Mailbox = "shared-mailbox@example.test";

    public TestOAuthProvider Provider { get; private set; } = null!;

    public SmtpTestPeer Peer { get; private set; } = null!;

    public AppFactory App { get; private set; } = null!;

    /// <summary>The tenant of the app registration.</summary>
    public string Tenant { get; } = Guid.NewGuid().ToString();

    /// <summary>A certificate registered for the app (its public part at the provider), with its private key.</summary>
    public X509Certificate2 Certificate { get; } = TestCredentials.Certificate("CN=Invoicing app, O=Example");

    /// <summary>A service account key registered at the provider.</summary>
    public ServiceAccountKeyFile ServiceAccount { get; } = TestCredentials.ServiceAccountKey();

    public async Task InitializeAsync()
    {
        Provider = await TestOAuthProvider.StartAsync();
        Provider.AddClientCertificate(Certificate);
        Provider.AddServiceAccount(ServiceAccount.ClientEmail, ServiceAccount.KeyId, ServiceAccount.Key);
        if (!SmtpTestPeer.IsAvailable)
        {
            return;
        }

        Peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { Tls = SmtpPeerTls.StartTls });
        App = NewApp();
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
        Certificate.Dispose();
    }

    /// <summary>Another installation of the app, on its own database, with the same provider and peer.</summary>
    public AppFactory NewApp() => new()
    {
        OAuthProviderUri = Provider.BaseUri,
        OAuthTimeoutSeconds = 5,
        Settings = new Dictionary<string, string?> { ["Smtp:TimeoutSeconds"] = "5" },
        ExtraServices = services =>
        {
            services.AddSingleton<ServerCertificateValidation>(Peer.ValidateServerCertificate);
            services.AddHttpClient(MailServerAdmin.OAuth.ManualOAuthClient.HttpClientName)
                .AddHttpMessageHandler(() => new ShareIssuedTokens(Peer, Provider));
        },
    };

    /// <summary>A Microsoft 365 (app-only) server on the peer, sending as <see cref="Mailbox"/>; the credential is added by the test.</summary>
    public Dictionary<string, string?> MicrosoftAppOnly(string name) => OnPeer(name)
        .With("Input.Provider", "MicrosoftAppOnly")
        .With("Input.Tenant", Tenant)
        .With("Input.ClientId", Provider.Options.ClientId);

    /// <summary>
    /// A Google Workspace (service account) server on the peer, with Google's token URL (pre-filled; the app's calls to it
    /// are routed to the test provider); the key is uploaded by the test.
    /// </summary>
    public Dictionary<string, string?> GoogleServiceAccount(string name) => OnPeer(name)
        .With("Input.Provider", "GoogleServiceAccount");

    /// <summary>The certificate as the PFX file an administrator uploads (with its password).</summary>
    public Dictionary<string, (string FileName, byte[] Bytes)> CertificateFile(string password) =>
        new() { ["Input.CertificateFile"] = ("invoicing-app.pfx", TestCredentials.Pfx(Certificate, password)) };

    public Dictionary<string, (string FileName, byte[] Bytes)> ServiceAccountFile() =>
        new() { ["Input.ServiceAccountKeyFile"] = ("example-project-1234abcd.json", ServiceAccount.Bytes) };

    /// <summary>Opens <paramref name="url"/>, fills it (and uploads), clicks Test sign-in and returns the form as it comes back.</summary>
    public static async Task<IHtmlDocument> TestSignInAsync(
        HttpClient client, string url, Dictionary<string, string?> values, IReadOnlyDictionary<string, (string FileName, byte[] Bytes)>? files = null)
    {
        var form = await client.GetPageAsync(url);
        return await client.SubmitMultipartAndReadAsync(form, values, files, button: "[data-testid=test-sign-in]");
    }

    private Dictionary<string, string?> OnPeer(string name) => ServerForms.Basic(name, password: null)
        .With("Input.Host", Peer.Host)
        .With("Input.Port", Peer.Port.ToString(CultureInfo.InvariantCulture))
        .With("Input.UserName", Mailbox)
        .With("Input.SenderEmail", Mailbox)
        .With("Input.AuthenticationType", "OAuth");

    /// <summary>Tells the SMTP peer about every access token the provider issues, as a real provider and mail server share trust.</summary>
    private sealed class ShareIssuedTokens(SmtpTestPeer peer, TestOAuthProvider provider) : DelegatingHandler
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
                    var issuedFor = provider.GetAccessTokenInfo(accessToken)?.Email;
                    peer.AcceptXOAuth2(string.IsNullOrEmpty(issuedFor) ? Mailbox : issuedFor, accessToken);
                }
            }

            response.Content = new StringContent(body, Encoding.UTF8, "application/json");
            return response;
        }
    }
}
