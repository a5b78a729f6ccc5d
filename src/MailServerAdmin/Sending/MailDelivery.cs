using MailServerAdmin.Data;
using MailServerAdmin.Localization;
using MailServerAdmin.MailServers;
using MailServerAdmin.OAuth;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace MailServerAdmin.Sending;

/// <summary>
/// How the application sends its mail: through the default server (or one named), with the stored credentials. An
/// OAuth access token comes from <see cref="TokenKeeper"/>: refreshed ahead of its expiry, once for all processes, and
/// never refreshed again during a back-off or after the provider refused the refresh token (the send then fails at once,
/// saying why). The caller's cancellation stops its wait, never a refresh already sent.
/// </summary>
public sealed class MailDelivery(
    AppDbContext db, TokenKeeper tokens, SecretVault vault, SmtpMailSender sender, SmtpConnectionTester tester, SendingTargets targets)
{
    /// <summary>
    /// Sends <paramref name="message"/>. Without a From, the server's sender is used. Problems come back in the
    /// result (nothing is thrown for them), except that no server is configured.
    /// </summary>
    public async Task<SmtpSendResult> SendAsync(MimeMessage message, string? serverName = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var (target, times) = await targets.FindAsync(db, serverName, ct);
        if (message.From.Count == 0)
        {
            message.From.Add(new MailboxAddress(target.SenderName, target.SenderEmail));
        }

        if (target.Failure is not null)
        {
            return new SmtpSendResult([], target.Failure, null, "");
        }

        var endpoint = target.Endpoint;
        if (target.IsOAuth)
        {
            // The token read with the row, while the keeper would hand it out as it is; otherwise the keeper decides.
            var token = target.AccessToken is { } stored && tokens.HandsOutStored(times) ? stored : null;
            var obtained = await WithTokenAsync(target.Id, token, rejectedToken: null, ct);
            if (obtained.Failure is not null)
            {
                return new SmtpSendResult([], obtained.Failure, null, "");
            }

            endpoint = endpoint with { Credential = new OAuth2Credential(target.OAuthUser, obtained.Token!) };
        }

        var result = await sender.SendAsync(endpoint, message, ct);
        if (result.Failure?.Kind == SmtpFailureKind.OAuthTokenRefused && endpoint.Credential is OAuth2Credential refused)
        {
            // The server refused a token it should accept (revoked early, clock skew): a newer or refreshed one, one more try.
            var renewed = await WithTokenAsync(target.Id, token: null, refused.AccessToken, ct);
            if (renewed.Token is not null)
            {
                result = await sender.SendAsync(endpoint with { Credential = new OAuth2Credential(target.OAuthUser, renewed.Token) }, message, ct);
            }
        }

        return result;
    }

    /// <summary>Connects, authenticates and checks the sender and recipient, without sending.</summary>
    public async Task<SmtpCheckResult> TestAsync(int serverId, string? recipient = null, CancellationToken ct = default)
    {
        var server = await db.MailServers.AsNoTracking().SingleOrDefaultAsync(s => s.Id == serverId, ct)
            ?? throw new InvalidOperationException("The mail server no longer exists.");
        var endpoint = await EndpointAsync(server, rejectedToken: null, ct);
        return endpoint.Failure is not null
            ? new SmtpCheckResult([], endpoint.Failure, "")
            : await tester.TestAsync(endpoint.Endpoint!, server.SenderEmail, recipient, ct);
    }

    /// <summary>The default server, or the one of that name (ignoring case).</summary>
    public async Task<MailServer> FindAsync(string? serverName, CancellationToken ct)
    {
        var query = db.MailServers.AsNoTracking();
        var server = serverName is null
            ? await query.SingleOrDefaultAsync(s => s.IsDefault, ct)
            : await query.SingleOrDefaultAsync(s => s.NormalizedName == MailServer.NormalizeName(serverName), ct);
        return server ?? throw SendingTargets.NotFound(serverName);
    }

    /// <summary>The token to send with: <paramref name="token"/> when given, else the keeper's (renewed when rejected).</summary>
    private async Task<(string? Token, SmtpFailure? Failure)> WithTokenAsync(int serverId, string? token, string? rejectedToken, CancellationToken ct)
    {
        if (token is not null)
        {
            return (token, null);
        }

        try
        {
            return (rejectedToken is not null
                ? await tokens.RenewRejectedAsync(serverId, rejectedToken, ct)
                : await tokens.GetAccessTokenAsync(serverId, ct), null);
        }
        catch (TokenUnavailableException ex)
        {
            return (null, new SmtpFailure(SmtpStep.Authenticate, SmtpFailureKind.AuthenticationFailed, ex.MessageText, ex.HintText, null));
        }
    }

    private async Task<(SmtpEndpoint? Endpoint, SmtpFailure? Failure)> EndpointAsync(MailServer server, string? rejectedToken, CancellationToken ct)
    {
        SmtpCredential? credential = null;
        if (server.AuthenticationType == AuthenticationType.OAuth)
        {
            try
            {
                var token = rejectedToken is not null
                    ? await tokens.RenewRejectedAsync(server.Id, rejectedToken, ct)
                    : await tokens.GetAccessTokenAsync(server.Id, ct);
                credential = new OAuth2Credential(server.UserName ?? server.SenderEmail, token);
            }
            catch (TokenUnavailableException ex)
            {
                return (null, new SmtpFailure(SmtpStep.Authenticate, SmtpFailureKind.AuthenticationFailed, ex.MessageText, ex.HintText, null));
            }
        }
        else if (server.RequiresAuthentication && server.Login is not null)
        {
            // The password decrypts only for the destination it was saved with.
            var password = vault.Read(SecretField.Password, server.Id, MailServerSettings.Of(server), server.ProtectedPassword);
            if (password.State == SecretState.Unreadable)
            {
                return (null, new SmtpFailure(SmtpStep.Authenticate, SmtpFailureKind.AuthenticationFailed,
                    LocalizableText.Of("Smtp_PasswordUnreadable"), LocalizableText.Of("Smtp_PasswordUnreadable_Hint"), null));
            }

            if (password.Value is not null)
            {
                credential = new BasicCredential(server.Login, password.Value);
            }
        }

        return (new SmtpEndpoint(server.Host, server.Port, server.Security, credential, server.CertificatePin), null);
    }
}
