using MailServerAdmin.Localization;

namespace MailServerAdmin.Sending;

/// <summary>The steps of a check or a send, in the order they run.</summary>
public enum SmtpStep
{
    Connect,
    Tls,
    Authenticate,
    Sender,
    Recipient,
    Send,
}

public enum SmtpStepOutcome
{
    Passed,

    /// <summary>Done, but with something the administrator should know (for example: not encrypted).</summary>
    Warning,

    /// <summary>Not needed here (for example: no login configured).</summary>
    Skipped,

    Failed,
}

/// <summary>
/// One step, in plain words; <paramref name="HintText"/> says what to do about a warning or a failure. Pages show the
/// texts in the administrator's language; <see cref="Detail"/> and <see cref="Hint"/> are the English texts.
/// </summary>
public sealed record SmtpStepResult(SmtpStep Step, SmtpStepOutcome Outcome, LocalizableText DetailText, LocalizableText? HintText = null)
{
    public string Detail => DetailText.ToString();

    public string? Hint => HintText?.ToString();
}

/// <summary>What went wrong, as far as it can be told from the outside.</summary>
public enum SmtpFailureKind
{
    /// <summary>The server name does not resolve.</summary>
    HostNotFound,

    /// <summary>Nothing listens on the port.</summary>
    ConnectionRefused,

    /// <summary>No route to the host, or another network error before SMTP started.</summary>
    ConnectionFailed,

    /// <summary>No answer within the configured limit: no connection, no greeting, or no TLS handshake.</summary>
    Timeout,

    /// <summary>The server closed the connection or broke the protocol.</summary>
    ConnectionLost,

    /// <summary>STARTTLS was chosen, but the server does not offer it.</summary>
    TlsNotOffered,

    /// <summary>The server accepts nothing before the connection is encrypted.</summary>
    TlsRequired,

    /// <summary>The TLS handshake failed for another reason than the certificate.</summary>
    TlsHandshakeFailed,

    CertificateNameMismatch,
    CertificateExpired,
    CertificateRevoked,

    /// <summary>Self-signed, from a private CA, or refused by the configured certificate validation.</summary>
    CertificateUntrusted,

    /// <summary>The server is pinned to a certificate, and presented another one.</summary>
    CertificatePinMismatch,

    /// <summary>
    /// Security is Auto and the server offered no STARTTLS: the password or token was not sent over the unencrypted
    /// connection (only None sends it in clear, because the administrator chose that).
    /// </summary>
    CredentialsNotSentUnencrypted,

    /// <summary>The server offers no AUTH at all on this connection.</summary>
    AuthenticationNotOffered,

    /// <summary>The server offers AUTH, but not the mechanism this credential needs (PLAIN/LOGIN or XOAUTH2).</summary>
    MechanismNotOffered,

    /// <summary><c>535 5.7.139</c>: SMTP AUTH is disabled for the Microsoft 365 tenant or mailbox.</summary>
    SmtpAuthDisabled,

    /// <summary><c>534 5.7.9</c>: Google wants an app password.</summary>
    AppPasswordRequired,

    /// <summary><c>550 5.7.30</c>: Microsoft 365 no longer accepts Basic authentication: the server must use OAuth.</summary>
    BasicAuthenticationRetired,

    /// <summary><c>535</c> to a login and password.</summary>
    InvalidCredentials,

    /// <summary>The access token was refused; refresh it and try again.</summary>
    OAuthTokenRefused,

    /// <summary>The login failed with a reply this code does not know.</summary>
    AuthenticationFailed,

    /// <summary><c>530</c>: the server takes mail only after a login.</summary>
    AuthenticationRequired,

    /// <summary>The logged-in mailbox may not send as the sender (Exchange <c>5.7.60</c>, <c>5.2.252</c>).</summary>
    SendAsDenied,

    SenderRefused,
    RecipientRefused,
    MessageRefused,

    /// <summary>A <c>4xx</c> reply: try again later.</summary>
    TemporaryFailure,
}

/// <summary>
/// A failure explained: <paramref name="MessageText"/> says what happened in plain words, <paramref name="HintText"/>
/// what to do about it, <paramref name="ServerReply"/> is the server's own reply when there was one. No credential
/// appears in any of them. Pages show the texts in the administrator's language; <see cref="Message"/> and
/// <see cref="Hint"/> are the English texts (for logs and the application).
/// </summary>
public sealed record SmtpFailure(SmtpStep Step, SmtpFailureKind Kind, LocalizableText MessageText, LocalizableText? HintText, string? ServerReply)
{
    /// <summary>
    /// The certificate the server presented, when it was refused only for who vouches for it or for its name (or it is
    /// not the pinned one): an administrator may pin it for this server.
    /// </summary>
    public PresentedCertificate? PinnableCertificate { get; init; }

    public string Message => MessageText.ToString();

    public string? Hint => HintText?.ToString();
}

/// <summary>
/// The outcome of a connection test: every step that ran, the failure that stopped it (null when all passed),
/// and the SMTP conversation with every credential replaced by <c>********</c>.
/// </summary>
public sealed record SmtpCheckResult(IReadOnlyList<SmtpStepResult> Steps, SmtpFailure? Failure, string Transcript)
{
    public bool Succeeded => Failure is null;
}

/// <summary>
/// The outcome of sending one message: as <see cref="SmtpCheckResult"/>, plus the server's final reply when the
/// message was accepted. The transcript leaves out the message's content.
/// </summary>
public sealed record SmtpSendResult(
    IReadOnlyList<SmtpStepResult> Steps, SmtpFailure? Failure, string? ServerReply, string Transcript)
{
    private readonly Func<string>? _pendingTranscript;
    private string? _transcript = Transcript;

    /// <summary>A result whose transcript is written out only when someone reads it (most successful sends: nobody).</summary>
    internal SmtpSendResult(IReadOnlyList<SmtpStepResult> steps, SmtpFailure? failure, string? serverReply, Func<string> transcript)
        : this(steps, failure, serverReply, Transcript: null!)
    {
        _pendingTranscript = transcript;
    }

    public string Transcript
    {
        get => _transcript ??= _pendingTranscript?.Invoke() ?? "";
        init => _transcript = value;
    }

    public bool Succeeded => Failure is null;
}
