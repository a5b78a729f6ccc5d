using System.Globalization;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MailServerAdmin.Localization;
using MailServerAdmin.MailServers;
using MimeKit;
using static MailServerAdmin.Localization.LocalizableText;

namespace MailServerAdmin.Sending;

/// <summary>
/// Turns what MailKit throws and what the server replies into a failure in plain words with a hint. The texts are
/// resources (<c>Smtp_*</c>); what the server or the system said goes into them as it is.
/// </summary>
internal static class SmtpFailures
{
    private const string OAuthScopes =
        "Google: https://mail.google.com/; Microsoft: https://outlook.office.com/SMTP.Send";

    /// <summary>The errors a conversation with a server can end in; anything else is a bug and is not caught.</summary>
    public static bool IsSmtpError(Exception error) =>
        error is IOException or SocketException or TimeoutException or OperationCanceledException
            or ProtocolException or CommandException or AuthenticationException or SslHandshakeException
            or NotSupportedException or ServiceNotAuthenticatedException or ServiceNotConnectedException;

    /// <summary>The TCP connection could not be made.</summary>
    public static SmtpFailure Tcp(Exception error, SmtpEndpoint endpoint, TimeSpan timeout) => error switch
    {
        SocketException socket => Socket(socket, endpoint, timeout),
        TimeoutException or OperationCanceledException => NoConnection(endpoint, timeout),
        _ => new(SmtpStep.Connect, SmtpFailureKind.ConnectionFailed,
            Of("Smtp_CannotReach", Where(endpoint), error.Message),
            Of("Smtp_CannotReach_Hint"),
            null),
    };

    /// <summary>The TCP connection was made, but the greeting, EHLO or TLS failed.</summary>
    public static SmtpFailure Connect(
        Exception error, SmtpEndpoint endpoint, TimeSpan timeout, string transcript, CertificateCheck? certificate)
    {
        var where = Where(endpoint);
        var implicitTls = IsImplicitTls(endpoint);
        var startTlsSent = SmtpTranscript.HasClientCommand(transcript, "STARTTLS");
        var handshakeTimedOut = error is SslHandshakeException { InnerException: TimeoutException or OperationCanceledException }
            || error is TimeoutException or OperationCanceledException && implicitTls && certificate is null;
        switch (error)
        {
            case var _ when handshakeTimedOut:
                return new(SmtpStep.Tls, SmtpFailureKind.Timeout,
                    Of("Smtp_TlsHandshakeTimeout", where, Seconds(timeout)),
                    implicitTls ? Of("Smtp_ExpectsStartTls_Hint") : Of("Smtp_StoppedAfterStartTls_Hint"),
                    null);

            case SslHandshakeException when certificate is { Accepted: false }:
                return certificate.Explain(endpoint.Host);

            case SslHandshakeException handshake:
                object reason = handshake.InnerException?.Message ?? (object)Of("Smtp_NoReasonGiven");
                return new(SmtpStep.Tls, SmtpFailureKind.TlsHandshakeFailed,
                    implicitTls ? Of("Smtp_NoTlsAnswer", where, reason) : Of("Smtp_TlsHandshakeFailed", where, reason),
                    implicitTls ? Of("Smtp_ExpectsStartTls_Hint") : Of("Smtp_OldTls_Hint"),
                    null);

            case TimeoutException or OperationCanceledException when !SmtpTranscript.HasServerLine(transcript):
                return new(SmtpStep.Connect, SmtpFailureKind.Timeout,
                    Of("Smtp_NoGreeting", where, Seconds(timeout)),
                    Of("Smtp_NoGreeting_Hint"),
                    null);

            case TimeoutException or OperationCanceledException:
                return new(startTlsSent ? SmtpStep.Tls : SmtpStep.Connect, SmtpFailureKind.Timeout,
                    Of(startTlsSent ? "Smtp_StoppedDuringTls" : "Smtp_StoppedAfterGreeting", where, Seconds(timeout)),
                    Of("Smtp_TryAgainLater_Hint"),
                    null);

            case NotSupportedException when endpoint.Security == SmtpSecurity.StartTls:
                return new(SmtpStep.Tls, SmtpFailureKind.TlsNotOffered,
                    Of("Smtp_StartTlsNotOffered", where),
                    Of("Smtp_StartTlsNotOffered_Hint"),
                    null);

            case SmtpCommandException command:
                var reply = SmtpReply.From((int)command.StatusCode, command.Message);
                return reply.IsTransient
                    ? Temporary(startTlsSent ? SmtpStep.Tls : SmtpStep.Connect, reply)
                    : new(startTlsSent ? SmtpStep.Tls : SmtpStep.Connect, SmtpFailureKind.ConnectionFailed,
                        Of(startTlsSent ? "Smtp_RefusedTls" : "Smtp_RefusedConnection", where, reply.ToString()),
                        Of("Smtp_RefusedConnection_Hint"),
                        reply.ToString());

            default:
                return new(startTlsSent ? SmtpStep.Tls : SmtpStep.Connect, SmtpFailureKind.ConnectionLost,
                    Of(startTlsSent ? "Smtp_ClosedDuringTls" : "Smtp_ClosedBeforeSmtp", where, error.Message),
                    Of("Smtp_ClosedBeforeSmtp_Hint"),
                    null);
        }
    }

