using MailServerAdmin.BrowserTests.Infrastructure;
using MailServerAdmin.MailServers;
using MailServerAdmin.Tests.Pages.MailServers;
using Microsoft.Playwright;

namespace MailServerAdmin.BrowserTests.Journeys;

/// <summary>Pinning the self-signed certificate of a relay the app does not trust, clicked in a real browser.</summary>
[Collection(LiveAppGroup.Name)]
public sealed class PinningJourneys(LiveApp live)
{
    [BrowserFact(NeedsSmtpPeer = true)]
    public async Task A_refused_self_signed_relay_is_trusted_from_the_test_result_saved_and_takes_a_test_message()
    {
        // A relay of its own: the app trusts only the shared peer's certificate, not this one.
        await using var relay = await PinningFixture.StartPeerAsync();
        var fingerprint = CertificateFingerprint.Of(relay.Certificate);
        var page = await live.SignedInPageAsync();
        var name = $"Pinned {Guid.NewGuid():N}"[..15];
        var recipient = $"{Guid.NewGuid():N}@example.net";

        await page.GotoAsync("/MailServers/Create");
        await Forms.FillBasicDataAsync(page, name, host: relay.Host, port: relay.Port);
        await page.GetByLabel("Login", new() { Exact = true }).FillAsync(PinningFixture.Login);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(PinningFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Test connection" }).ClickAsync();

        // Refused at TLS, with the certificate to check.
        await Assertions.Expect(page.GetByTestId("smtp-result")).ToHaveAttributeAsync("data-succeeded", "false");
        await Assertions.Expect(page.GetByTestId("smtp-summary")).ToContainTextAsync("self-signed");
        await Assertions.Expect(page.GetByTestId("certificate-fingerprint")).ToHaveTextAsync(fingerprint);
        await Assertions.Expect(page.GetByTestId("certificate-subject")).ToHaveTextAsync("CN=localhost");
        await LiveApp.ScreenshotAsync(page, "pin-offered");
        await LiveApp.AssertAccessibleAsync(page);
        Assert.Empty(relay.AuthAttempts);

        // Trust it: the pin is on the form, not saved yet.
        await page.GetByRole(AriaRole.Button, new() { Name = "Trust this certificate for this server" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Pinned certificate (SHA-256)")).ToHaveValueAsync(fingerprint);
        await Assertions.Expect(page.GetByTestId("pin-unsaved")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync(name);
        await LiveApp.ScreenshotAsync(page, "pin-filled");
        await LiveApp.AssertAccessibleAsync(page);

        // Test again with the password: the pinned certificate is accepted.
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(PinningFixture.Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Test connection" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("smtp-result")).ToHaveAttributeAsync("data-succeeded", "true");
        await Assertions.Expect(page.Locator("[data-step=Tls]")).ToContainTextAsync("it is the one pinned for this server");

        // Save, then the Check page: the pin is shown and a test message arrives.
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync(PinningFixture.Password);
        await Forms.SaveAsync(page);
        await Assertions.Expect(Forms.Status(page)).ToContainTextAsync($"Mail server '{name}' created.");
        await Forms.Row(page, name).GetByRole(AriaRole.Button, new() { Name = $"Test the connection of {name}" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("smtp-result")).ToHaveAttributeAsync("data-succeeded", "true");
        await Assertions.Expect(page.GetByTestId("certificate-pin")).ToHaveTextAsync(fingerprint);
        await page.GetByLabel("Send a test message to").FillAsync(recipient);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send test message" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("smtp-summary")).ToContainTextAsync($"The test message to {recipient} was accepted");
        await LiveApp.ScreenshotAsync(page, "pin-check");

        Assert.Single(relay.Messages, m => m.RcptTos.Contains(recipient));
    }
}
