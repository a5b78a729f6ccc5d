using System.Globalization;
using AngleSharp.Html.Dom;
using MailServerAdmin.MailServers;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Tests.Infrastructure.Smtp;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Pages.MailServers;

/// <summary>
/// The app as it runs outside tests (the system's certificate validation, no trust registered for the test peer)
/// and a relay with a self-signed certificate: refused until an administrator pins that certificate.
/// </summary>
public sealed class PinningFixture : IAsyncLifetime
{
    public const string Login = "relay@example.com";
    public const string Password = "Relay-Pa55word!";

    public SmtpTestPeer Peer { get; private set; } = null!;

    public AppFactory App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (!SmtpTestPeer.IsAvailable)
        {
            return;
        }

        Peer = await StartPeerAsync();
        App = new AppFactory { Settings = new Dictionary<string, string?> { ["Smtp:TimeoutSeconds"] = "5" } };
        _ = App.Services;
    }

    public async Task DisposeAsync()
    {
        App?.Dispose();
        if (Peer is not null)
        {
            await Peer.DisposeAsync();
        }
    }

    /// <summary>A STARTTLS relay with its own, new self-signed certificate that takes <see cref="Login"/>.</summary>
    public static async Task<SmtpTestPeer> StartPeerAsync(int port = 0)
    {
        var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { Tls = SmtpPeerTls.StartTls, Port = port });
        peer.AcceptBasic(Login, Password);
        return peer;
    }

    public static Dictionary<string, string?> Values(string name, SmtpTestPeer peer, string? password = Password) =>
        ServerForms.Basic(name, password)
            .With("Input.Host", peer.Host)
            .With("Input.Port", peer.Port.ToString(CultureInfo.InvariantCulture))
            .With("Input.Login", Login);
}

/// <summary>Pinning a relay's self-signed certificate: shown by a failed test, trusted on the form, kept to that one certificate.</summary>
public sealed class PinningTests(PinningFixture fixture) : IClassFixture<PinningFixture>
{
    private AppFactory App => fixture.App;

    private SmtpTestPeer Peer => fixture.Peer;

