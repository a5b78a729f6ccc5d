using AngleSharp.Html.Dom;
using MailServerAdmin.MailServers;
using MailServerAdmin.Sending;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Tests.Infrastructure.Delivery;
using MailServerAdmin.Tests.Infrastructure.OAuth;
using MailServerAdmin.Tests.Infrastructure.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace MailServerAdmin.Tests.Pages.MailServers;

/// <summary>
/// App-only servers end to end: Microsoft 365 with an application permission (client credentials with a secret or a
/// certificate's signed assertion) and Google Workspace with a service account (JWT bearer grant), each against the
/// test provider that verifies what it receives, and the real SMTP peer that checks the XOAUTH2 login.
/// </summary>
public sealed class AppOnlyTests(AppOnlyFixture fixture) : IClassFixture<AppOnlyFixture>
{
    private const string PfxPassword = "pfx-Pa55word";

    private static readonly string[] RenewedServers = ["Certificate", "Service account"];

    private AppFactory App => fixture.App;

    private TestOAuthProvider Provider => fixture.Provider;

    private SmtpTestPeer Peer => fixture.Peer;

    [SmtpPeerFact]
    public async Task Microsoft_app_only_with_a_client_secret_gets_a_client_credentials_token_sends_as_the_mailbox_and_saves_it()
    {
        var client = await App.CreateBrowserAsync();
        var name = $"M365 secret {Guid.NewGuid():N}";
        var values = fixture.MicrosoftAppOnly(name).With("Input.ClientSecret", Provider.Options.ClientSecret);

        var signedIn = await AppOnlyFixture.TestSignInAsync(client, "/MailServers/Create", values);

        var request = Provider.TokenRequests.Last(r => r.GrantType == "client_credentials");
        Assert.Equal("ok", request.Outcome);
        Assert.Equal($"/{fixture.Tenant}/oauth2/v2.0/token", request.Path);
        Assert.Equal("https://outlook.office365.com/.default", request["scope"]);
        Assert.Equal(Provider.Options.ClientSecret, request["client_secret"]);
        Assert.Null(request.IssuedRefreshToken);
        Assert.Equal("/MailServers/Create", signedIn.Location.PathName);
        Assert.Contains($"Signed in as the app: a token was obtained for {AppOnlyFixture.Mailbox}", signedIn.StatusMessage(), StringComparison.Ordinal);
        Assert.Equal(name, signedIn.ValueOf("Input.Name"));
        Assert.Equal("MicrosoftAppOnly", signedIn.ValueOf("Input.Provider"));
        Assert.Contains("Not saved yet", signedIn.QuerySelector("[data-testid=token-status]")!.TextContent, StringComparison.Ordinal);

        // A test message with the unsaved form: XOAUTH2 as the mailbox, with the token just obtained.
        var recipient = $"{Guid.NewGuid():N}@example.net";
        var sent = await client.SubmitMultipartAndReadAsync(signedIn, new Dictionary<string, string?> { ["TestRecipient"] = recipient }, button: "[data-testid=send-test]");
        Assert.Equal("true", sent.QuerySelector("[data-testid=smtp-result]")!.GetAttribute("data-succeeded"));
        var login = Peer.AuthAttempts.Last(a => a.Mechanism == "XOAUTH2" && a.Secret == request.IssuedAccessToken);
        Assert.True(login.Success);
        Assert.Equal(AppOnlyFixture.Mailbox, login.User);
        Assert.Contains(Peer.Messages, m => m.RcptTos.Contains(recipient));

        var saved = await client.SubmitMultipartAndReadAsync(sent);

        Assert.Contains($"Mail server '{name}' created.", saved.StatusMessage(), StringComparison.Ordinal);
        var stored = await StoredAsync(App, name);
        Assert.Equal(request.IssuedAccessToken, App.Secret(stored, SecretField.AccessToken));
        Assert.Equal(Provider.Options.ClientSecret, App.Secret(stored, SecretField.ClientSecret));
        Assert.Null(stored.ProtectedRefreshToken);
        Assert.Equal("Valid", Row(saved, name).QuerySelector("[data-testid=token-health]")!.GetAttribute("data-state"));
        Assert.Contains("OAuth · Microsoft 365 (app-only)", Row(saved, name).TextContent, StringComparison.Ordinal);
    }

