using MailServerAdmin.Tests.Infrastructure.Smtp;
using MailServerAdmin.MailServers;
using MailServerAdmin.Sending;
using Xunit.Abstractions;

namespace MailServerAdmin.Tests.Sending;

/// <summary>The login reaches a real SMTP server exactly as configured, with the right mechanism.</summary>
public sealed class AuthenticationTests(ITestOutputHelper output)
{
    [SmtpPeerTheory]
    [InlineData(new[] { "PLAIN", "LOGIN", "XOAUTH2" }, "PLAIN")]
    [InlineData(new[] { "LOGIN", "XOAUTH2" }, "LOGIN")]
    [InlineData(new[] { "PLAIN" }, "PLAIN")]
    public async Task Basic_logs_in_with_PLAIN_or_LOGIN_and_the_server_gets_the_exact_credentials(string[] offered, string expected)
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { Mechanisms = offered });
        peer.AcceptBasic(Secrets.Login, Secrets.Password);
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.None, Secrets.Basic()), "alice@example.com", null, CancellationToken.None);

        output.WriteLine(result.Transcript);
        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal([expected], peer.AuthCommands.Select(c => c.Mechanism));
        var attempt = Assert.Single(peer.AuthAttempts);
        Assert.Equal((expected, Secrets.Login, Secrets.Password, true), (attempt.Mechanism, attempt.User, attempt.Secret, attempt.Success));
        var step = Assert.Single(result.Steps, s => s.Step == SmtpStep.Authenticate);
        Assert.Equal(SmtpStepOutcome.Passed, step.Outcome);
        Assert.Equal($"Logged in as {Secrets.Login} with {expected}.", step.Detail);
    }

    [SmtpPeerTheory]
    [InlineData(new[] { "PLAIN", "LOGIN", "XOAUTH2" }, "PLAIN")]
    [InlineData(new[] { "LOGIN", "PLAIN" }, "PLAIN")]
    [InlineData(new[] { "LOGIN", "XOAUTH2" }, "LOGIN")]
    public async Task A_wrong_password_costs_one_AUTH_command_with_one_mechanism(string[] offered, string expected)
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { Mechanisms = offered });
        peer.AcceptBasic(Secrets.Login, Secrets.Password);
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.None, Secrets.Basic("wrong password")), "alice@example.com", null, CancellationToken.None);

        output.WriteLine(peer.Transcript);
        Assert.Equal([expected], peer.AuthCommands.Select(c => c.Mechanism));
        var attempt = Assert.Single(peer.AuthAttempts);
        Assert.Equal((expected, "wrong password", false), (attempt.Mechanism, attempt.Secret, attempt.Success));
        var failure = Assert.IsType<SmtpFailure>(result.Failure);
        Assert.Equal((SmtpStep.Authenticate, SmtpFailureKind.InvalidCredentials), (failure.Step, failure.Kind));
        Assert.Equal(
            $"The server refused the login and password for {Secrets.Login} (535 5.7.8 Authentication credentials invalid).",
            failure.Message);
        Assert.Equal("535 5.7.8 Authentication credentials invalid", failure.ServerReply);
    }

    [SmtpPeerFact]
    public async Task A_refused_token_costs_one_AUTH_command()
    {
        await using var peer = await SmtpTestPeer.StartAsync();
        // A fallback that offered the token as a password would be accepted here, and show up as a second AUTH.
        peer.AcceptBasic(Secrets.OAuthUser, Secrets.Token);
        peer.AcceptXOAuth2(Secrets.OAuthUser, "the-token-the-server-knows");
        using var services = SendingServices.Trusting(peer);

        var result = await services.Sender.SendAsync(
            Secrets.Endpoint(peer, SmtpSecurity.None, Secrets.OAuth()), Secrets.Message(), CancellationToken.None);

        Assert.Equal(SmtpFailureKind.OAuthTokenRefused, result.Failure?.Kind);
        Assert.Equal(["XOAUTH2"], peer.AuthCommands.Select(c => c.Mechanism));
        Assert.Empty(peer.Messages);
    }

    [SmtpPeerFact]
    public async Task XOAuth2_sends_the_exact_user_and_token_even_a_long_one()
    {
        var token = "ya29." + new string('x', 1500) + "-" + Guid.NewGuid().ToString("N");
        await using var peer = await SmtpTestPeer.StartAsync();
        peer.AcceptXOAuth2(Secrets.OAuthUser, token);
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.None, Secrets.OAuth(token)), "alice@example.com", null, CancellationToken.None);

        Assert.True(result.Succeeded, result.Failure?.Message);
        var attempt = Assert.Single(peer.AuthAttempts);
        Assert.Equal(("XOAUTH2", Secrets.OAuthUser, token, true), (attempt.Mechanism, attempt.User, attempt.Secret, attempt.Success));
        Assert.Equal($"user={Secrets.OAuthUser}\u0001auth=Bearer {token}\u0001\u0001", attempt.SaslString);
        Assert.Equal($"Logged in as {Secrets.OAuthUser} with XOAUTH2.", result.Steps.Single(s => s.Step == SmtpStep.Authenticate).Detail);
        Secrets.AssertAbsent(result.Transcript, token: token);
    }

    [SmtpPeerFact]
    public async Task A_password_is_never_offered_to_a_server_that_only_takes_XOAuth2()
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { Mechanisms = ["XOAUTH2"] });
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.None, Secrets.Basic()), "alice@example.com", null, CancellationToken.None);

        Assert.Equal(SmtpFailureKind.MechanismNotOffered, result.Failure?.Kind);
        Assert.Equal(SmtpStep.Authenticate, result.Failure?.Step);
        Assert.Contains("neither PLAIN nor LOGIN", result.Failure?.Message, StringComparison.Ordinal);
        Assert.Contains("switch the authentication to OAuth", result.Failure?.Hint, StringComparison.Ordinal);
        Assert.Empty(peer.AuthAttempts);
    }

    [SmtpPeerFact]
    public async Task A_token_is_never_offered_to_a_server_without_XOAuth2()
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { Mechanisms = ["PLAIN", "LOGIN"] });
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.None, Secrets.OAuth()), "alice@example.com", null, CancellationToken.None);

        Assert.Equal(SmtpFailureKind.MechanismNotOffered, result.Failure?.Kind);
        Assert.Contains("does not offer XOAUTH2", result.Failure?.Message, StringComparison.Ordinal);
        Assert.Contains("LOGIN, PLAIN", result.Failure?.Message, StringComparison.Ordinal);
        Assert.Empty(peer.AuthAttempts);
    }

    [SmtpPeerFact]
    public async Task A_server_without_AUTH_is_explained_with_the_TLS_hint_on_a_plain_connection()
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { Mechanisms = [] });
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.None, Secrets.Basic()), "alice@example.com", null, CancellationToken.None);

        Assert.Equal(SmtpFailureKind.AuthenticationNotOffered, result.Failure?.Kind);
        Assert.Contains("offers no login", result.Failure?.Message, StringComparison.Ordinal);
        Assert.Contains("only once the connection is encrypted", result.Failure?.Hint, StringComparison.Ordinal);
    }

    [SmtpPeerFact]
    public async Task Without_a_credential_the_login_is_skipped_and_the_check_passes()
    {
        await using var peer = await SmtpTestPeer.StartAsync();
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.None, null), "alice@example.com", null, CancellationToken.None);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal(SmtpStepOutcome.Skipped, result.Steps.Single(s => s.Step == SmtpStep.Authenticate).Outcome);
        Assert.Empty(peer.AuthAttempts);
    }
}
