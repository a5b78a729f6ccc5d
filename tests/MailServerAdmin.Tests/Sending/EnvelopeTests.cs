using MailServerAdmin.Tests.Infrastructure.Smtp;
using MailServerAdmin.MailServers;
using MailServerAdmin.Sending;
using Xunit.Abstractions;

namespace MailServerAdmin.Tests.Sending;

/// <summary>The test asks the server about the sender and the recipient without sending anything.</summary>
public sealed class EnvelopeTests(ITestOutputHelper output)
{
    [SmtpPeerFact]
    public async Task Mail_from_and_rcpt_to_are_checked_without_DATA_then_RSET_and_QUIT()
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { RequireAuth = true });
        peer.AcceptBasic(Secrets.Login, Secrets.Password);
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.None, Secrets.Basic()), "alice@example.com", null, CancellationToken.None);

        output.WriteLine(result.Transcript);
        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal(
            [
                (SmtpStep.Connect, SmtpStepOutcome.Passed),
                (SmtpStep.Tls, SmtpStepOutcome.Warning),
                (SmtpStep.Authenticate, SmtpStepOutcome.Passed),
                (SmtpStep.Sender, SmtpStepOutcome.Passed),
                (SmtpStep.Recipient, SmtpStepOutcome.Passed),
            ],
            result.Steps.Select(s => (s.Step, s.Outcome)));
        Assert.StartsWith($"Connected to {peer.Host}:{peer.Port}; the server greets: 220 ", result.Steps[0].Detail, StringComparison.Ordinal);
        Assert.Equal("The server accepts alice@example.com as the sender.", result.Steps[3].Detail);
        Assert.Equal("The server accepts alice@example.com as a recipient (no message was sent).", result.Steps[4].Detail);

        var envelope = Assert.Single(peer.Envelopes);
        Assert.Equal("alice@example.com", envelope.MailFrom);
        Assert.Equal([new SmtpPeerRecipient("alice@example.com", true)], envelope.Recipients);
        Assert.False(envelope.HasData);
        Assert.Empty(peer.Messages);
        await peer.WaitForAsync(events => events.Any(e => e.Kind == "quit"));
        Assert.Equal(["mail_from", "rcpt_to", "rset", "quit"],
            peer.Events.Select(e => e.Kind).Where(k => k is "mail_from" or "rcpt_to" or "rset" or "data" or "quit"));
    }

    [SmtpPeerFact]
    public async Task A_given_recipient_is_checked_instead_of_the_sender()
    {
        await using var peer = await SmtpTestPeer.StartAsync();
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.None, null), "Alice <alice@example.com>", "bob@example.net", CancellationToken.None);

        Assert.True(result.Succeeded, result.Failure?.Message);
        var envelope = Assert.Single(peer.Envelopes);
        Assert.Equal(("alice@example.com", "bob@example.net"), (envelope.MailFrom, envelope.Recipients.Single().Address));
    }

    [SmtpPeerFact]
    public async Task A_sender_the_mailbox_may_not_send_as_is_explained()
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { RejectSenders = ["boss@example.com"] });
        peer.AcceptBasic(Secrets.Login, Secrets.Password);
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.None, Secrets.Basic()), "boss@example.com", null, CancellationToken.None);

        var failure = Assert.IsType<SmtpFailure>(result.Failure);
        output.WriteLine($"{failure.Message}\n{failure.Hint}");
        Assert.Equal((SmtpStep.Sender, SmtpFailureKind.SendAsDenied), (failure.Step, failure.Kind));
        Assert.Equal(
            $"The server refused boss@example.com as the sender: the signed-in mailbox ({Secrets.Login}) may not send as "
            + "this sender (550 5.7.60 SMTP; Client does not have permissions to send as this sender).",
            failure.Message);
        Assert.Contains("Send As permission on boss@example.com", failure.Hint, StringComparison.Ordinal);
        Assert.Empty(peer.Envelopes);
        Assert.DoesNotContain(peer.Events, e => e.Kind == "rcpt_to");
    }

    [SmtpPeerFact]
    public async Task A_refused_recipient_is_explained()
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { RejectRecipients = ["nobody@example.net"] });
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.None, null), "alice@example.com", "nobody@example.net", CancellationToken.None);

        var failure = Assert.IsType<SmtpFailure>(result.Failure);
        Assert.Equal((SmtpStep.Recipient, SmtpFailureKind.RecipientRefused), (failure.Step, failure.Kind));
        Assert.Equal(
            "The server refused the recipient nobody@example.net: 550 5.1.1 Recipient address rejected: User unknown",
            failure.Message);
        Assert.Empty(peer.Messages);
    }

    [SmtpPeerFact]
    public async Task A_server_that_needs_a_login_says_so_when_none_is_configured()
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { RequireAuth = true });
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.None, null), "alice@example.com", null, CancellationToken.None);

        var failure = Assert.IsType<SmtpFailure>(result.Failure);
        Assert.Equal((SmtpStep.Sender, SmtpFailureKind.AuthenticationRequired), (failure.Step, failure.Kind));
        Assert.Contains("Turn on 'Requires authentication'", failure.Hint, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not an address")]
    [InlineData("alice@example.com>\r\nRCPT TO:<x@example.com")]
    public async Task An_invalid_sender_is_refused_before_connecting(string sender)
    {
        using var services = SendingServices.WithSystemValidation();

        await Assert.ThrowsAsync<ArgumentException>(() => services.Tester.TestAsync(
            new SmtpEndpoint("127.0.0.1", 1, SmtpSecurity.None), sender, null, CancellationToken.None));
    }
}