    [SmtpPeerFact]
    public async Task Microsoft_app_only_with_a_certificate_signs_a_client_assertion_that_the_provider_verifies_with_its_public_key()
    {
        var client = await App.CreateBrowserAsync();
        var name = $"M365 certificate {Guid.NewGuid():N}";
        var pages = new List<IHtmlDocument>();

        pages.Add(await AppOnlyFixture.TestSignInAsync(
            client, "/MailServers/Create", fixture.MicrosoftAppOnly(name).With("Input.CertificatePassword", PfxPassword), fixture.CertificateFile(PfxPassword)));

        var request = Provider.TokenRequests.Last(r => r.GrantType == "client_credentials");
        Assert.Equal("ok", request.Outcome);
        Assert.Equal(TestOAuthProvider.ClientAssertionType, request["client_assertion_type"]);
        Assert.Null(request["client_secret"]);
        var assertion = request.VerifiedAssertion!;
        Assert.Equal(Provider.Options.ClientId, assertion["iss"]);
        Assert.Equal(Provider.Options.ClientId, assertion["sub"]);
        Assert.Equal($"https://login.microsoftonline.com/{fixture.Tenant}/oauth2/v2.0/token", assertion["aud"]);
        Assert.False(string.IsNullOrEmpty(assertion["jti"]));
        var shown = pages[0].QuerySelector("[data-testid=certificate-shown]")!.TextContent;
        Assert.Contains("CN=Invoicing app, O=Example", shown, StringComparison.Ordinal);
        Assert.Contains(fixture.Certificate.Thumbprint, shown, StringComparison.Ordinal);
        Assert.Contains(fixture.Certificate.NotAfter.ToUniversalTime().ToString("M/d/yyyy", System.Globalization.CultureInfo.InvariantCulture), shown, StringComparison.Ordinal);

        var recipient = $"{Guid.NewGuid():N}@example.net";
        pages.Add(await client.SubmitMultipartAndReadAsync(pages[0], new Dictionary<string, string?> { ["TestRecipient"] = recipient }, button: "[data-testid=send-test]"));
        Assert.Equal("true", pages[1].QuerySelector("[data-testid=smtp-result]")!.GetAttribute("data-succeeded"));
        Assert.Contains(Peer.AuthAttempts, a => a.Success && a.User == AppOnlyFixture.Mailbox && a.Secret == request.IssuedAccessToken);
        pages.Add(await client.SubmitMultipartAndReadAsync(pages[1]));
        Assert.Contains($"Mail server '{name}' created.", pages[2].StatusMessage(), StringComparison.Ordinal);

        var stored = await StoredAsync(App, name);
        Assert.Contains("-----BEGIN CERTIFICATE-----", App.Secret(stored, SecretField.Certificate), StringComparison.Ordinal);
        Assert.Equal(fixture.Certificate.Thumbprint, stored.CertificateThumbprint);
        Assert.Equal(fixture.Certificate.NotAfter.ToUniversalTime(), stored.CertificateExpiresUtc!.Value, TimeSpan.FromSeconds(1));
        Assert.Null(stored.ProtectedClientSecret);
        Assert.Null(stored.ProtectedRefreshToken);
        await App.CheckpointAsync();
        Assert.DoesNotContain("PRIVATE KEY", await App.ReadRawAsync($"SELECT Certificate FROM MailServers WHERE Id = {stored.Id}"), StringComparison.Ordinal);

        // Edit: the stored certificate is shown, and Test sign-in signs with it without a new upload.
        pages.Add(await client.GetPageAsync($"/MailServers/Edit/{stored.Id}"));
        Assert.Contains("Stored.", pages[3].QuerySelector("#certificate-help")!.TextContent, StringComparison.Ordinal);
        pages.Add(await client.SubmitMultipartAndReadAsync(pages[3], button: "[data-testid=test-sign-in]"));
        Assert.Contains("Signed in as the app", pages[4].StatusMessage(), StringComparison.Ordinal);
        Assert.Equal("ok", Provider.TokenRequests.Last(r => r.GrantType == "client_credentials").Outcome);

        // The key, the file's password and the tokens are in no page and no log line.
        pages.Add(await client.GetPageAsync($"/MailServers/Status/{stored.Id}"));
        var everything = string.Join('\n', pages.Select(p => p.DocumentElement.OuterHtml)) + App.Logs.All;
        Assert.DoesNotContain(TestCredentials.PrivateKeyBody(fixture.Certificate), everything, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", everything, StringComparison.Ordinal);
        Assert.DoesNotContain(PfxPassword, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(request.IssuedAccessToken!, everything, StringComparison.Ordinal);
    }

    [SmtpPeerFact]
    public async Task A_certificate_the_app_registration_does_not_know_is_refused_with_where_to_upload_it_and_the_upload_is_kept()
    {
        var client = await App.CreateBrowserAsync();
        using var unknown = TestCredentials.Certificate("CN=Not registered");

        var page = await AppOnlyFixture.TestSignInAsync(client, "/MailServers/Create", fixture.MicrosoftAppOnly($"Unknown {Guid.NewGuid():N}"),
            new Dictionary<string, (string, byte[])> { ["Input.CertificateFile"] = ("unknown.pem", System.Text.Encoding.UTF8.GetBytes(TestCredentials.Pem(unknown))) });

        Assert.Equal("invalid_client", Provider.TokenRequests.Last(r => r.GrantType == "client_credentials").Outcome);
        var error = page.QuerySelector("[data-testid=error-message]")!.TextContent;
        Assert.Contains("AADSTS700027", error, StringComparison.Ordinal);
        Assert.Contains("Certificates & secrets → Certificates → Upload certificate", error, StringComparison.Ordinal);
        Assert.Contains(unknown.Thumbprint, error, StringComparison.Ordinal);
        Assert.Contains("Uploaded, not saved yet.", page.QuerySelector("#certificate-help")!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain(TestCredentials.PrivateKeyBody(unknown), page.DocumentElement.OuterHtml, StringComparison.Ordinal);
    }

    [SmtpPeerFact]
    public async Task Google_service_account_redeems_a_signed_assertion_for_the_mailbox_sends_as_it_and_saves_the_key_encrypted()
    {
        var client = await App.CreateBrowserAsync();
        var name = $"Workspace {Guid.NewGuid():N}";
        var key = fixture.ServiceAccount;

        var signedIn = await AppOnlyFixture.TestSignInAsync(client, "/MailServers/Create", fixture.GoogleServiceAccount(name), fixture.ServiceAccountFile());

        var request = Provider.TokenRequests.Last(r => r.GrantType == TestOAuthProvider.JwtBearerGrantType);
        Assert.Equal("ok", request.Outcome);
        var assertion = request.VerifiedAssertion!;
        Assert.Equal("RS256", assertion["alg"]);
        Assert.Equal(key.KeyId, assertion["kid"]);
        Assert.Equal(key.ClientEmail, assertion["iss"]);
        Assert.Equal(AppOnlyFixture.Mailbox, assertion["sub"]);
        Assert.Equal("https://mail.google.com/", assertion["scope"]);
        Assert.Equal("https://oauth2.googleapis.com/token", assertion["aud"]);
        Assert.Equal("oauth2.googleapis.com", Provider.Requests.Last(r => r.Path == "/token").ForwardedHost);
        Assert.Null(request.IssuedRefreshToken);
        Assert.Contains($"Service account {key.ClientEmail}, key ID {key.KeyId}, client ID {key.ClientId}.",
            signedIn.QuerySelector("[data-testid=service-account-key-shown]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(key.ClientId, signedIn.QuerySelector<IHtmlInputElement>("[data-testid=delegation-client-id]")!.Value);
        Assert.Equal("https://mail.google.com/", signedIn.QuerySelector<IHtmlInputElement>("[data-testid=delegation-scopes]")!.Value);

        var recipient = $"{Guid.NewGuid():N}@example.net";
        var sent = await client.SubmitMultipartAndReadAsync(signedIn, new Dictionary<string, string?> { ["TestRecipient"] = recipient }, button: "[data-testid=send-test]");
        Assert.Equal("true", sent.QuerySelector("[data-testid=smtp-result]")!.GetAttribute("data-succeeded"));
        Assert.Contains(Peer.AuthAttempts, a => a.Success && a.User == AppOnlyFixture.Mailbox && a.Secret == request.IssuedAccessToken);
        var saved = await client.SubmitMultipartAndReadAsync(sent);

        Assert.Contains($"Mail server '{name}' created.", saved.StatusMessage(), StringComparison.Ordinal);
        var stored = await StoredAsync(App, name);
        Assert.Equal(key.Json, App.Secret(stored, SecretField.ServiceAccountKey));
        Assert.Equal(key.ClientId, stored.ClientId);
        Assert.Equal(key.ClientEmail, stored.ServiceAccountEmail);
        Assert.Equal(key.KeyId, stored.ServiceAccountKeyId);
        Assert.Null(stored.ProtectedClientSecret);
        Assert.Null(stored.ProtectedRefreshToken);
        Assert.Equal(request.IssuedAccessToken, App.Secret(stored, SecretField.AccessToken));
        var edit = await client.GetPageAsync($"/MailServers/Edit/{stored.Id}");
        var everything = string.Join('\n', new[] { signedIn, sent, saved, edit }.Select(p => p.DocumentElement.OuterHtml)) + App.Logs.All;
        Assert.DoesNotContain(key.PrivateKeyBody, everything, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", everything, StringComparison.Ordinal);
        Assert.DoesNotContain(request.IssuedAccessToken!, everything, StringComparison.Ordinal);
    }

    [SmtpPeerFact]
    public async Task A_service_account_without_domain_wide_delegation_is_refused_with_the_client_id_and_scope_to_authorize()
    {
        var client = await App.CreateBrowserAsync();
        Provider.DomainWideDelegation = false;
        IHtmlDocument page;
        try
        {
            page = await AppOnlyFixture.TestSignInAsync(client, "/MailServers/Create", fixture.GoogleServiceAccount($"No delegation {Guid.NewGuid():N}"), fixture.ServiceAccountFile());
        }
        finally
        {
            Provider.DomainWideDelegation = true;
        }

        Assert.Equal("unauthorized_client", Provider.TokenRequests.Last(r => r.GrantType == TestOAuthProvider.JwtBearerGrantType).Outcome);
        var error = page.QuerySelector("[data-testid=error-message]")!.TextContent;
        Assert.Contains("Manage Domain Wide Delegation", error, StringComparison.Ordinal);
        Assert.Contains($"client ID {fixture.ServiceAccount.ClientId} and the OAuth scopes https://mail.google.com/", error, StringComparison.Ordinal);
    }

    [SmtpPeerFact]
    public async Task An_app_only_server_is_saved_only_with_a_token_obtained_with_the_credential_it_is_saved_with()
    {
        var client = await App.CreateBrowserAsync();
        var name = $"Rule {Guid.NewGuid():N}";
        var values = fixture.MicrosoftAppOnly(name).With("Input.ClientSecret", Provider.Options.ClientSecret);

        // Every credential field filled, but no token obtained.
        var refused = await client.SubmitMultipartAndReadAsync(await client.GetPageAsync("/MailServers/Create"), values);
        Assert.Contains("Missing: a token from Test sign-in.", refused.ValidationSummary(), StringComparison.Ordinal);
        Assert.Equal("There is no token obtained with this credential yet: click Test sign-in.", refused.ErrorFor("Input.AccessToken"));
        Assert.Equal(name, refused.ValueOf("Input.Name"));

        // A token obtained with one secret does not prove another one typed afterwards.
        var signedIn = await AppOnlyFixture.TestSignInAsync(client, "/MailServers/Create", values);
        var retyped = await client.SubmitMultipartAndReadAsync(signedIn, new Dictionary<string, string?> { ["Input.ClientSecret"] = "another-secret" });
        Assert.Equal("There is no token obtained with this credential yet: click Test sign-in.", retyped.ErrorFor("Input.AccessToken"));

        // No credential at all, and two at once, stop Test sign-in before anything is sent to the provider.
        var requests = Provider.TokenRequestCount;
        var none = await AppOnlyFixture.TestSignInAsync(client, "/MailServers/Create", fixture.MicrosoftAppOnly(name));
        Assert.Equal("Type the client secret, or upload the certificate, registered for the app in Microsoft Entra.", none.ErrorFor("Input.ClientSecret"));
        var both = await AppOnlyFixture.TestSignInAsync(client, "/MailServers/Create", values.With("Input.CertificatePassword", PfxPassword), fixture.CertificateFile(PfxPassword));
        Assert.Equal("Give either a client secret or a certificate, not both.", both.ErrorFor("Input.CertificateFile"));
        var common = await AppOnlyFixture.TestSignInAsync(client, "/MailServers/Create", fixture.MicrosoftAppOnly(name).With("Input.Tenant", "common"));
        Assert.Contains("An application permission belongs to one organisation", common.ErrorFor("Input.Tenant"), StringComparison.Ordinal);
        Assert.Equal(requests, Provider.TokenRequestCount);
        Assert.False(await App.WithDbAsync(db => db.MailServers.AnyAsync(s => s.Name == name)));
    }

    [SmtpPeerFact]
    public async Task App_only_tokens_are_renewed_with_the_stored_credential_across_a_restart_without_any_refresh_token()
    {
        using var app = fixture.NewApp();
        var client = await app.CreateBrowserAsync();
        await SaveAsync(client, fixture.MicrosoftAppOnly("Certificate").With("Input.CertificatePassword", PfxPassword), fixture.CertificateFile(PfxPassword));
        await SaveAsync(client, fixture.GoogleServiceAccount("Service account"), fixture.ServiceAccountFile());

        using var restarted = app.Restart();
        var before = await Task.WhenAll(RenewedServers.Select(n => StoredAsync(restarted, n)));
        // As if an hour had passed: the tokens, obtained an hour ago, expire within a minute (refreshed ahead of that).
        await restarted.WithDbAsync(db => db.MailServers.ExecuteUpdateAsync(u => u
            .SetProperty(s => s.AccessTokenExpiresUtc, DateTime.UtcNow.AddMinutes(1))
            .SetProperty(s => s.TokensObtainedUtc, DateTime.UtcNow.AddHours(-1))
            .SetProperty(s => s.TokensRefreshedUtc, (DateTime?)null)));
        var requestsBefore = Provider.TokenRequests.Count;

        foreach (var name in RenewedServers)
        {
            await using var scope = restarted.Services.CreateAsyncScope();
            var result = await scope.ServiceProvider.GetRequiredService<MailDelivery>().SendAsync(
                new MimeMessage { To = { MailboxAddress.Parse("customer@example.net") }, Subject = $"Invoice from {name}", Body = new TextPart("plain") { Text = "x" } }, name);
            Assert.True(result.Succeeded, result.Failure?.Message);
        }

        var renewals = Provider.TokenRequests.Skip(requestsBefore).ToList();
        Assert.Equal(["client_credentials", TestOAuthProvider.JwtBearerGrantType], renewals.Select(r => r.GrantType));
        Assert.All(renewals, r => Assert.Equal("ok", r.Outcome));
        Assert.Equal(TestOAuthProvider.ClientAssertionType, renewals[0]["client_assertion_type"]);
        Assert.Equal(AppOnlyFixture.Mailbox, renewals[1].VerifiedAssertion!["sub"]);
        var after = await Task.WhenAll(RenewedServers.Select(n => StoredAsync(restarted, n)));
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(renewals[i].IssuedAccessToken, restarted.Secret(after[i], SecretField.AccessToken));
            Assert.NotEqual(restarted.Secret(before[i], SecretField.AccessToken), restarted.Secret(after[i], SecretField.AccessToken));
            Assert.Null(after[i].ProtectedRefreshToken);
            Assert.True(after[i].AccessTokenExpiresUtc > DateTime.UtcNow.AddMinutes(50));
            Assert.Contains(Peer.AuthAttempts, a => a.Success && a.User == AppOnlyFixture.Mailbox && a.Secret == renewals[i].IssuedAccessToken);
        }
    }

    [SmtpPeerFact]
    public async Task Certificates_and_client_secrets_expiring_within_30_days_are_warned_about_on_the_list_the_check_page_and_every_page()
    {
        using var app = fixture.NewApp();
        var client = await app.CreateBrowserAsync();
        using var expiring = TestCredentials.Certificate("CN=Expiring app", days: 20);
        Provider.AddClientCertificate(expiring);
        await SaveAsync(client, fixture.MicrosoftAppOnly("Expiring certificate"), new Dictionary<string, (string, byte[])>
        {
            ["Input.CertificateFile"] = ("expiring.pem", System.Text.Encoding.UTF8.GetBytes(TestCredentials.Pem(expiring))),
        });
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await SaveAsync(client, fixture.MicrosoftAppOnly("Expiring secret").With("Input.ClientSecret", Provider.Options.ClientSecret)
            .With("Input.ClientSecretExpiresOn", today.AddDays(10).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
        await SaveAsync(client, fixture.MicrosoftAppOnly("Lasting secret").With("Input.ClientSecret", Provider.Options.ClientSecret)
            .With("Input.ClientSecretExpiresOn", today.AddDays(60).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));

        var list = await client.GetPageAsync("/MailServers");
        Assert.StartsWith("Certificate expires", Row(list, "Expiring certificate").QuerySelector("[data-testid=credential-expiry]")!.TextContent.Trim(), StringComparison.Ordinal);
        Assert.StartsWith("Client secret expires", Row(list, "Expiring secret").QuerySelector("[data-testid=credential-expiry]")!.TextContent.Trim(), StringComparison.Ordinal);
        Assert.Null(Row(list, "Lasting secret").QuerySelector("[data-testid=credential-expiry]"));

        var audit = await client.GetPageAsync("/Audit");
        var banner = audit.QuerySelector("[data-testid=credential-expiry-banner]")!.TextContent;
        Assert.Contains("The certificate of 'Expiring certificate' expires on", banner, StringComparison.Ordinal);
        Assert.Contains("(in 20 days)", banner, StringComparison.Ordinal);
        Assert.Contains("The client secret of 'Expiring secret' expires on", banner, StringComparison.Ordinal);
        Assert.Contains("(in 10 days)", banner, StringComparison.Ordinal);
        Assert.DoesNotContain("Lasting secret", banner, StringComparison.Ordinal);

        var id = await client.FindIdAsync("Expiring certificate");
        var check = await client.GetPageAsync($"/MailServers/Status/{id}");
        Assert.Contains("The certificate of 'Expiring certificate' expires on", check.QuerySelector("main [data-testid=credential-expiry]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains(expiring.Thumbprint, check.QuerySelector("[data-testid=app-credential]")!.TextContent, StringComparison.Ordinal);
        var edit = await client.GetPageAsync($"/MailServers/Edit/{id}");
        Assert.NotNull(edit.QuerySelector("[data-testid=certificate-expiry]"));
    }

    private static async Task SaveAsync(
        HttpClient client, Dictionary<string, string?> values, IReadOnlyDictionary<string, (string FileName, byte[] Bytes)>? files = null)
    {
        var signedIn = await AppOnlyFixture.TestSignInAsync(client, "/MailServers/Create", values, files);
        Assert.Contains("Signed in as the app", signedIn.StatusMessage(), StringComparison.Ordinal);
        var saved = await client.SubmitMultipartAndReadAsync(signedIn);
        Assert.Contains("created", saved.StatusMessage(), StringComparison.Ordinal);
    }

    private static IElement Row(IHtmlDocument list, string name) =>
        list.QuerySelectorAll("tbody tr").Single(r => r.QuerySelector("td a")!.TextContent.Trim() == name);

    private static Task<MailServer> StoredAsync(AppFactory app, string name) =>
        app.WithDbAsync(db => db.MailServers.AsNoTracking().SingleAsync(s => s.Name == name));
}
