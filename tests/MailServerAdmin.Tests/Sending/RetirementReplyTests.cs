using MailServerAdmin.MailServers;
using MailServerAdmin.Sending;
using MailServerAdmin.Tests.Infrastructure.Smtp;

namespace MailServerAdmin.Tests.Sending;

/// <summary>Microsoft 365's answers when Basic authentication is retired or an app's token cannot reach the mailbox, each with its fix.</summary>
public sealed class RetirementReplyTests
{
    private const string BasicRetired = "550 5.7.30 Basic authentication is not supported for Client Submission.";
    private const string Unsuccessful = "535 5.7.3 Authentication unsuccessful";

    [SmtpPeerFact]
    public async Task Basic_authentication_turned_off_by_Microsoft_365_is_explained_with_the_switch_to_OAuth()
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { AuthFailReply = [BasicRetired] });
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.None, Secrets.Basic()), "alice@example.com", null, CancellationToken.None);

        var failure = Assert.IsType<SmtpFailure>(result.Failure);
        Assert.Equal((SmtpStep.Authenticate, SmtpFailureKind.BasicAuthenticationRetired), (failure.Step, failure.Kind));
        Assert.Equal($"Microsoft 365 no longer accepts a login and password for SMTP ({BasicRetired}).", failure.Message);
        Assert.Contains("switch this server to OAuth (Edit → Switch to OAuth)", failure.Hint, StringComparison.Ordinal);
        Assert.Equal(BasicRetired, failure.ServerReply);
    }

    [SmtpPeerFact]
    public async Task A_token_Exchange_cannot_use_for_the_mailbox_is_explained_with_the_app_permission_and_the_mailbox_grant()
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { AuthFailReply = [Unsuccessful] });
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.None, Secrets.OAuth()), "alice@example.com", null, CancellationToken.None);

        var failure = Assert.IsType<SmtpFailure>(result.Failure);
        Assert.Equal((SmtpStep.Authenticate, SmtpFailureKind.OAuthTokenRefused), (failure.Step, failure.Kind));
        Assert.StartsWith($"The access token for {Secrets.OAuthUser} was refused", failure.Message, StringComparison.Ordinal);
        Assert.Equal(Unsuccessful, failure.ServerReply);
        Assert.Contains("SMTP.SendAsApp application permission with admin consent", failure.Hint, StringComparison.Ordinal);
        Assert.Contains("New-ServicePrincipal", failure.Hint, StringComparison.Ordinal);
        Assert.Contains($"Add-MailboxPermission -Identity {Secrets.OAuthUser} -AccessRights FullAccess", failure.Hint, StringComparison.Ordinal);
        Secrets.AssertAbsent(result.Transcript);
    }
}