    /// <summary>Auto ended up unencrypted, so the credential was kept back (see <see cref="SmtpLoginPolicy"/>).</summary>
    public static SmtpFailure CredentialsNotSentUnencrypted(SmtpEndpoint endpoint, SmtpCredential credential) =>
        credential is OAuth2Credential
            ? new(SmtpStep.Authenticate, SmtpFailureKind.CredentialsNotSentUnencrypted,
                Of("Smtp_TokenNotSentUnencrypted", Where(endpoint), credential.UserName),
                Of("Smtp_TokenNotSentUnencrypted_Hint"),
                null)
            : new(SmtpStep.Authenticate, SmtpFailureKind.CredentialsNotSentUnencrypted,
                Of("Smtp_PasswordNotSentUnencrypted", Where(endpoint), credential.UserName),
                Of("Smtp_PasswordNotSentUnencrypted_Hint"),
                null);

    public static SmtpFailure AuthenticationNotOffered(SmtpEndpoint endpoint, bool secure) =>
        new(SmtpStep.Authenticate, SmtpFailureKind.AuthenticationNotOffered,
            Of(secure ? "Smtp_NoAuth" : "Smtp_NoAuthUnencrypted", Where(endpoint)),
            Of(secure ? "Smtp_NoAuth_Hint" : "Smtp_NoAuthUnencrypted_Hint"),
            null);

    public static SmtpFailure MechanismNotOffered(SmtpCredential credential, IReadOnlyCollection<string> offered)
    {
        object list = offered.Count == 0 ? Of("Smtp_MechanismsNone") : string.Join(", ", offered);
        return credential is OAuth2Credential
            ? new(SmtpStep.Authenticate, SmtpFailureKind.MechanismNotOffered,
                Of("Smtp_NoXOAuth2", list),
                Of("Smtp_NoXOAuth2_Hint"),
                null)
            : new(SmtpStep.Authenticate, SmtpFailureKind.MechanismNotOffered,
                Of("Smtp_NoPlainOrLogin", list),
                offered.Any(m => m.Equals("XOAUTH2", StringComparison.OrdinalIgnoreCase))
                    ? Of("Smtp_NoPlainOrLogin_OAuthHint")
                    : Of("Smtp_NoPlainOrLogin_Hint"),
                null);
    }

