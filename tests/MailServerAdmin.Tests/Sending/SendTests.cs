using MailServerAdmin.Tests.Infrastructure.Smtp;
using MailServerAdmin.MailServers;
using MailServerAdmin.Sending;
using Xunit.Abstractions;

namespace MailServerAdmin.Tests.Sending;

/// <summary>The sender delivers for real, through the same connect and login as the test.</summary>
public sealed class SendTests(ITestOutputHelper output)
{
    [SmtpPeerFact]
    public async Task A_message_arrives_with_its_From_subject_and_body()
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions
        {
            Tls = SmtpPeerTls.StartTls,
            AuthRequiresTls = true,
            RequireAuth = true,
        });
        peer.AcceptBasic(Secrets.Login, Secrets.Password);
        using var services = SendingServices.Trusting(peer);

        var result = await services.Sender.SendAsync(
            Secrets.Endpoint(peer, SmtpSecurity.StartTls, Secrets.Basic()), Secrets.Message(), CancellationToken.None);

        output.WriteLine(result.Transcript);
        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal("OK", result.ServerReply);
        Assert.Equal(
            [SmtpStep.Connect, SmtpStep.Tls, SmtpStep.Authenticate, SmtpStep.Send],
            result.Steps.Select(s => s.Step));
        Assert.All(result.Steps, s => Assert.Equal(SmtpStepOutcome.Passed, s.Outcome));

        var message = Assert.Single(peer.Messages);
        Assert.Equal("alice@example.com", message.MailFrom);
        Assert.Equal(["bob@example.net"], message.RcptTos);
        var mime = message.ToMimeMessage();
        var from = Assert.Single(mime.From.Mailboxes);
        Assert.Equal(("Alice", "alice@example.com"), (from.Name, from.Address));
        Assert.Equal("Test message from MailServerAdmin", mime.Subject);
        Assert.Equal("Hello Bob,\nthis is the body.\n.leading dot line\n", mime.TextBody?.ReplaceLineEndings("\n"));

        // The conversation is kept, the message's content is not.
        Assert.Contains("C: DATA", result.Transcript, StringComparison.Ordinal);
        Assert.Matches(@"C: \[message content: \d+ lines left out\]\nC: \.\n", result.Transcript);
        Assert.DoesNotContain("Hello Bob", result.Transcript, StringComparison.Ordinal);
        Assert.DoesNotContain("Hello Bob", services.Logs.All, StringComparison.Ordinal);
    }

    [SmtpPeerFact]
    public async Task A_message_is_sent_with_an_OAuth_token_over_SSL_on_connect()
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { Tls = SmtpPeerTls.Implicit, RequireAuth = true });
        peer.AcceptXOAuth2(Secrets.OAuthUser, Secrets.Token);
        using var services = SendingServices.Trusting(peer);

        var result = await services.Sender.SendAsync(
            Secrets.Endpoint(peer, SmtpSecurity.SslOnConnect, Secrets.OAuth()), Secrets.Message(), CancellationToken.None);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal("XOAUTH2", Assert.Single(peer.AuthAttempts).Mechanism);
        Assert.Single(peer.Messages);
    }

    [SmtpPeerFact]
    public async Task A_refused_token_is_reported_so_that_the_caller_can_refresh_it()
    {
        await using var peer = await SmtpTestPeer.StartAsync();
        using var services = SendingServices.Trusting(peer);

        var result = await services.Sender.SendAsync(
            Secrets.Endpoint(peer, SmtpSecurity.None, Secrets.OAuth()), Secrets.Message(), CancellationToken.None);

        Assert.Equal(SmtpFailureKind.OAuthTokenRefused, result.Failure?.Kind);
        Assert.Null(result.ServerReply);
        Assert.Empty(peer.Messages);
    }

    [SmtpPeerFact]
    public async Task A_wrong_password_gets_the_same_explanation_as_in_the_test()
    {
        await using var peer = await SmtpTestPeer.StartAsync();
        peer.AcceptBasic(Secrets.Login, "the right one");
        using var services = SendingServices.Trusting(peer);

        var result = await services.Sender.SendAsync(
            Secrets.Endpoint(peer, SmtpSecurity.None, Secrets.Basic()), Secrets.Message(), CancellationToken.None);

        Assert.Equal((SmtpStep.Authenticate, SmtpFailureKind.InvalidCredentials), (result.Failure?.Step, result.Failure?.Kind));
        Assert.Empty(peer.Messages);
    }

    [SmtpPeerFact]
    public async Task A_refused_sender_and_a_refused_recipient_are_explained()
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions
        {
            RejectSenders = ["boss@example.com"],
            RejectRecipients = ["nobody@example.net"],
        });
        using var services = SendingServices.Trusting(peer);
        var endpoint = Secrets.Endpoint(peer, SmtpSecurity.None, null);

        var sender = await services.Sender.SendAsync(endpoint, Secrets.Message(from: "boss@example.com"), CancellationToken.None);
        var recipient = await services.Sender.SendAsync(endpoint, Secrets.Message(to: "nobody@example.net"), CancellationToken.None);

        Assert.Equal((SmtpStep.Send, SmtpFailureKind.SendAsDenied), (sender.Failure?.Step, sender.Failure?.Kind));
        Assert.Contains("may not send as this sender", sender.Failure?.Message, StringComparison.Ordinal);
        Assert.Equal((SmtpStep.Send, SmtpFailureKind.RecipientRefused), (recipient.Failure?.Step, recipient.Failure?.Kind));
        Assert.Contains("nobody@example.net", recipient.Failure?.Message, StringComparison.Ordinal);
        Assert.Empty(peer.Messages);
    }
}
