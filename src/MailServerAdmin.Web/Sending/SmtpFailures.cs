using System.Globalization;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MailServerAdmin.Web.MailServers;
using MimeKit;

namespace MailServerAdmin.Web.Sending;

/// <summary>Turns what MailKit throws and what the server replies into a failure in plain words with a hint.</summary>
internal static class SmtpFailures
{
    private const string TlsHint =
        "Choose STARTTLS (usually port 587) or SSL on connect (usually port 465).";

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
            $"Cannot reach {Where(endpoint)}: {error.Message}",
            "Check the server name, the port and this machine's network connection.",
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
                    $"Connected to {where}, but the TLS handshake got no answer within {Seconds(timeout)}.",
                    implicitTls
                        ? "This port may expect plain SMTP with STARTTLS (usually port 587): choose STARTTLS."
                        : "The server stopped answering after STARTTLS; try again, or ask its administrator.",
                    null);

            case SslHandshakeException when certificate is { Accepted: false }:
                return certificate.Explain(endpoint.Host);

            case SslHandshakeException handshake:
                var reason = handshake.InnerException?.Message ?? "no reason given";
                return new(SmtpStep.Tls, SmtpFailureKind.TlsHandshakeFailed,
                    implicitTls
                        ? $"{where} did not answer with TLS; it probably expects plain SMTP first ({reason})"
                        : $"The TLS handshake with {where} failed: {reason}",
                    implicitTls
                        ? "This port may expect plain SMTP with STARTTLS (usually port 587): choose STARTTLS."
                        : "The server may only offer TLS versions this machine no longer accepts (TLS 1.2 or later is needed).",
                    null);

            case TimeoutException or OperationCanceledException when !SmtpTranscript.HasServerLine(transcript):
                return new(SmtpStep.Connect, SmtpFailureKind.Timeout,
                    $"Connected to {where}, but the server sent no SMTP greeting within {Seconds(timeout)}.",
                    "This port may expect SSL on connect (usually port 465): choose SSL on connect. Otherwise the "
                    + "server is overloaded, or this is not an SMTP port.",
                    null);

            case TimeoutException or OperationCanceledException:
                return new(startTlsSent ? SmtpStep.Tls : SmtpStep.Connect, SmtpFailureKind.Timeout,
                    $"{where} stopped answering {(startTlsSent ? "during the switch to TLS" : "after its greeting")} "
                    + $"(no reply within {Seconds(timeout)}).",
                    "Try again later; if it keeps happening, ask the server's administrator.",
                    null);

            case NotSupportedException when endpoint.Security == SmtpSecurity.StartTls:
                return new(SmtpStep.Tls, SmtpFailureKind.TlsNotOffered,
                    $"{where} does not offer STARTTLS, so the connection cannot be encrypted as chosen.",
                    "If the server encrypts from the first byte (usually port 465), choose SSL on connect. If it offers "
                    + "no encryption at all, the login would cross the network in clear: ask its administrator to enable TLS.",
                    null);

            case SmtpCommandException command:
                var reply = SmtpReply.From((int)command.StatusCode, command.Message);
                return reply.IsTransient
                    ? Temporary(startTlsSent ? SmtpStep.Tls : SmtpStep.Connect, reply)
                    : new(startTlsSent ? SmtpStep.Tls : SmtpStep.Connect, SmtpFailureKind.ConnectionFailed,
                        startTlsSent
                            ? $"{where} refused to switch to TLS: {reply}"
                            : $"{where} refused the connection: {reply}",
                        "Check the server name and port; the server may also refuse this machine's address.",
                        reply.ToString());

            default:
                return new(startTlsSent ? SmtpStep.Tls : SmtpStep.Connect, SmtpFailureKind.ConnectionLost,
                    $"{where} closed the connection {(startTlsSent ? "during the switch to TLS" : "before SMTP could start")}: "
                    + error.Message,
                    "Check that this is an SMTP port and that the security setting matches it: 465 is SSL on connect, "
                    + "587 is STARTTLS, 25 is STARTTLS or none.",
                    null);
        }
    }

    public static SmtpFailure AuthenticationNotOffered(SmtpEndpoint endpoint, bool secure) =>
        new(SmtpStep.Authenticate, SmtpFailureKind.AuthenticationNotOffered,
            $"{Where(endpoint)} offers no login (no AUTH in its EHLO reply){(secure ? "" : " on this unencrypted connection")}.",
            secure
                ? "This port takes no logins: check the port (587 for submission), or turn off 'Requires authentication' "
                    + "if the server relays mail for this machine's address without one."
                : "Many servers offer the login only once the connection is encrypted. " + TlsHint,
            null);

    public static SmtpFailure MechanismNotOffered(SmtpCredential credential, IReadOnlyCollection<string> offered)
    {
        var list = offered.Count == 0 ? "none" : string.Join(", ", offered);
        return credential is OAuth2Credential
            ? new(SmtpStep.Authenticate, SmtpFailureKind.MechanismNotOffered,
                $"The server does not offer XOAUTH2, so it cannot take an OAuth token (it offers: {list}).",
                "Use Basic authentication with this server, or check the server name: OAuth works with "
                + "smtp.gmail.com and smtp.office365.com.",
                null)
            : new(SmtpStep.Authenticate, SmtpFailureKind.MechanismNotOffered,
                $"The server offers neither PLAIN nor LOGIN, so it cannot take a password (it offers: {list}).",
                offered.Any(m => m.Equals("XOAUTH2", StringComparison.OrdinalIgnoreCase))
                    ? "This server takes OAuth tokens: switch the authentication to OAuth."
                    : "Ask the server's administrator which login this port accepts.",
                null);
    }

    public static SmtpFailure Authentication(
        Exception error, SmtpCredential credential, TimeSpan timeout, string transcript)
    {
        if (error is TimeoutException or OperationCanceledException)
        {
            return new(SmtpStep.Authenticate, SmtpFailureKind.Timeout,
                $"The server did not answer the login within {Seconds(timeout)}.",
                "Try again later; if it keeps happening, ask the server's administrator.",
                null);
        }

        if (error is IOException or ProtocolException or ServiceNotConnectedException)
        {
            return new(SmtpStep.Authenticate, SmtpFailureKind.ConnectionLost,
                $"The server closed the connection during the login: {error.Message}",
                "Try again; some servers drop the connection after repeated failed logins.",
                null);
        }

        var reply = SmtpTranscript.LastReply(transcript) is { Code: >= 400 } last ? last : ReplyOf(error);
        var challenge = credential is OAuth2Credential ? SmtpTranscript.XOAuth2Challenge(transcript) : null;
        if (reply is not null && reply.HasEnhancedCode("5.7.139"))
        {
            var securityDefaults = reply.Mentions("security defaults");
            return new(SmtpStep.Authenticate, SmtpFailureKind.SmtpAuthDisabled,
                securityDefaults
                    ? "Microsoft 365 refused the login: the organisation's security defaults block SMTP AUTH."
                    : "Microsoft 365 refused the login: SMTP AUTH (Authenticated SMTP) is disabled for this tenant or this mailbox.",
                securityDefaults
                    ? "Turn off security defaults in Microsoft Entra ID (Overview > Properties > Manage security defaults) "
                        + "and use Conditional Access instead, or use OAuth (Microsoft) for this server."
                    : "Enable Authenticated SMTP for the mailbox: Microsoft 365 admin center > Users > Active users > the "
                        + "mailbox > Mail > Manage email apps > tick Authenticated SMTP (or in Exchange Online PowerShell: "
                        + $"Set-CASMailbox -Identity {credential.UserName} -SmtpClientAuthenticationDisabled $false). If it is "
                        + "off for the whole organisation: Set-TransportConfig -SmtpClientAuthenticationDisabled $false. "
                        + "The change can take up to an hour to apply. OAuth needs it enabled too.",
                reply.ToString());
        }

        if (reply is not null && (reply.Code == 534 || reply.HasEnhancedCode("5.7.9")))
        {
            return new(SmtpStep.Authenticate, SmtpFailureKind.AppPasswordRequired,
                "Google refused the password: this account uses 2-Step Verification, so it needs an "
                + "application-specific password (app password).",
                "Create an app password at https://myaccount.google.com/apppasswords and enter it as the password, "
                + "or switch this server to OAuth (Google).",
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
                $"Get a new token (Get Token). If that does not help, check that the token is issued for the mailbox "
                + $"{oauth.User} and with the scope the provider needs ({OAuthScopes}).",
                reply?.ToString());
        }

        if (reply is { Code: 535 })
        {
            return new(SmtpStep.Authenticate, SmtpFailureKind.InvalidCredentials,
                $"The server refused the login and password for {credential.UserName} ({reply}).",
                "Check the login (usually the full e-mail address) and the password. Microsoft 365 also answers "
                + "535 5.7.3 when its policies block password logins for the mailbox: use OAuth (Microsoft) then.",
                reply.ToString());
        }

        if (reply is { IsTransient: true })
        {
            return Temporary(SmtpStep.Authenticate, reply);
        }

        return new(SmtpStep.Authenticate, SmtpFailureKind.AuthenticationFailed,
            $"The server refused the login for {credential.UserName}: {reply?.ToString() ?? error.Message}",
            "Check the login and the secret; the server's reply above says more.",
            reply?.ToString());
    }

    /// <summary>A timeout or a broken connection while checking the sender and recipient.</summary>
    public static SmtpFailure Interrupted(Exception error, SmtpStep step, TimeSpan timeout) =>
        error is TimeoutException or OperationCanceledException
            ? new(step, SmtpFailureKind.Timeout,
                $"The server did not answer within {Seconds(timeout)}.",
                "Try again later; if it keeps happening, ask the server's administrator.",
                null)
            : new(step, SmtpFailureKind.ConnectionLost,
                $"The server closed the connection: {error.Message}",
                "Try again; if it keeps happening, ask the server's administrator.",
                null);

    public static SmtpFailure Sender(SmtpStep step, SmtpReply reply, string sender, SmtpCredential? credential)
    {
        if (IsSendAsRefusal(reply))
        {
            return SendAsDenied(step, reply, sender, credential);
        }

        return Common(step, reply, credential) ?? new(step, SmtpFailureKind.SenderRefused,
            $"The server refused {sender} as the sender: {reply}",
            "Use an address this server may send for; many servers accept only the logged-in mailbox's own address.",
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
                $"The server does not relay mail to {recipient}: {reply}",
                credential is null
                    ? "Turn on 'Requires authentication': servers relay to other domains only for logged-in senders."
                    : "This login may not send to that domain; ask the server's administrator.",
                reply.ToString())
            : new(step, SmtpFailureKind.RecipientRefused,
                $"The server refused the recipient {recipient}: {reply}",
                "Check the address; 5.1.1 means the mailbox does not exist.",
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
                    reply.Code == 552 || reply.HasEnhancedCode("5.3.4")
                        ? $"The server refused the message as too large: {reply}"
                        : $"The server refused the message: {reply}",
                    reply.Code == 552 ? "Send a smaller message (fewer or smaller attachments)." : "The server's reply says why.",
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
                    $"The server name {endpoint.Host} could not be found (DNS).",
                    "Check the spelling of the server name, and that this machine can resolve names on the internet.",
                    null),
            SocketError.ConnectionRefused =>
                new(SmtpStep.Connect, SmtpFailureKind.ConnectionRefused,
                    $"{Where(endpoint)} refused the connection: nothing listens on that port.",
                    "Check the port (587 for STARTTLS, 465 for SSL on connect, 25 for relays) and the server name.",
                    null),
            SocketError.TimedOut => NoConnection(endpoint, timeout),
            _ =>
                new(SmtpStep.Connect, SmtpFailureKind.ConnectionFailed,
                    $"Cannot reach {Where(endpoint)}: {socket.Message}",
                    "Check the server name, the port and this machine's network connection.",
                    null),
        };

    private static SmtpFailure NoConnection(SmtpEndpoint endpoint, TimeSpan timeout) =>
        new(SmtpStep.Connect, SmtpFailureKind.Timeout,
            $"No connection to {Where(endpoint)} within {Seconds(timeout)}: the server does not answer.",
            "Check the server name and the port, and that no firewall (on this machine, in this network or at the "
            + "hosting provider) blocks outgoing connections to that port.",
            null);

    private static SmtpFailure? Common(SmtpStep step, SmtpReply reply, SmtpCredential? credential)
    {
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

    private static SmtpFailure TlsRequired(SmtpStep step, SmtpReply reply) =>
        new(step, SmtpFailureKind.TlsRequired,
            $"The server accepts this only over an encrypted connection: {reply}",
            TlsHint,
            reply.ToString());

    private static SmtpFailure NeedsLogin(SmtpStep step, SmtpReply reply, SmtpCredential? credential) =>
        new(step, SmtpFailureKind.AuthenticationRequired,
            credential is null
                ? $"The server takes mail only after a login: {reply}"
                : $"The server still asks for a login: {reply}",
            credential is null
                ? "Turn on 'Requires authentication' and enter the login and password, or use OAuth."
                : "Ask the server's administrator whether this login may send mail.",
            reply.ToString());

    private static SmtpFailure Temporary(SmtpStep step, SmtpReply reply) =>
        new(step, SmtpFailureKind.TemporaryFailure,
            $"The server refused this for now: {reply}",
            "Try again in a few minutes. If it keeps happening, the server may be limiting this account or this machine's address.",
            reply.ToString());

    private static bool IsSendAsRefusal(SmtpReply reply) =>
        reply.HasEnhancedCode("5.7.60") || reply.HasEnhancedCode("5.2.252")
        || reply.Mentions("SendAsDenied") || reply.Mentions("send as");

    private static SmtpFailure SendAsDenied(SmtpStep step, SmtpReply reply, string sender, SmtpCredential? credential) =>
        new(step, SmtpFailureKind.SendAsDenied,
            $"The server refused {sender} as the sender: the signed-in mailbox"
            + $"{(credential is null ? "" : $" ({credential.UserName})")} may not send as this sender ({reply}).",
            $"Use the mailbox's own address as the sender's e-mail, or give the mailbox the Send As permission on {sender} "
            + $"(Exchange admin center > Recipients > Mailboxes > {sender} > Delegation > Send as).",
            reply.ToString());

    private static string TokenRefused(OAuth2Credential oauth, XOAuth2Challenge? challenge, SmtpReply? reply)
    {
        var scope = challenge?.Scope is { Length: > 0 } s ? $"the scope {s}" : "the needed scope";
        return challenge?.Status switch
        {
            "401" => $"The access token for {oauth.User} was refused (401); it may have expired or lack {scope}.",
            "400" => $"The access token for {oauth.User} was refused (400); it may belong to another mailbox than "
                + $"{oauth.User}, or lack {scope}.",
            { } status => $"The access token for {oauth.User} was refused ({status}).",
            null => $"The access token for {oauth.User} was refused{(reply is null ? "" : $" ({reply})")}.",
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

    private static string Seconds(TimeSpan timeout) =>
        timeout.TotalSeconds == 1 ? "1 second" : $"{timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} seconds";
}
