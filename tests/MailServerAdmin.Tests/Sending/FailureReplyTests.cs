using MailServerAdmin.Tests.Infrastructure.Smtp;
using MailServerAdmin.MailServers;
using MailServerAdmin.Sending;
using Xunit.Abstractions;

namespace MailServerAdmin.Tests.Sending;

/// <summary>The login failures real providers send, each explained in plain words with what to do.</summary>
public sealed class FailureReplyTests(ITestOutputHelper output)
{
    private const string TenantDisabled =
        "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. "
        + "Visit https://aka.ms/smtp_auth_disabled for more information.";

    private static readonly string[] AppPasswordRequired =
    [
        "534-5.7.9 Application-specific password required. For more information, go to",
        "534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor",
    ];

    [SmtpPeerTheory]
    [InlineData("Basic")]
    [InlineData("OAuth")]
    public async Task Tenant_with_SMTP_AUTH_disabled_explains_how_to_enable_Authenticated_SMTP(string authentication)
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { AuthFailReply = [TenantDisabled] });
        using var services = SendingServices.Trusting(peer);
        SmtpCredential credential = authentication == "Basic" ? Secrets.Basic() : Secrets.OAuth();

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.None, credential), "alice@example.com", null, CancellationToken.None);

        var failure = Assert.IsType<SmtpFailure>(result.Failure);
        output.WriteLine($"{failure.Message}\n{failure.Hint}");
        Assert.Equal((SmtpStep.Authenticate, SmtpFailureKind.SmtpAuthDisabled), (failure.Step, failure.Kind));
        Assert.Equal(
            "Microsoft 365 refused the login: SMTP AUTH (Authenticated SMTP) is disabled for this tenant or this mailbox.",
            failure.Message);
        Assert.Contains("Manage email apps > tick Authenticated SMTP", failure.Hint, StringComparison.Ordinal);
        Assert.Contains($"Set-CASMailbox -Identity {Secrets.Login} -SmtpClientAuthenticationDisabled $false", failure.Hint, StringComparison.Ordinal);
        Assert.Equal(TenantDisabled, failure.ServerReply);
        Assert.Equal(SmtpStepOutcome.Failed, result.Steps[^1].Outcome);
        Assert.Equal(failure.Message, result.Steps[^1].Detail);
    }

    [SmtpPeerFact]
    public async Task Google_app_password_required_is_explained()
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { AuthFailReply = AppPasswordRequired });
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.None, Secrets.Basic()), "alice@example.com", null, CancellationToken.None);

        var failure = Assert.IsType<SmtpFailure>(result.Failure);
        Assert.Equal(SmtpFailureKind.AppPasswordRequired, failure.Kind);
        Assert.Contains("application-specific password", failure.Message, StringComparison.Ordinal);
        Assert.Contains("https://myaccount.google.com/apppasswords", failure.Hint, StringComparison.Ordinal);
        Assert.Equal(string.Join('\n', AppPasswordRequired), failure.ServerReply);
    }

    [SmtpPeerTheory]
    [InlineData(null, "535 5.7.8 Authentication credentials invalid")]
    [InlineData("535 5.7.3 Authentication unsuccessful", "535 5.7.3 Authentication unsuccessful")]
    public async Task A_wrong_password_is_explained(string? reply, string expectedReply)
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions
        {
            AuthFailReply = reply is null ? [] : [reply],
        });
        peer.AcceptBasic(Secrets.Login, Secrets.Password);
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.None, Secrets.Basic("wrong password")), "alice@example.com", null, CancellationToken.None);

        var failure = Assert.IsType<SmtpFailure>(result.Failure);
        Assert.Equal(SmtpFailureKind.InvalidCredentials, failure.Kind);
        Assert.Equal($"The server refused the login and password for {Secrets.Login} ({expectedReply}).", failure.Message);
        Assert.Contains("Check the login (usually the full e-mail address) and the password", failure.Hint, StringComparison.Ordinal);
        Assert.Equal("wrong password", Assert.Single(peer.AuthAttempts).Secret);
        Secrets.AssertAbsent(result.Transcript, password: "wrong password");
    }

    [SmtpPeerFact]
    public async Task A_refused_token_is_explained_from_the_decoded_XOAuth2_challenge()
    {
        await using var peer = await SmtpTestPeer.StartAsync();
        peer.AcceptXOAuth2(Secrets.OAuthUser, "the-token-the-server-knows");
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.None, Secrets.OAuth()), "alice@example.com", null, CancellationToken.None);

        output.WriteLine(result.Transcript);
        var failure = Assert.IsType<SmtpFailure>(result.Failure);
        Assert.Equal((SmtpStep.Authenticate, SmtpFailureKind.OAuthTokenRefused), (failure.Step, failure.Kind));
        Assert.Equal(
            $"The access token for {Secrets.OAuthUser} was refused (401); it may have expired or lack the scope https://mail.google.com/.",
            failure.Message);
        Assert.Contains("Get a new token", failure.Hint, StringComparison.Ordinal);
        // The challenge is only in the conversation: the 334 line, then the client's empty answer.
        Assert.Contains("S: 334 eyJ", result.Transcript, StringComparison.Ordinal);
        Assert.Contains("C: AUTH XOAUTH2 ********", result.Transcript, StringComparison.Ordinal);
        Assert.False(Assert.Single(peer.AuthAttempts).Success);
    }
}
