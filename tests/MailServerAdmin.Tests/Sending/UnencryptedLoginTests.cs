using MailServerAdmin.Tests.Infrastructure.Smtp;
using MailServerAdmin.MailServers;
using MailServerAdmin.Sending;
using Xunit.Abstractions;

namespace MailServerAdmin.Tests.Sending;

/// <summary>
/// A password or a token crosses the network in clear only when the administrator chose None: with Auto and a
/// server that offers no STARTTLS, no AUTH is sent at all and the result says why and what to choose.
/// </summary>
public sealed class UnencryptedLoginTests(ITestOutputHelper output)
{
    private const string LoginWithheldStep =
        "Not encrypted: with Auto, the server did not offer STARTTLS, so the connection stayed unencrypted and the login "
        + "is not sent over it.";

    [SmtpPeerFact]
    public async Task Auto_without_STARTTLS_never_sends_the_password_and_says_what_to_choose()
    {
        await using var peer = await SmtpTestPeer.StartAsync();
        peer.AcceptBasic(Secrets.Login, Secrets.Password);
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.Auto, Secrets.Basic()), "alice@example.com", null, CancellationToken.None);

        output.WriteLine(peer.Transcript);
        Assert.Empty(peer.AuthCommands);
        Assert.Empty(peer.AuthAttempts);
        Assert.Empty(peer.Envelopes);
        var failure = Assert.IsType<SmtpFailure>(result.Failure);
        Assert.Equal((SmtpStep.Authenticate, SmtpFailureKind.CredentialsNotSentUnencrypted), (failure.Step, failure.Kind));
        Assert.Equal(
            $"127.0.0.1:{peer.Port} did not offer STARTTLS, so with Auto the connection stayed unencrypted and the password "
            + $"for {Secrets.Login} was not sent.",
            failure.Message);
        Assert.Equal(
            "Choose STARTTLS (usually port 587) or SSL on connect (usually port 465) if the server supports it, or None "
            + "if you accept sending the password unencrypted.",
            failure.Hint);
        Assert.Null(failure.ServerReply);
        Assert.Equal(
            [
                (SmtpStep.Connect, SmtpStepOutcome.Passed, null),
                (SmtpStep.Tls, SmtpStepOutcome.Warning, LoginWithheldStep),
                (SmtpStep.Authenticate, SmtpStepOutcome.Failed, failure.Message),
            ],
            result.Steps.Select(s => (s.Step, s.Outcome, s.Step == SmtpStep.Connect ? null : s.Detail)));
        Assert.DoesNotContain("C: AUTH", result.Transcript, StringComparison.Ordinal);
    }

    [SmtpPeerFact]
    public async Task Auto_without_STARTTLS_never_sends_the_OAuth_token()
    {
        await using var peer = await SmtpTestPeer.StartAsync();
        peer.AcceptXOAuth2(Secrets.OAuthUser, Secrets.Token);
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.Auto, Secrets.OAuth()), "alice@example.com", null, CancellationToken.None);

        output.WriteLine(peer.Transcript);
        Assert.Empty(peer.AuthCommands);
        Assert.Empty(peer.AuthAttempts);
        var failure = Assert.IsType<SmtpFailure>(result.Failure);
        Assert.Equal((SmtpStep.Authenticate, SmtpFailureKind.CredentialsNotSentUnencrypted), (failure.Step, failure.Kind));
        Assert.Equal(
            $"127.0.0.1:{peer.Port} did not offer STARTTLS, so with Auto the connection stayed unencrypted and the access "
            + $"token for {Secrets.OAuthUser} was not sent.",
            failure.Message);
        Assert.Equal(
            "Choose STARTTLS (usually port 587) or SSL on connect (usually port 465) if the server supports it, or None "
            + "if you accept sending the access token unencrypted.",
            failure.Hint);
        Assert.Equal(LoginWithheldStep, result.Steps.Single(s => s.Step == SmtpStep.Tls).Detail);
    }

    [SmtpPeerTheory]
    [InlineData("Basic")]
    [InlineData("OAuth")]
    public async Task Sending_with_Auto_without_STARTTLS_sends_neither_the_credential_nor_the_message(string authentication)
    {
        await using var peer = await SmtpTestPeer.StartAsync();
        peer.AcceptBasic(Secrets.Login, Secrets.Password);
        peer.AcceptXOAuth2(Secrets.OAuthUser, Secrets.Token);
        using var services = SendingServices.Trusting(peer);
        SmtpCredential credential = authentication == "Basic" ? Secrets.Basic() : Secrets.OAuth();

        var result = await services.Sender.SendAsync(
            Secrets.Endpoint(peer, SmtpSecurity.Auto, credential), Secrets.Message(), CancellationToken.None);

        Assert.Equal(SmtpFailureKind.CredentialsNotSentUnencrypted, result.Failure?.Kind);
        Assert.Null(result.ServerReply);
        await peer.WaitForAsync(events => events.Any(e => e.Kind == "disconnect"));
        Assert.Empty(peer.AuthCommands);
        Assert.Empty(peer.Envelopes);
        Assert.Empty(peer.Messages);
        Assert.Contains(services.Logs.Lines, l => l.Contains("CredentialsNotSentUnencrypted", StringComparison.Ordinal));
    }

    [SmtpPeerFact]
    public async Task None_with_a_password_still_logs_in_and_warns_that_the_login_crossed_in_clear()
    {
        await using var peer = await SmtpTestPeer.StartAsync();
        peer.AcceptBasic(Secrets.Login, Secrets.Password);
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.None, Secrets.Basic()), "alice@example.com", null, CancellationToken.None);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal("PLAIN", Assert.Single(peer.AuthCommands).Mechanism);
        Assert.True(Assert.Single(peer.AuthAttempts).Success);
        var tls = result.Steps.Single(s => s.Step == SmtpStep.Tls);
        Assert.Equal(SmtpStepOutcome.Warning, tls.Outcome);
        Assert.Equal("Not encrypted: the security setting is None, so the login and the messages cross the network in clear.", tls.Detail);
    }

    [SmtpPeerFact]
    public async Task None_with_a_token_still_logs_in()
    {
        await using var peer = await SmtpTestPeer.StartAsync();
        peer.AcceptXOAuth2(Secrets.OAuthUser, Secrets.Token);
        using var services = SendingServices.Trusting(peer);

        var result = await services.Sender.SendAsync(
            Secrets.Endpoint(peer, SmtpSecurity.None, Secrets.OAuth()), Secrets.Message(), CancellationToken.None);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal("XOAUTH2", Assert.Single(peer.AuthCommands).Mechanism);
        Assert.Single(peer.Messages);
    }

    [SmtpPeerFact]
    public async Task Auto_logs_in_once_STARTTLS_has_encrypted_the_connection()
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { Tls = SmtpPeerTls.StartTls });
        peer.AcceptBasic(Secrets.Login, Secrets.Password);
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.Auto, Secrets.Basic()), "alice@example.com", null, CancellationToken.None);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.True(Assert.Single(peer.AuthAttempts).Success);
        var events = peer.Events;
        var tls = events.Single(e => e.Kind == "tls").Sequence;
        var auth = events.Single(e => e.Kind == "client" && e.GetString("line")!.StartsWith("AUTH ", StringComparison.Ordinal)).Sequence;
        Assert.True(tls < auth, peer.Transcript);
    }

    [SmtpPeerFact]
    public async Task Auto_without_a_login_still_sends_through_a_server_that_needs_none()
    {
        await using var peer = await SmtpTestPeer.StartAsync();
        using var services = SendingServices.Trusting(peer);

        var result = await services.Sender.SendAsync(
            Secrets.Endpoint(peer, SmtpSecurity.Auto, null), Secrets.Message(), CancellationToken.None);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Single(peer.Messages);
        Assert.Empty(peer.AuthCommands);
        Assert.Equal(SmtpStepOutcome.Skipped, result.Steps.Single(s => s.Step == SmtpStep.Authenticate).Outcome);
        var tls = result.Steps.Single(s => s.Step == SmtpStep.Tls);
        Assert.Equal(SmtpStepOutcome.Warning, tls.Outcome);
        Assert.Equal(
            "Not encrypted: with Auto, the server did not offer STARTTLS, so the connection stayed unencrypted and the "
            + "messages cross the network in clear.",
            tls.Detail);
    }
}