    [SmtpPeerFact]
    public async Task A_self_signed_relay_is_refused_with_its_fingerprint_and_once_trusted_on_the_form_takes_mail()
    {
        var client = await App.CreateBrowserAsync();
        var name = $"Relay {Guid.NewGuid():N}"[..14];
        var fingerprint = CertificateFingerprint.Of(Peer.Certificate);
        var authBefore = Peer.AuthAttempts.Count;

        // Test connection on the New form: refused at TLS, the certificate shown, nothing sent.
        var form = await client.GetPageAsync("/MailServers/Create");
        var refused = await client.SubmitAndReadAsync(form, PinningFixture.Values(name, Peer), button: "[data-testid=test-connection]");
        Assert.Equal("false", refused.QuerySelector("[data-testid=smtp-result]")!.GetAttribute("data-succeeded"));
        Assert.Equal("Failed", refused.QuerySelector("[data-step=Tls]")!.GetAttribute("data-outcome"));
        Assert.Contains("self-signed", refused.QuerySelector("[data-testid=smtp-summary]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(fingerprint, Text(refused, "certificate-fingerprint"));
        Assert.Equal("CN=localhost", Text(refused, "certificate-subject"));
        Assert.Equal("CN=localhost", Text(refused, "certificate-issuer"));
        Assert.Contains(Peer.Certificate.NotAfter.ToUniversalTime().ToString("d", CultureInfo.GetCultureInfo("en-US")), Text(refused, "certificate-validity"), StringComparison.Ordinal);
        Assert.Equal(authBefore, Peer.AuthAttempts.Count);
        Assert.Equal("", refused.ValueOf("Input.CertificatePin"));

        // Trust this certificate: the pin is filled in on the form, nothing is saved yet.
        var trusted = await ClickTrustAsync(client, refused);
        Assert.Equal(fingerprint, trusted.ValueOf("Input.CertificatePin"));
        Assert.Equal("Not saved yet: type the password again and save the server to trust this certificate.", Text(trusted, "pin-unsaved"));
        Assert.Equal(name, trusted.ValueOf("Input.Name"));
        Assert.False(await App.WithDbAsync(db => db.MailServers.AnyAsync(s => s.Name == name)));

        // Test connection with the pin: encrypted, logged in, the pinned certificate named.
        var tested = await client.SubmitAndReadAsync(trusted, new Dictionary<string, string?> { ["Input.Password"] = PinningFixture.Password }, button: "[data-testid=test-connection]");
        Assert.Equal("true", tested.QuerySelector("[data-testid=smtp-result]")!.GetAttribute("data-succeeded"));
        var tls = tested.QuerySelector("[data-step=Tls]")!;
        Assert.Equal("Passed", tls.GetAttribute("data-outcome"));
        Assert.Contains($"it is the one pinned for this server (SHA-256 {fingerprint})", tls.TextContent, StringComparison.Ordinal);
        Assert.True(Peer.AuthAttempts[^1].Success);

        // Saving is the confirmation.
        var list = await client.SubmitAndReadAsync(tested, new Dictionary<string, string?> { ["Input.Password"] = PinningFixture.Password });
        Assert.Equal("/MailServers", list.Location.PathName);
        var id = await client.FindIdAsync(name);
        Assert.Equal(fingerprint, await PinOfAsync(id));

        // The saved server, through the application's sending code: the pin is shown, the message arrives.
        var status = await client.GetPageAsync($"/MailServers/Status/{id}");
        Assert.Equal(fingerprint, Text(status, "certificate-pin"));
        var recipient = $"pinned-{Guid.NewGuid():N}@example.net";
        var sent = await client.SubmitAndReadAsync(status, new Dictionary<string, string?> { ["TestRecipient"] = recipient }, button: "[data-testid=send-test]");
        Assert.Equal("true", sent.QuerySelector("[data-testid=smtp-result]")!.GetAttribute("data-succeeded"));
        var arrived = Peer.Messages.Single(m => m.RcptTos.Contains(recipient));
        Assert.Equal("noreply@example.com", arrived.MailFrom);
    }

    [SmtpPeerFact]
    public async Task Trusting_from_the_check_page_opens_edit_with_the_pin_and_saving_it_needs_the_password_again()
    {
        var client = await App.CreateBrowserAsync();
        var name = $"Check {Guid.NewGuid():N}"[..14];
        await client.CreateServerAsync(PinningFixture.Values(name, Peer));
        var id = await client.FindIdAsync(name);
        var fingerprint = CertificateFingerprint.Of(Peer.Certificate);

        var status = await client.GetPageAsync($"/MailServers/Status/{id}");
        var refused = await client.SubmitAndReadAsync(status, button: "[data-testid=test-connection]");
        Assert.Equal("false", refused.QuerySelector("[data-testid=smtp-result]")!.GetAttribute("data-succeeded"));
        var link = refused.QuerySelector<IHtmlAnchorElement>("[data-testid=trust-certificate]")!;
        Assert.Equal($"/MailServers/Edit/{id}", link.PathName);

        // The link opens Edit with the pin filled in; nothing is saved by opening it.
        var edit = await client.GetPageAsync(link.Href);
        Assert.Equal(fingerprint, edit.ValueOf("Input.CertificatePin"));
        Assert.Equal("Not saved yet: type the password again and save the server to trust this certificate.", Text(edit, "pin-unsaved"));
        Assert.Null(await PinOfAsync(id));

        // The stored password was saved for the server without a pin: it must be typed again.
        var again = await client.SubmitAndReadAsync(edit);
        Assert.Equal("You changed the pinned certificate: type the password again to confirm it may be sent to the server with that certificate.", again.ErrorFor("Input.Password"));
        Assert.Null(await PinOfAsync(id));
        Assert.Equal(fingerprint, again.ValueOf("Input.CertificatePin"));

        // A test with the stored password is refused for the same reason, before anything is sent.
        var authBefore = Peer.AuthAttempts.Count;
        var test = await client.SubmitAndReadAsync(again, button: "[data-testid=test-connection]");
        Assert.Contains("type the password again", test.ErrorFor("Input.Password"), StringComparison.Ordinal);
        Assert.Equal(authBefore, Peer.AuthAttempts.Count);

        var saved = await client.SubmitAndReadAsync(test, new Dictionary<string, string?> { ["Input.Password"] = PinningFixture.Password });
        Assert.Equal("/MailServers", saved.Location.PathName);
        Assert.Equal(fingerprint, await PinOfAsync(id));

        var passed = await client.SubmitAndReadAsync(await client.GetPageAsync($"/MailServers/Status/{id}"), button: "[data-testid=test-connection]");
        Assert.Equal("true", passed.QuerySelector("[data-testid=smtp-result]")!.GetAttribute("data-succeeded"));
        Assert.True(Peer.AuthAttempts[^1].Success);

        // The pin is removed by emptying the field (the password again, as for any pin change): refused again.
        var unpin = await client.GetPageAsync($"/MailServers/Edit/{id}");
        Assert.Equal(fingerprint, unpin.ValueOf("Input.CertificatePin"));
        await client.SubmitAndReadAsync(unpin, new Dictionary<string, string?> { ["Input.CertificatePin"] = "", ["Input.Password"] = PinningFixture.Password });
        Assert.Null(await PinOfAsync(id));
        var unpinned = await client.SubmitAndReadAsync(await client.GetPageAsync($"/MailServers/Status/{id}"), button: "[data-testid=test-connection]");
        Assert.Equal("false", unpinned.QuerySelector("[data-testid=smtp-result]")!.GetAttribute("data-succeeded"));
        Assert.Null(unpinned.QuerySelector("[data-testid=certificate-pin]"));
    }

    [SmtpPeerFact]
    public async Task Another_certificate_on_the_pinned_server_is_refused_with_the_pin_message()
    {
        var client = await App.CreateBrowserAsync();
        var name = $"Renewed {Guid.NewGuid():N}"[..16];
        var peer = await PinningFixture.StartPeerAsync();
        try
        {
            // Pinned by typing the fingerprint as openssl prints it without colons, in lower case.
            var first = CertificateFingerprint.Of(peer.Certificate);
            await client.CreateServerAsync(PinningFixture.Values(name, peer).With("Input.CertificatePin", first.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant()));
            var id = await client.FindIdAsync(name);
            Assert.Equal(first, await PinOfAsync(id));
            var passed = await client.SubmitAndReadAsync(await client.GetPageAsync($"/MailServers/Status/{id}"), button: "[data-testid=test-connection]");
            Assert.Equal("true", passed.QuerySelector("[data-testid=smtp-result]")!.GetAttribute("data-succeeded"));

            // The relay starts again on the same port with a new certificate.
            var port = peer.Port;
            await peer.DisposeAsync();
            peer = await PinningFixture.StartPeerAsync(port);
            var second = CertificateFingerprint.Of(peer.Certificate);
            Assert.NotEqual(first, second);

            foreach (var button in new[] { "[data-testid=test-connection]", "[data-testid=send-test]" })
            {
                var status = await client.GetPageAsync($"/MailServers/Status/{id}");
                var refused = await client.SubmitAndReadAsync(status, new Dictionary<string, string?> { ["TestRecipient"] = "bob@example.net" }, button: button);
                Assert.Equal("false", refused.QuerySelector("[data-testid=smtp-result]")!.GetAttribute("data-succeeded"));
                Assert.Equal("Failed", refused.QuerySelector("[data-step=Tls]")!.GetAttribute("data-outcome"));
                var summary = refused.QuerySelector("[data-testid=smtp-summary]")!.TextContent;
                Assert.Contains("the server presented another certificate than the pinned one", summary, StringComparison.Ordinal);
                Assert.Contains("If the certificate was renewed, test and pin again", summary, StringComparison.Ordinal);
                Assert.Equal(second, Text(refused, "certificate-fingerprint"));
            }

            Assert.Empty(peer.AuthAttempts);
            Assert.Empty(peer.Messages);
        }
        finally
        {
            await peer.DisposeAsync();
        }
    }

    [SmtpPeerFact]
    public async Task A_pin_that_is_not_a_fingerprint_is_refused_beside_the_field_with_everything_kept()
    {
        var client = await App.CreateBrowserAsync();
        var name = $"Typo {Guid.NewGuid():N}"[..13];
        var form = await client.GetPageAsync("/MailServers/Create");
        var typo = "AB:CD:EF";

        foreach (var button in new string?[] { null, "[data-testid=test-connection]" })
        {
            var page = await client.SubmitAndReadAsync(form, PinningFixture.Values(name, Peer).With("Input.CertificatePin", typo), button: button);

            Assert.Equal(
                "Enter the certificate's SHA-256 fingerprint: 64 hexadecimal digits, with or without a colon between each pair.",
                page.ErrorFor("Input.CertificatePin"));
            Assert.Equal(typo, page.ValueOf("Input.CertificatePin"));
            Assert.Equal(name, page.ValueOf("Input.Name"));
            Assert.Null(page.QuerySelector("[data-testid=smtp-result]"));
        }

        Assert.False(await App.WithDbAsync(db => db.MailServers.AnyAsync(s => s.Name == name)));
    }

    /// <summary>Clicks "Trust this certificate for this server": the button posts the form it names, with its own value.</summary>
    private static async Task<IHtmlDocument> ClickTrustAsync(HttpClient client, IHtmlDocument page)
    {
        var button = page.QuerySelector<IHtmlButtonElement>("[data-testid=trust-certificate]")!;
        Assert.Equal("mail-server-form", button.GetAttribute("form"));
        Assert.Same(page.QuerySelector("#mail-server-form"), button.Form);
        return await client.SubmitAndReadAsync(page, new Dictionary<string, string?> { [button.Name!] = button.Value }, button: "[data-testid=trust-certificate]");
    }

    private static string Text(IHtmlDocument page, string testId) =>
        page.QuerySelector($"[data-testid={testId}]")?.TextContent.Trim() ?? "";

    private Task<string?> PinOfAsync(int id) =>
        App.WithDbAsync(db => db.MailServers.Where(s => s.Id == id).Select(s => s.CertificatePin).SingleAsync());
}
