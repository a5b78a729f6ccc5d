using System.Globalization;
using System.Resources;
using MailServerAdmin.BrowserTests.Infrastructure;
using MailServerAdmin.MailServers;
using MailServerAdmin.Resources;
using MailServerAdmin.Tests.Infrastructure.OAuth;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace MailServerAdmin.BrowserTests.Journeys;

/// <summary>
/// The two app-only options in a real browser, each in English, Spanish and Portuguese (switched with the picker):
/// configure and Test sign-in in English; send a test message and save in Spanish; then edit, Test sign-in with the
/// stored credential, send and save in Portuguese.
/// </summary>
[Collection(LiveAppGroup.Name)]
public sealed class AppOnlyJourneys(LiveApp live)
{
    private static readonly ResourceManager Texts = new("MailServerAdmin.Resources.SharedResource", typeof(SharedResource).Assembly);

    [BrowserFact(NeedsSmtpPeer = true)]
    public async Task Microsoft_365_app_only_with_a_certificate_in_three_languages()
    {
        using var certificate = TestCredentials.Certificate("CN=Journey app");
        live.Provider.AddClientCertificate(certificate);
        const string password = "journey-Pa55";
        var mailbox = $"m365-{Guid.NewGuid():N}@example.test";
        var name = $"M365 app {Guid.NewGuid():N}"[..16];
        var page = await live.SignedInPageAsync("en-US");

        // English: configure, with the provider's defaults, and Test sign-in.
        await page.GotoAsync("/MailServers/Create");
        await FillBasicDataAsync(page, name, mailbox);
        await ChooseAsync(page, "MicrosoftAppOnly");
        await Assertions.Expect(page.Locator("#Input_TokenUrl")).ToHaveValueAsync("https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token");
        await Assertions.Expect(page.Locator("#Input_Scopes")).ToHaveValueAsync("https://outlook.office365.com/.default");
        await Assertions.Expect(page.Locator("#Input_AuthorizationUrl")).ToBeHiddenAsync();
        await Assertions.Expect(page.GetByTestId("redirect-uri")).ToBeHiddenAsync();
        await Assertions.Expect(page.GetByTestId("get-token")).ToBeHiddenAsync();
        await Assertions.Expect(page.GetByTestId("exchange-commands")).ToBeVisibleAsync();
        // The new fields leave the labels the other journeys find fields by unambiguous.
        await Assertions.Expect(page.GetByLabel("Client ID")).ToHaveCountAsync(1);
        await Assertions.Expect(page.GetByLabel("Client secret")).ToHaveCountAsync(1);
        await page.Locator("#Input_Tenant").FillAsync(Guid.NewGuid().ToString());
        await page.Locator("#Input_ClientId").FillAsync(live.Provider.Options.ClientId);
        await page.Locator("#Input_CertificateFile").SetInputFilesAsync(new FilePayload
        {
            Name = "journey-app.pfx", MimeType = "application/x-pkcs12", Buffer = TestCredentials.Pfx(certificate, password),
        });
        await page.Locator("#Input_CertificatePassword").FillAsync(password);
        await Assertions.Expect(page.GetByTestId("exchange-commands")).ToContainTextAsync("New-ServicePrincipal -AppId");
        await LiveApp.ScreenshotAsync(page, "form-app-only-microsoft");
        await LiveApp.AssertAccessibleAsync(page);

        await SignInAsync(page, "en", mailbox);
        await Assertions.Expect(page.GetByTestId("certificate-shown")).ToContainTextAsync(certificate.Thumbprint);
        await LiveApp.AssertAccessibleAsync(page);

        await SendAndSaveAsync(page, name, mailbox, "es", "Status_ServerCreated");
        await EditSignInSendAndSaveAsync(page, name, mailbox, "pt-BR");

        var stored = await live.App.WithDbAsync(db => db.MailServers.AsNoTracking().SingleAsync(s => s.Name == name));
        Assert.Equal(certificate.Thumbprint, stored.CertificateThumbprint);
        Assert.NotNull(live.App.Secret(stored, SecretField.Certificate));
        Assert.Null(stored.ProtectedRefreshToken);
        Assert.Equal(live.Provider.TokenRequests.Last(r => r.GrantType == "client_credentials").IssuedAccessToken, live.App.Secret(stored, SecretField.AccessToken));
    }