    public static SmtpFailure Authentication(
        Exception error, SmtpCredential credential, TimeSpan timeout, string transcript)
    {
        if (error is TimeoutException or OperationCanceledException)
        {
            return new(SmtpStep.Authenticate, SmtpFailureKind.Timeout,
                Of("Smtp_LoginTimeout", Seconds(timeout)),
                Of("Smtp_TryAgainLater_Hint"),
                null);
        }

        if (error is IOException or ProtocolException or ServiceNotConnectedException)
        {
            return new(SmtpStep.Authenticate, SmtpFailureKind.ConnectionLost,
                Of("Smtp_ClosedDuringLogin", error.Message),
                Of("Smtp_ClosedDuringLogin_Hint"),
                null);
        }

        var reply = SmtpTranscript.LastReply(transcript) is { Code: >= 400 } last ? last : ReplyOf(error);
        var challenge = credential is OAuth2Credential ? SmtpTranscript.XOAuth2Challenge(transcript) : null;
        if (reply is not null && reply.HasEnhancedCode("5.7.139"))
        {
            var securityDefaults = reply.Mentions("security defaults");
            return new(SmtpStep.Authenticate, SmtpFailureKind.SmtpAuthDisabled,
                Of(securityDefaults ? "Smtp_SecurityDefaults" : "Smtp_SmtpAuthDisabled"),
                securityDefaults ? Of("Smtp_SecurityDefaults_Hint") : Of("Smtp_SmtpAuthDisabled_Hint", credential.UserName),
                reply.ToString());
        }

        if (reply is not null && reply.HasEnhancedCode("5.7.30"))
        {
            return BasicRetired(SmtpStep.Authenticate, reply);
        }

        if (reply is not null && credential is OAuth2Credential microsoft && reply.HasEnhancedCode("5.7.3"))
        {
            // Exchange Online's answer to a token it cannot map to the mailbox: for an app, a missing permission or
            // mailbox grant; for a person, a mailbox they may not send from. Refreshing (the caller's one retry) is harmless.
            return new(SmtpStep.Authenticate, SmtpFailureKind.OAuthTokenRefused,
                TokenRefused(microsoft, challenge, reply),
                Of("Smtp_OAuthUnsuccessful_Hint", microsoft.User),
                reply.ToString());
        }

        if (reply is not null && (reply.Code == 534 || reply.HasEnhancedCode("5.7.9")))
        {
            return new(SmtpStep.Authenticate, SmtpFailureKind.AppPasswordRequired,
                Of("Smtp_AppPassword"),
                Of("Smtp_AppPassword_Hint"),
                reply.ToString());
        }

        if (reply is not null && RequiresTls(reply))
        {
            return TlsRequired(SmtpStep.Authenticate, reply);
        }

        if (credential is OAuth2Credential oauth && (challenge is not null || reply is null || reply.Code >= 500))
        {
            return new(SmtpStep.Authenticate, SmtpFailureKind.OAuthTokenRefused,
                TokenRefused(oauth, challenge, reply),
                Of("Smtp_TokenRefused_Hint", oauth.User, OAuthScopes),
                reply?.ToString());
        }

        if (reply is { Code: 535 })
        {
            return new(SmtpStep.Authenticate, SmtpFailureKind.InvalidCredentials,
                Of("Smtp_InvalidCredentials", credential.UserName, reply.ToString()),
                Of("Smtp_InvalidCredentials_Hint"),
                reply.ToString());
        }

        if (reply is { IsTransient: true })
        {
            return Temporary(SmtpStep.Authenticate, reply);
        }

        return new(SmtpStep.Authenticate, SmtpFailureKind.AuthenticationFailed,
            Of("Smtp_LoginRefused", credential.UserName, reply?.ToString() ?? error.Message),
            Of("Smtp_LoginRefused_Hint"),
            reply?.ToString());
    }

    /// <summary>A timeout or a broken connection while checking the sender and recipient.</summary>
    public static SmtpFailure Interrupted(Exception error, SmtpStep step, TimeSpan timeout) =>
        error is TimeoutException or OperationCanceledException
            ? new(step, SmtpFailureKind.Timeout,
                Of("Smtp_NoAnswer", Seconds(timeout)),
                Of("Smtp_TryAgainLater_Hint"),
                null)
            : new(step, SmtpFailureKind.ConnectionLost,
                Of("Smtp_Closed", error.Message),
                Of("Smtp_TryAgain_Hint"),
                null);

    public static SmtpFailure Sender(SmtpStep step, SmtpReply reply, string sender, SmtpCredential? credential)
    {
        if (IsSendAsRefusal(reply))
        {
            return SendAsDenied(step, reply, sender, credential);
        }

        return Common(step, reply, credential) ?? new(step, SmtpFailureKind.SenderRefused,
            Of("Smtp_SenderRefused", sender, reply.ToString()),
            Of("Smtp_SenderRefused_Hint"),
            reply.ToString());
    }

    public static SmtpFailure Recipient(SmtpStep step, SmtpReply reply, string recipient, SmtpCredential? credential)
    {
        if (Common(step, reply, credential) is { } common)
        {
            return common;
        }

        return reply.Mentions("relay")
            ? new(step, SmtpFailureKind.RecipientRefused,
                Of("Smtp_NoRelay", recipient, reply.ToString()),
                Of(credential is null ? "Smtp_NoRelay_Hint" : "Smtp_NoRelay_LoggedInHint"),
                reply.ToString())
            : new(step, SmtpFailureKind.RecipientRefused,
                Of("Smtp_RecipientRefused", recipient, reply.ToString()),
                Of("Smtp_RecipientRefused_Hint"),
                reply.ToString());
    }

