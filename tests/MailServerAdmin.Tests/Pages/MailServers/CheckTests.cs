using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.MailServers;
using MailServerAdmin.Tests.Infrastructure.Delivery;
using MailServerAdmin.Tests.Infrastructure.Smtp;
using MailServerAdmin.Audit;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Pages.MailServers;

/// <summary>Test connection and Send test message, on the form (unsaved values) and for saved servers, over real SMTP.</summary>
public sealed class CheckTests(DeliveryFixture delivery) : IClassFixture<DeliveryFixture>
{
    private AppFactory App => delivery.App;

    private SmtpTestPeer Peer => delivery.Peer;

    [SmtpPeerFact]
    public async Task Test_connection_on_the_new_form_uses_the_typed_values_and_shows_each_step()
    {
        var client = await App.CreateBrowserAsync();
        var form = await client.GetPageAsync("/MailServers/Create");
        var before = Peer.AuthAttempts.Count;

        var page = await client.SubmitAndReadAsync(form, delivery.BasicValues($"Unsaved {Guid.NewGuid():N}"), formSelector: "main form[method=post]", button: "[data-testid=test-connection]");

        var result = page.QuerySelector("[data-testid=smtp-result]")!;
        Assert.Equal("true", result.GetAttribute("data-succeeded"));
        Assert.Equal("Passed", result.QuerySelector("[data-step=Tls]")!.GetAttribute("data-outcome"));
        Assert.Equal("Passed", result.QuerySelector("[data-step=Authenticate]")!.GetAttribute("data-outcome"));
        Assert.Equal("Passed", result.QuerySelector("[data-step=Sender]")!.GetAttribute("data-outcome"));
        var attempt = Peer.AuthAttempts.Skip(before).Single(a => a.Success);
        Assert.True(attempt.Mechanism is "PLAIN" or "LOGIN", attempt.Mechanism);
        Assert.Equal((DeliveryFixture.BasicLogin, DeliveryFixture.BasicPassword), (attempt.User, attempt.Secret));
        Assert.DoesNotContain(DeliveryFixture.BasicPassword, page.Source.Text, StringComparison.Ordinal);
        Assert.Contains("AUTH", page.QuerySelector("[data-testid=smtp-transcript]")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.QuerySelector("[data-testid=retype-password]"));
        Assert.False(await App.WithDbAsync(db => db.MailServers.AnyAsync(s => s.Name.StartsWith("Unsaved"))));
    }