    [BrowserFact(NeedsSmtpPeer = true)]
    public async Task Google_Workspace_service_account_in_three_languages()
    {
        var key = TestCredentials.ServiceAccountKey($"journey-{Guid.NewGuid():N}"[..20] + "@example-project.iam.gserviceaccount.com");
        live.Provider.AddServiceAccount(key.ClientEmail, key.KeyId, key.Key);
        var mailbox = $"workspace-{Guid.NewGuid():N}@example.test";
        var name = $"Workspace {Guid.NewGuid():N}"[..18];
        var page = await live.SignedInPageAsync("en-US");

        await page.GotoAsync("/MailServers/Create");
        await FillBasicDataAsync(page, name, mailbox);
        await ChooseAsync(page, "GoogleServiceAccount");
        await Assertions.Expect(page.Locator("#Input_TokenUrl")).ToHaveValueAsync("https://oauth2.googleapis.com/token");
        await Assertions.Expect(page.Locator("#Input_Scopes")).ToHaveValueAsync("https://mail.google.com/");
        await Assertions.Expect(page.Locator("#Input_ClientId")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#Input_ClientSecret")).ToBeHiddenAsync();
        await page.Locator("#Input_ServiceAccountKeyFile").SetInputFilesAsync(new FilePayload
        {
            Name = "example-project.json", MimeType = "application/json", Buffer = key.Bytes,
        });
        await LiveApp.ScreenshotAsync(page, "form-app-only-google");

        await SignInAsync(page, "en", mailbox);
        Assert.Equal(mailbox, live.Provider.TokenRequests.Last(r => r.GrantType == TestOAuthProvider.JwtBearerGrantType).VerifiedAssertion!["sub"]);
        await Assertions.Expect(page.GetByTestId("service-account-key-shown")).ToContainTextAsync(key.ClientEmail);
        await Assertions.Expect(page.GetByTestId("delegation-client-id")).ToHaveValueAsync(key.ClientId);
        await LiveApp.AssertAccessibleAsync(page);

        await SendAndSaveAsync(page, name, mailbox, "es", "Status_ServerCreated");
        await EditSignInSendAndSaveAsync(page, name, mailbox, "pt-BR");

        var stored = await live.App.WithDbAsync(db => db.MailServers.AsNoTracking().SingleAsync(s => s.Name == name));
        Assert.Equal(key.ClientEmail, stored.ServiceAccountEmail);
        Assert.Equal(key.ClientId, stored.ClientId);
        Assert.Null(stored.ProtectedRefreshToken);
    }

    /// <summary>Clicks Test sign-in; the form comes back with the token, and the SMTP peer is told to accept it for the mailbox.</summary>
    private async Task SignInAsync(IPage page, string culture, string mailbox)
    {
        await page.GetByTestId("test-sign-in").ClickAsync();
        await page.WaitForURLAsync("**draft=*");
        await Assertions.Expect(Forms.Status(page)).ToContainTextAsync(Prefix("Form_TestSignInPassed_Expires", culture));
        await Assertions.Expect(Forms.Status(page)).ToContainTextAsync(mailbox);
        // Exchange or Gmail accepts the app's token for the mailbox once the app may send as it.
        var token = live.Provider.TokenRequests.Last(r => r.Outcome == "ok" && r.GrantType is "client_credentials" or TestOAuthProvider.JwtBearerGrantType);
        live.Peer!.AcceptXOAuth2(mailbox, token.IssuedAccessToken!);
    }

    /// <summary>Switches the language with the picker, sends a test message with the unsaved form, and saves it.</summary>
    private async Task SendAndSaveAsync(IPage page, string name, string mailbox, string culture, string savedKey)
    {
        await PickAsync(page, culture);
        await Assertions.Expect(page.Locator("#Input_Name")).ToHaveValueAsync(name);
        var recipient = $"{Guid.NewGuid():N}@example.net";
        await page.Locator("#TestRecipient").FillAsync(recipient);
        await page.GetByTestId("send-test").ClickAsync();
        await Assertions.Expect(page.GetByTestId("smtp-result")).ToHaveAttributeAsync("data-succeeded", "true");
        await Assertions.Expect(page.GetByTestId("smtp-summary")).ToContainTextAsync(string.Format(CultureInfo.InvariantCulture, Text("Check_TestMessage_Passed", culture), recipient));
        Assert.Contains(live.Peer!.AuthAttempts, a => a.Success && a.User == mailbox);
        Assert.Contains(live.Peer.Messages, m => m.RcptTos.Contains(recipient));
        await LiveApp.ScreenshotAsync(page, $"form-app-only-sent-{culture}");

        await page.GetByRole(AriaRole.Button, new() { Name = Text("Common_Save", culture), Exact = true }).ClickAsync();
        await Assertions.Expect(Forms.Status(page)).ToContainTextAsync(string.Format(CultureInfo.InvariantCulture, Text(savedKey, culture), name));
        await LiveApp.AssertAccessibleAsync(page);
    }

    /// <summary>In another language: opens the saved server, signs in with the stored credential, sends and saves.</summary>
    private async Task EditSignInSendAndSaveAsync(IPage page, string name, string mailbox, string culture)
    {
        await PickAsync(page, culture);
        await Forms.Row(page, name).GetByRole(AriaRole.Link, new() { Name = string.Format(CultureInfo.InvariantCulture, Text("Servers_Edit_Label", culture), name) }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("test-sign-in")).ToHaveTextAsync(Text("Fields_TestSignIn", culture));
        await SignInAsync(page, culture, mailbox);
        await LiveApp.ScreenshotAsync(page, $"form-app-only-edit-{culture}");
        await SendAndSaveAsync(page, name, mailbox, culture, "Status_ServerSaved");
        await Assertions.Expect(Forms.Row(page, name).GetByTestId("token-health")).ToHaveAttributeAsync("data-state", "Valid");
    }

    private async Task FillBasicDataAsync(IPage page, string name, string mailbox)
    {
        await page.Locator("#Input_Name").FillAsync(name);
        await page.Locator("#Input_Host").FillAsync(live.Peer!.Host);
        await page.Locator("#Input_Port").FillAsync(live.Peer.Port.ToString(CultureInfo.InvariantCulture));
        await page.Locator("#Input_UserName").FillAsync(mailbox);
        await page.Locator("#Input_SenderEmail").FillAsync(mailbox);
    }

    private static async Task ChooseAsync(IPage page, string provider)
    {
        await page.Locator("#auth-oauth").CheckAsync();
        await page.Locator("#Input_Provider").SelectOptionAsync(new SelectOptionValue { Value = provider });
        await Assertions.Expect(page.GetByTestId("test-sign-in")).ToBeVisibleAsync();
    }

    private static async Task PickAsync(IPage page, string culture)
    {
        await page.Locator("#culture-picker").SelectOptionAsync(culture);
        await page.GetByTestId("culture-submit").ClickAsync();
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", culture);
    }

    /// <summary>The start of a text (before its first placeholder), in a language.</summary>
    private static string Prefix(string key, string culture) => Text(key, culture).Split('{')[0].Trim();

    private static string Text(string key, string culture) =>
        Texts.GetString(key, CultureInfo.GetCultureInfo(culture)) ?? throw new InvalidOperationException($"No text {key}");
}