    public static SmtpFailure Send(
        Exception error, MimeMessage message, SmtpCredential? credential, TimeSpan timeout, string transcript)
    {
        switch (error)
        {
            case SmtpCommandException { ErrorCode: SmtpErrorCode.SenderNotAccepted } command:
                return Sender(SmtpStep.Send, ReplyOf(command), Address(command.Mailbox ?? message.From.Mailboxes.FirstOrDefault()), credential);
            case SmtpCommandException { ErrorCode: SmtpErrorCode.RecipientNotAccepted } command:
                return Recipient(SmtpStep.Send, ReplyOf(command), Address(command.Mailbox), credential);
            case SmtpCommandException command:
                var reply = ReplyOf(command);
                if (IsSendAsRefusal(reply))
                {
                    return SendAsDenied(SmtpStep.Send, reply, Address(message.From.Mailboxes.FirstOrDefault()), credential);
                }

                return Common(SmtpStep.Send, reply, credential) ?? new(SmtpStep.Send, SmtpFailureKind.MessageRefused,
                    Of(reply.Code == 552 || reply.HasEnhancedCode("5.3.4") ? "Smtp_MessageTooLarge" : "Smtp_MessageRefused", reply.ToString()),
                    Of(reply.Code == 552 ? "Smtp_MessageTooLarge_Hint" : "Smtp_MessageRefused_Hint"),
                    reply.ToString());
            case ServiceNotAuthenticatedException:
                var last = SmtpTranscript.LastReply(transcript) ?? SmtpReply.From(530, error.Message);
                return Common(SmtpStep.Send, last, credential) ?? NeedsLogin(SmtpStep.Send, last, credential);
            default:
                return Interrupted(error, SmtpStep.Send, timeout);
        }
    }

    internal static string Where(SmtpEndpoint endpoint) =>
        endpoint.Host.Contains(':', StringComparison.Ordinal)
            ? $"[{endpoint.Host}]:{endpoint.Port.ToString(CultureInfo.InvariantCulture)}"
            : $"{endpoint.Host}:{endpoint.Port.ToString(CultureInfo.InvariantCulture)}";

    internal static bool IsImplicitTls(SmtpEndpoint endpoint) =>
        endpoint.Security == SmtpSecurity.SslOnConnect || endpoint.Security == SmtpSecurity.Auto && endpoint.Port == 465;

    private static SmtpFailure Socket(SocketException socket, SmtpEndpoint endpoint, TimeSpan timeout) =>
        socket.SocketErrorCode switch
        {
            SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain =>
                new(SmtpStep.Connect, SmtpFailureKind.HostNotFound,
                    Of("Smtp_HostNotFound", endpoint.Host),
                    Of("Smtp_HostNotFound_Hint"),
                    null),
            SocketError.ConnectionRefused =>
                new(SmtpStep.Connect, SmtpFailureKind.ConnectionRefused,
                    Of("Smtp_NothingListens", Where(endpoint)),
                    Of("Smtp_NothingListens_Hint"),
                    null),
            SocketError.TimedOut => NoConnection(endpoint, timeout),
            _ =>
                new(SmtpStep.Connect, SmtpFailureKind.ConnectionFailed,
                    Of("Smtp_CannotReach", Where(endpoint), socket.Message),
                    Of("Smtp_CannotReach_Hint"),
                    null),
        };

    private static SmtpFailure NoConnection(SmtpEndpoint endpoint, TimeSpan timeout) =>
        new(SmtpStep.Connect, SmtpFailureKind.Timeout,
            Of("Smtp_NoConnection", Where(endpoint), Seconds(timeout)),
            Of("Smtp_NoConnection_Hint"),
            null);

    private static SmtpFailure? Common(SmtpStep step, SmtpReply reply, SmtpCredential? credential)
    {
        if (reply.HasEnhancedCode("5.7.30"))
        {
            return BasicRetired(step, reply);
        }

        if (RequiresTls(reply))
        {
            return TlsRequired(step, reply);
        }

        if (reply.Code == 530)
        {
            return NeedsLogin(step, reply, credential);
        }

        return reply.IsTransient ? Temporary(step, reply) : null;
    }