    [SmtpPeerFact]
    public async Task A_wrong_password_fails_with_the_reason_and_no_credential_in_the_page()
    {
        var client = await App.CreateBrowserAsync();
        var form = await client.GetPageAsync("/MailServers/Create");

        var page = await client.SubmitAndReadAsync(form, delivery.BasicValues("Wrong").With("Input.Password", "not-the-password"), button: "[data-testid=test-connection]");

        var result = page.QuerySelector("[data-testid=smtp-result]")!;
        Assert.Equal("false", result.GetAttribute("data-succeeded"));
        Assert.Equal("Failed", result.QuerySelector("[data-step=Authenticate]")!.GetAttribute("data-outcome"));
        Assert.NotEmpty(page.QuerySelector("[data-testid=smtp-hint]")!.TextContent.Trim());
        Assert.DoesNotContain("not-the-password", page.Source.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", App.Logs.All, StringComparison.Ordinal);
    }

    [SmtpPeerFact]
    public async Task A_closed_port_fails_with_a_clear_message()
    {
        var client = await App.CreateBrowserAsync();
        var form = await client.GetPageAsync("/MailServers/Create");
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var closedPort = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var page = await client.SubmitAndReadAsync(form, delivery.BasicValues("Dead").With("Input.Port", $"{closedPort}"), button: "[data-testid=test-connection]");

        Assert.Equal("false", page.QuerySelector("[data-testid=smtp-result]")!.GetAttribute("data-succeeded"));
        Assert.Contains("refused", page.QuerySelector("[data-testid=smtp-summary]")!.TextContent, StringComparison.OrdinalIgnoreCase);
    }

    [SmtpPeerFact]
    public async Task Moving_the_stored_password_to_another_host_is_refused_for_a_test_too()
    {
        var client = await App.CreateBrowserAsync();
        var id = await delivery.CreateBasicServerAsync(client, $"Guarded {Guid.NewGuid():N}");
        var edit = await client.GetPageAsync($"/MailServers/Edit/{id}");
        var before = Peer.AuthAttempts.Count;

        var page = await client.SubmitAndReadAsync(edit, new Dictionary<string, string?> { ["Input.Host"] = "localhost" }, button: "[data-testid=test-connection]");

        Assert.Equal("You changed the server, port or security: type the password again to confirm it may be sent there.", page.ErrorFor("Input.Password"));
        Assert.Equal(before, Peer.AuthAttempts.Count);
    }

    [SmtpPeerFact]
    public async Task A_stored_token_is_not_sent_to_another_host_for_a_test()
    {
        var id = await delivery.CreateOAuthServerAsync($"Token guarded {Guid.NewGuid():N}");
        var client = await App.CreateBrowserAsync();
        var edit = await client.GetPageAsync($"/MailServers/Edit/{id}");
        var before = Peer.AuthAttempts.Count;

        var page = await client.SubmitAndReadAsync(edit, new Dictionary<string, string?> { ["Input.Host"] = "localhost" }, button: "[data-testid=test-connection]");

        Assert.Equal("false", page.QuerySelector("[data-testid=smtp-result]")!.GetAttribute("data-succeeded"));
        Assert.Contains("There is no access token", page.QuerySelector("[data-testid=smtp-summary]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(before, Peer.AuthAttempts.Count);
    }

    [SmtpPeerFact]
    public async Task A_saved_server_is_tested_from_the_list_with_its_stored_password()
    {
        var client = await App.CreateBrowserAsync();
        var name = $"Listed {Guid.NewGuid():N}";
        var id = await delivery.CreateBasicServerAsync(client, name);
        var list = await client.GetPageAsync($"/MailServers?q={name}");

        var page = await client.SubmitAndReadAsync(list, button: $"tr[data-server-id='{id}'] button[formaction*='Status']");

        Assert.Equal($"/MailServers/Status/{id}", page.Location.PathName);
        Assert.Equal("true", page.QuerySelector("[data-testid=smtp-result]")!.GetAttribute("data-succeeded"));
        Assert.Equal(DeliveryFixture.BasicPassword, Peer.AuthAttempts.Last(a => a.Success).Secret);
    }

    [SmtpPeerFact]
    public async Task A_test_message_arrives_with_the_right_sender_and_body()
    {
        var client = await App.CreateBrowserAsync();
        var name = $"Sender {Guid.NewGuid():N}";
        var id = await delivery.CreateBasicServerAsync(client, name);
        var status = await client.GetPageAsync($"/MailServers/Status/{id}");
        var recipient = $"{Guid.NewGuid():N}@example.net";

        var page = await client.SubmitAndReadAsync(status, new Dictionary<string, string?> { ["TestRecipient"] = recipient }, button: "[data-testid=send-test]");

        Assert.Equal("true", page.QuerySelector("[data-testid=smtp-result]")!.GetAttribute("data-succeeded"));
        var arrived = Peer.Messages.Single(m => m.RcptTos.Contains(recipient)).ToMimeMessage();
        Assert.Equal("\"Example Robot\" <noreply@example.com>", arrived.From.ToString());
        Assert.Equal("MailServerAdmin test message", arrived.Subject);
        Assert.Contains($"through the mail server \"{name}\"", arrived.TextBody, StringComparison.Ordinal);
    }

    [SmtpPeerFact]
    public async Task Send_test_message_on_the_form_sends_with_the_unsaved_values()
    {
        var client = await App.CreateBrowserAsync();
        var form = await client.GetPageAsync("/MailServers/Create");
        var recipient = $"{Guid.NewGuid():N}@example.net";

        var page = await client.SubmitAndReadAsync(form, delivery.BasicValues("Draft sender").With("Input.SenderEmail", "drafts@example.com").With("TestRecipient", recipient), button: "[data-testid=send-test]");

        Assert.Equal("true", page.QuerySelector("[data-testid=smtp-result]")!.GetAttribute("data-succeeded"));
        Assert.Equal("drafts@example.com", Peer.Messages.Single(m => m.RcptTos.Contains(recipient)).MailFrom);
        Assert.Equal("Draft sender", page.ValueOf("Input.Name"));
    }

    [SmtpPeerFact]
    public async Task An_oauth_server_signs_in_with_xoauth2_and_its_token()
    {
        var id = await delivery.CreateOAuthServerAsync($"XOAUTH2 {Guid.NewGuid():N}");
        var client = await App.CreateBrowserAsync();
        var token = App.Secret((await App.WithDbAsync(db => db.MailServers.SingleAsync(s => s.Id == id))), SecretField.AccessToken)!;
        var status = await client.GetPageAsync($"/MailServers/Status/{id}");

        var page = await client.SubmitAndReadAsync(status, button: "[data-testid=test-connection]");

        Assert.Equal("true", page.QuerySelector("[data-testid=smtp-result]")!.GetAttribute("data-succeeded"));
        var attempt = Peer.AuthAttempts.Last(a => a.Success);
        Assert.Equal(("XOAUTH2", delivery.OAuthUser, token), (attempt.Mechanism, attempt.User, attempt.Secret));
        Assert.Equal($"user={delivery.OAuthUser}\u0001auth=Bearer {token}\u0001\u0001", attempt.SaslString);
        Assert.DoesNotContain(token, page.Source.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(token, App.Logs.All, StringComparison.Ordinal);
        Assert.Contains("Valid, expires in", page.QuerySelector("[data-testid=token-health]")!.TextContent, StringComparison.Ordinal);
    }

    [SmtpPeerFact]
    public async Task A_refresh_failure_shows_on_the_list_and_the_status_page_with_what_to_do()
    {
        var name = $"Failing {Guid.NewGuid():N}";
        var id = await delivery.CreateOAuthServerAsync(name);
        var client = await App.CreateBrowserAsync();
        delivery.Provider.FailNextTokenRequest("invalid_grant", "The refresh token has been revoked.");

        var status = await client.SubmitAndReadAsync(await client.GetPageAsync($"/MailServers/Status/{id}"), formSelector: "form[action*='handler=Refresh']");

        Assert.Contains("The refresh token has been revoked.", status.QuerySelector("[data-testid=error-message]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("click Get Token", status.QuerySelector("[data-testid=error-message]")!.TextContent, StringComparison.Ordinal);
        var list = await client.GetPageAsync($"/MailServers?q={name}");
        var health = list.QuerySelector($"tr[data-server-id='{id}'] [data-testid=token-health]")!;
        Assert.Equal("NeedsGetToken", health.GetAttribute("data-state"));
        Assert.Contains("Needs a new Get Token", health.TextContent, StringComparison.Ordinal);
        Assert.True(await App.WithDbAsync(db => db.AuditEntries.AnyAsync(e => e.ServerId == id && e.Action == AuditAction.TokensNeedAuthorization)));
    }

    [SmtpPeerFact]
    public async Task A_hung_token_endpoint_fails_within_the_time_limit_with_a_clear_message()
    {
        var id = await delivery.CreateOAuthServerAsync($"Hung {Guid.NewGuid():N}");
        // Expired: a token that is still valid would be used while the provider does not answer.
        await delivery.ExpireSoonAsync(id, TimeSpan.FromMinutes(-1));
        var client = await App.CreateBrowserAsync();
        delivery.Provider.DelayNextTokenRequest(TimeSpan.FromSeconds(8));
        var status = await client.GetPageAsync($"/MailServers/Status/{id}");

        var page = await client.SubmitAndReadAsync(status, button: "[data-testid=test-connection]");

        Assert.Equal("false", page.QuerySelector("[data-testid=smtp-result]")!.GetAttribute("data-succeeded"));
        Assert.Contains("did not answer within 2 seconds", page.QuerySelector("[data-testid=smtp-summary]")!.TextContent, StringComparison.Ordinal);
        delivery.Provider.ClearTokenFaults();
    }

    [SmtpPeerFact]
    public async Task Revoke_calls_the_revocation_endpoint_and_clears_the_tokens()
    {
        var name = $"Revoked {Guid.NewGuid():N}";
        var id = await delivery.CreateOAuthServerAsync(name);
        var refresh = App.Secret((await App.WithDbAsync(db => db.MailServers.SingleAsync(s => s.Id == id))), SecretField.RefreshToken)!;
        var client = await App.CreateBrowserAsync();

        var page = await client.SubmitAndReadAsync(await client.GetPageAsync($"/MailServers/Status/{id}"), formSelector: "form[action*='handler=Revoke']");

        Assert.Contains("revoked the tokens", page.StatusMessage(), StringComparison.Ordinal);
        Assert.Contains(refresh, delivery.Provider.RevokedTokens);
        var stored = await App.WithDbAsync(db => db.MailServers.SingleAsync(s => s.Id == id));
        Assert.Null(App.Secret(stored, SecretField.AccessToken));
        Assert.Null(App.Secret(stored, SecretField.RefreshToken));
        Assert.Equal("NeedsGetToken", page.QuerySelector("[data-testid=token-health]")!.GetAttribute("data-state"));
        Assert.True(await App.WithDbAsync(db => db.AuditEntries.AnyAsync(e => e.ServerId == id && e.Action == AuditAction.TokensRevoked)));
    }
}
