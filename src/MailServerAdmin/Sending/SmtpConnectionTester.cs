using Microsoft.Extensions.Options;

namespace MailServerAdmin.Sending;

/// <summary>
/// "Test connection": connects with the configured security, logs in, and asks the server whether it takes the
/// sender and the recipient (MAIL FROM and RCPT TO, then RSET: no message is sent), then QUITs.
/// </summary>
public sealed partial class SmtpConnectionTester(
    IOptions<SmtpOptions> options,
    ServerCertificateValidation certificateValidation,
    ILogger<SmtpConnectionTester> logger)
{
    /// <summary>Runs the test. SMTP problems come back in the result; only the caller's cancellation throws.</summary>
    /// <param name="endpoint">The server and the credential to log in with.</param>
    /// <param name="senderAddress">The sender's e-mail, checked with MAIL FROM.</param>
    /// <param name="recipientAddress">The address checked with RCPT TO; the sender when null or blank.</param>
    /// <param name="ct">The caller's cancellation.</param>
    /// <exception cref="ArgumentException">An address is not a valid e-mail address, or the endpoint is incomplete.</exception>
    public async Task<SmtpCheckResult> TestAsync(
        SmtpEndpoint endpoint, string senderAddress, string? recipientAddress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var sender = SmtpConversation.ParseAddress(senderAddress, nameof(senderAddress));
        var recipient = string.IsNullOrWhiteSpace(recipientAddress)
            ? sender
            : SmtpConversation.ParseAddress(recipientAddress, nameof(recipientAddress));

        using var conversation = new SmtpConversation(endpoint, options.Value.Timeout, certificateValidation);
        if (await conversation.OpenAsync(ct))
        {
            await conversation.CheckEnvelopeAsync(sender, recipient, ct);
        }

        await conversation.CloseAsync();
        var result = new SmtpCheckResult(conversation.Steps, conversation.Failure, conversation.Transcript);
        if (result.Failure is { } failure)
        {
            LogFailed(logger, endpoint.Host, endpoint.Port, failure.Step, failure.Kind, failure.Message);
        }
        else
        {
            LogPassed(logger, endpoint.Host, endpoint.Port);
        }

        LogConversation(logger, endpoint.Host, endpoint.Port, result.Transcript);
        return result;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "SMTP connection test of {Host}:{Port} passed")]
    private static partial void LogPassed(ILogger logger, string host, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SMTP connection test of {Host}:{Port} failed at {Step} ({Kind}): {Reason}")]
    private static partial void LogFailed(ILogger logger, string host, int port, SmtpStep step, SmtpFailureKind kind, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SMTP conversation with {Host}:{Port}, credentials masked:\n{Transcript}")]
    private static partial void LogConversation(ILogger logger, string host, int port, string transcript);
}