    private static bool RequiresTls(SmtpReply reply) =>
        reply.Code == 538 || reply.HasEnhancedCode("5.7.11") || reply.Mentions("STARTTLS") || reply.Mentions("encryption required");

    private static SmtpFailure BasicRetired(SmtpStep step, SmtpReply reply) =>
        new(step, SmtpFailureKind.BasicAuthenticationRetired,
            Of("Smtp_BasicRetired", reply.ToString()),
            Of("Smtp_BasicRetired_Hint"),
            reply.ToString());

    private static SmtpFailure TlsRequired(SmtpStep step, SmtpReply reply) =>
        new(step, SmtpFailureKind.TlsRequired,
            Of("Smtp_TlsRequired", reply.ToString()),
            Of("Smtp_TlsHint"),
            reply.ToString());

    private static SmtpFailure NeedsLogin(SmtpStep step, SmtpReply reply, SmtpCredential? credential) =>
        new(step, SmtpFailureKind.AuthenticationRequired,
            Of(credential is null ? "Smtp_NeedsLogin" : "Smtp_StillNeedsLogin", reply.ToString()),
            Of(credential is null ? "Smtp_NeedsLogin_Hint" : "Smtp_StillNeedsLogin_Hint"),
            reply.ToString());

    private static SmtpFailure Temporary(SmtpStep step, SmtpReply reply) =>
        new(step, SmtpFailureKind.TemporaryFailure,
            Of("Smtp_Temporary", reply.ToString()),
            Of("Smtp_Temporary_Hint"),
            reply.ToString());

    private static bool IsSendAsRefusal(SmtpReply reply) =>
        reply.HasEnhancedCode("5.7.60") || reply.HasEnhancedCode("5.2.252")
        || reply.Mentions("SendAsDenied") || reply.Mentions("send as");

    private static SmtpFailure SendAsDenied(SmtpStep step, SmtpReply reply, string sender, SmtpCredential? credential) =>
        new(step, SmtpFailureKind.SendAsDenied,
            credential is null
                ? Of("Smtp_SendAsDenied", sender, reply.ToString())
                : Of("Smtp_SendAsDenied_Mailbox", sender, reply.ToString(), credential.UserName),
            Of("Smtp_SendAsDenied_Hint", sender),
            reply.ToString());

    private static LocalizableText TokenRefused(OAuth2Credential oauth, XOAuth2Challenge? challenge, SmtpReply? reply)
    {
        var scope = challenge?.Scope is { Length: > 0 } s ? Of("Smtp_TheScope", s) : Of("Smtp_TheNeededScope");
        return challenge?.Status switch
        {
            "401" => Of("Smtp_TokenRefused401", oauth.User, scope),
            "400" => Of("Smtp_TokenRefused400", oauth.User, scope),
            { } status => Of("Smtp_TokenRefusedStatus", oauth.User, status),
            null when reply is not null => Of("Smtp_TokenRefusedStatus", oauth.User, reply.ToString()),
            null => Of("Smtp_TokenRefused", oauth.User),
        };
    }

    private static SmtpReply? ReplyOf(Exception error) => error switch
    {
        SmtpCommandException command => ReplyOf(command),
        AuthenticationException { InnerException: SmtpCommandException command } => ReplyOf(command),
        AuthenticationException authentication => ParseCodePrefix(authentication.Message),
        _ => null,
    };

    private static SmtpReply ReplyOf(SmtpCommandException command) =>
        SmtpReply.From((int)command.StatusCode, command.Message);

    /// <summary>MailKit's <c>"535: 5.7.8 text"</c>; the prefix may be missing.</summary>
    private static SmtpReply? ParseCodePrefix(string message) =>
        message.Length > 5 && message[3] == ':'
            && int.TryParse(message.AsSpan(0, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var code)
            ? SmtpReply.From(code, message[5..])
            : null;

    private static string Address(MailboxAddress? mailbox) => mailbox?.Address ?? "(none)";

    private static LocalizableText Seconds(TimeSpan timeout) =>
        timeout.TotalSeconds == 1 ? Of("Smtp_OneSecond") : Of("Smtp_Seconds", timeout.TotalSeconds);
}
