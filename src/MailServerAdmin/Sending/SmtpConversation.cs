using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MailServerAdmin.Localization;
using MailServerAdmin.MailServers;
using MimeKit;
using static MailServerAdmin.Localization.LocalizableText;

namespace MailServerAdmin.Sending;

/// <summary>
/// One SMTP conversation, shared by the connection test and the sender: connect (TCP, greeting, TLS) and log in
/// within the configured limit, then check an envelope or send a message, then QUIT. Every step is recorded in
/// plain words; the protocol log is kept with MailKit's AUTH redaction, and every text that leaves this class
/// is scrubbed of the credential's secret once more.
/// </summary>
internal sealed class SmtpConversation : IDisposable
{
    private readonly SmtpEndpoint _endpoint;
    private readonly TimeSpan _timeout;
    private readonly MemoryStream _log = new();
    private readonly ProtocolLogger _protocolLogger;
    private readonly SmtpSessionClient _client;
    private readonly SecretScrubber _scrubber;
    private readonly List<SmtpStepResult> _steps = [];
    private Socket? _socket;
    private CertificateCheck? _certificate;

    public SmtpConversation(SmtpEndpoint endpoint, TimeSpan timeout, ServerCertificateValidation certificateValidation)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(certificateValidation);
        ArgumentException.ThrowIfNullOrWhiteSpace(endpoint.Host, nameof(endpoint));
        ArgumentOutOfRangeException.ThrowIfLessThan(endpoint.Port, 1, nameof(endpoint));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(endpoint.Port, 65535, nameof(endpoint));
        _endpoint = endpoint;
        _timeout = timeout;
        _scrubber = SecretScrubber.For(endpoint.Credential);
        _protocolLogger = new ProtocolLogger(_log, leaveOpen: true) { RedactSecrets = true };
        _client = new SmtpSessionClient(_protocolLogger)
        {
            Timeout = (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds),
            ServerCertificateValidationCallback = (sender, certificate, chain, errors) =>
            {
                var verdict = CertificatePolicy.Decide(certificateValidation, endpoint.CertificatePin, sender, certificate, chain, errors);
                _certificate = CertificateCheck.Capture(certificate, chain, errors, verdict);
                return verdict.IsAccepted();
            },
        };
    }

    public IReadOnlyList<SmtpStepResult> Steps => _steps;

    public SmtpFailure? Failure { get; private set; }

    /// <summary>The conversation so far, message content left out and credentials masked.</summary>
    public string Transcript => _scrubber.Scrub(SmtpTranscript.LeaveOutMessageContent(RawTranscript()));

    /// <summary>
    /// <see cref="Transcript"/> as it is now, written out only when called (also after this conversation is disposed):
    /// most sends succeed and nobody reads theirs.
    /// </summary>
    public Func<string> DeferredTranscript()
    {
        var (buffer, length, scrubber) = (_log.GetBuffer(), (int)_log.Length, _scrubber);
        return () => scrubber.Scrub(SmtpTranscript.LeaveOutMessageContent(Encoding.UTF8.GetString(buffer, 0, length)));
    }

    /// <summary>Connects and logs in; false (with <see cref="Failure"/> set) when that fails.</summary>
    /// <exception cref="OperationCanceledException">The caller cancelled.</exception>
    public async Task<bool> OpenAsync(CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(_timeout);
        return await ConnectAsync(limit.Token, cancellationToken) && await AuthenticateAsync(limit.Token, cancellationToken);
    }

    /// <summary>MAIL FROM and RCPT TO without DATA, then RSET.</summary>
    public async Task<bool> CheckEnvelopeAsync(MailboxAddress sender, MailboxAddress recipient, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(_timeout);
        var step = SmtpStep.Sender;
        try
        {
            var mail = await _client.CommandAsync($"MAIL FROM:<{ForEnvelope(sender)}>{Utf8Parameter(sender)}", limit.Token);
            if (mail.StatusCode != SmtpStatusCode.Ok)
            {
                Fail(SmtpFailures.Sender(step, SmtpReply.From((int)mail.StatusCode, mail.Response), sender.Address, _endpoint.Credential));
                return false;
            }

            Pass(step, Of("Smtp_Step_SenderAccepted", sender.Address));
            step = SmtpStep.Recipient;
            var rcpt = await _client.CommandAsync($"RCPT TO:<{ForEnvelope(recipient)}>", limit.Token);
            if (rcpt.StatusCode is not (SmtpStatusCode.Ok or SmtpStatusCode.UserNotLocalWillForward))
            {
                Fail(SmtpFailures.Recipient(step, SmtpReply.From((int)rcpt.StatusCode, rcpt.Response), recipient.Address, _endpoint.Credential));
                return false;
            }

            Pass(step, Of("Smtp_Step_RecipientAccepted", recipient.Address));
            return true;
        }
        catch (Exception error) when (SmtpFailures.IsSmtpError(error))
        {
            cancellationToken.ThrowIfCancellationRequested();
            Fail(SmtpFailures.Interrupted(error, step, _timeout));
            return false;
        }
        finally
        {
            await ResetAsync(cancellationToken);
        }
    }

    /// <summary>Sends the message; returns the server's final reply, or null (with <see cref="Failure"/> set).</summary>
    public async Task<string?> SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        try
        {
            var reply = await _client.SendAsync(message, cancellationToken);
            Pass(SmtpStep.Send, Of("Smtp_Step_MessageAccepted", reply));
            return _scrubber.Scrub(reply);
        }
        catch (Exception error) when (SmtpFailures.IsSmtpError(error))
        {
            cancellationToken.ThrowIfCancellationRequested();
            Fail(SmtpFailures.Send(error, message, _endpoint.Credential, _timeout, RawTranscript()));
            return null;
        }
    }

    /// <summary>QUIT, as a courtesy: its failure changes nothing.</summary>
    public async Task CloseAsync()
    {
        if (!_client.IsConnected)
        {
            return;
        }

        using var limit = new CancellationTokenSource(_timeout);
        try
        {
            await _client.DisconnectAsync(true, limit.Token);
        }
        catch (Exception error) when (SmtpFailures.IsSmtpError(error))
        {
            // The result is already known; the socket is closed on dispose.
        }
    }

    public void Dispose()
    {
        _client.Dispose();
        _socket?.Dispose();
        _protocolLogger.Dispose();
        _log.Dispose();
    }

    /// <summary>Parses an address for MAIL FROM or RCPT TO; throws for anything that is not one plain address.</summary>
    public static MailboxAddress ParseAddress(string? address, string parameterName)
    {
        if (string.IsNullOrWhiteSpace(address)
            || !MailboxAddress.TryParse(address.Trim(), out var mailbox)
            || mailbox.Address.Length == 0
            || mailbox.Address.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c is '<' or '>'))
        {
            throw new ArgumentException("Not a valid e-mail address.", parameterName);
        }

        return mailbox;
    }

    private async Task<bool> ConnectAsync(CancellationToken limit, CancellationToken cancellationToken)
    {
        try
        {
            _socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
            await _socket.ConnectAsync(_endpoint.Host, _endpoint.Port, limit);
        }
        catch (Exception error) when (error is SocketException or OperationCanceledException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            Fail(SmtpFailures.Tcp(error, _endpoint, _timeout));
            return false;
        }

        try
        {
            await _client.ConnectAsync(_socket, _endpoint.Host, _endpoint.Port, SocketOptions(_endpoint.Security), limit);
        }
        catch (Exception error) when (SmtpFailures.IsSmtpError(error))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var failure = SmtpFailures.Connect(error, _endpoint, _timeout, RawTranscript(), _certificate);
            if (failure.Step != SmtpStep.Connect)
            {
                Pass(SmtpStep.Connect, Connected());
            }

            Fail(failure);
            return false;
        }

        Pass(SmtpStep.Connect, Connected());
        RecordEncryption();
        return true;
    }

    private async Task<bool> AuthenticateAsync(CancellationToken limit, CancellationToken cancellationToken)
    {
        var credential = _endpoint.Credential;
        if (credential is null)
        {
            Record(new(SmtpStep.Authenticate, SmtpStepOutcome.Skipped, Of("Smtp_Step_NoLogin")));
            return true;
        }

        if (!SmtpLoginPolicy.MaySendCredentials(_endpoint.Security, _client.IsSecure))
        {
            Fail(SmtpFailures.CredentialsNotSentUnencrypted(_endpoint, credential));
            return false;
        }

        var offered = _client.AuthenticationMechanisms.Order(StringComparer.Ordinal).ToList();
        if (offered.Count == 0)
        {
            Fail(SmtpFailures.AuthenticationNotOffered(_endpoint, _client.IsSecure));
            return false;
        }

        if (SmtpLoginPolicy.ChooseMechanism(credential, offered) is not { } mechanism)
        {
            Fail(SmtpFailures.MechanismNotOffered(credential, offered));
            return false;
        }

        try
        {
            await _client.AuthenticateAsync(mechanism, limit);
        }
        catch (Exception error) when (SmtpFailures.IsSmtpError(error))
        {
            cancellationToken.ThrowIfCancellationRequested();
            Fail(SmtpFailures.Authentication(error, credential, _timeout, RawTranscript()));
            return false;
        }

        Pass(SmtpStep.Authenticate, Of("Smtp_Step_LoggedIn", credential.UserName, Plain(mechanism.MechanismName)));
        return true;
    }

    private void RecordEncryption()
    {
        if (_client.IsSecure)
        {
            var implicitTls = SmtpFailures.IsImplicitTls(_endpoint);
            var protocol = Describe(_client.SslProtocol);
            var encrypted = _client.SslCipherSuite is { } suite
                ? Of(implicitTls ? "Smtp_Step_EncryptedSsl_Cipher" : "Smtp_Step_EncryptedStartTls_Cipher", protocol, suite.ToString())
                : Of(implicitTls ? "Smtp_Step_EncryptedSsl" : "Smtp_Step_EncryptedStartTls", protocol);
            Record(_certificate?.AcceptedStep(encrypted) ?? new(SmtpStep.Tls, SmtpStepOutcome.Passed, encrypted));
            return;
        }

        var login = _endpoint.Credential is not null;
        if (login && !SmtpLoginPolicy.MaySendCredentials(_endpoint.Security, encrypted: false))
        {
            // The login step that follows fails and says what to choose.
            Record(new(SmtpStep.Tls, SmtpStepOutcome.Warning, Of("Smtp_Step_NotEncryptedAuto_LoginWithheld")));
        }
        else if (_endpoint.Security == SmtpSecurity.Auto)
        {
            Record(new(SmtpStep.Tls, SmtpStepOutcome.Warning, Of("Smtp_Step_NotEncryptedAuto"), Of("Smtp_Step_NotEncryptedAuto_Hint")));
        }
        else
        {
            Record(new(SmtpStep.Tls, SmtpStepOutcome.Warning,
                Of(login ? "Smtp_Step_NotEncryptedNone_Login" : "Smtp_Step_NotEncryptedNone"),
                Of("Smtp_Step_NotEncryptedNone_Hint")));
        }
    }

    private async Task ResetAsync(CancellationToken cancellationToken)
    {
        if (!_client.IsConnected || cancellationToken.IsCancellationRequested)
        {
            return;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(_timeout);
        try
        {
            await _client.CommandAsync("RSET", limit.Token);
        }
        catch (Exception error) when (SmtpFailures.IsSmtpError(error))
        {
            // Only tidies the server's state before QUIT.
        }
    }

    private LocalizableText Connected()
    {
        var greeting = SmtpTranscript.FirstReply(RawTranscript());
        return greeting is null
            ? Of("Smtp_Step_Connected", SmtpFailures.Where(_endpoint))
            : Of("Smtp_Step_ConnectedGreeting", SmtpFailures.Where(_endpoint), greeting.ToString());
    }

    private string RawTranscript() => Encoding.UTF8.GetString(_log.GetBuffer(), 0, (int)_log.Length);

    private void Pass(SmtpStep step, LocalizableText detail) => Record(new(step, SmtpStepOutcome.Passed, detail));

    private void Fail(SmtpFailure failure)
    {
        var scrubbed = failure with
        {
            MessageText = failure.MessageText.Map(_scrubber.Scrub),
            HintText = failure.HintText?.Map(_scrubber.Scrub),
            ServerReply = _scrubber.ScrubOrNull(failure.ServerReply),
        };
        Failure = scrubbed;
        Record(new(scrubbed.Step, SmtpStepOutcome.Failed, scrubbed.MessageText, scrubbed.HintText));
    }

    private void Record(SmtpStepResult step) =>
        _steps.Add(step with { DetailText = step.DetailText.Map(_scrubber.Scrub), HintText = step.HintText?.Map(_scrubber.Scrub) });

    private static SecureSocketOptions SocketOptions(SmtpSecurity security) => security switch
    {
        SmtpSecurity.None => SecureSocketOptions.None,
        SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
        SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
        _ => SecureSocketOptions.Auto,
    };

    private static string Describe(SslProtocols protocol) => protocol switch
    {
        SslProtocols.Tls13 => "TLS 1.3",
        SslProtocols.Tls12 => "TLS 1.2",
        _ => protocol.ToString(),
    };

    /// <summary>An international address goes as is when the server offers SMTPUTF8, otherwise with its domain in IDNA form.</summary>
    private string ForEnvelope(MailboxAddress mailbox) =>
        Ascii.IsValid(mailbox.Address) || Utf8Allowed ? mailbox.Address : mailbox.GetAddress(idnEncode: true);

    private string Utf8Parameter(MailboxAddress mailbox) =>
        !Ascii.IsValid(mailbox.Address) && Utf8Allowed ? " SMTPUTF8" : "";

    private bool Utf8Allowed => (_client.Capabilities & SmtpCapabilities.UTF8) != 0;
}
