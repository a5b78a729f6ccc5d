using Microsoft.Extensions.Options;
using MimeKit;

namespace MailServerAdmin.Sending;

/// <summary>
/// Sends mail through an SMTP server: the same connection, TLS, login and limits as the connection test,
/// then the message. One connection per message.
/// </summary>
public sealed partial class SmtpMailSender(
    IOptions<SmtpOptions> options,
    ServerCertificateValidation certificateValidation,
    ILogger<SmtpMailSender> logger)
{
    /// <summary>
    /// Sends the message to its To, Cc and Bcc recipients, from its Sender or From. SMTP problems come back in the
    /// result (an <see cref="SmtpFailureKind.OAuthTokenRefused"/> failure means: refresh the token and send again);
    /// only the caller's cancellation throws.
    /// </summary>
    /// <exception cref="ArgumentException">The endpoint is incomplete.</exception>
    public async Task<SmtpSendResult> SendAsync(SmtpEndpoint endpoint, MimeMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(message);

        using var conversation = new SmtpConversation(endpoint, options.Value.Timeout, certificateValidation);
        string? reply = null;
        if (await conversation.OpenAsync(ct))
        {
            reply = await conversation.SendAsync(message, ct);
        }

        await conversation.CloseAsync();
        var result = new SmtpSendResult(conversation.Steps, conversation.Failure, reply, conversation.DeferredTranscript());
        if (result.Failure is { } failure)
        {
            LogFailed(logger, endpoint.Host, endpoint.Port, failure.Step, failure.Kind, failure.Message);
        }
        else
        {
            LogSent(logger, endpoint.Host, endpoint.Port, reply);
        }

        if (logger.IsEnabled(LogLevel.Debug))
        {
            LogConversation(logger, endpoint.Host, endpoint.Port, result.Transcript);
        }

        return result;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Message sent through {Host}:{Port}: {Reply}")]
    private static partial void LogSent(ILogger logger, string host, int port, string? reply);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending through {Host}:{Port} failed at {Step} ({Kind}): {Reason}")]
    private static partial void LogFailed(ILogger logger, string host, int port, SmtpStep step, SmtpFailureKind kind, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SMTP conversation with {Host}:{Port}, credentials masked, message content left out:\n{Transcript}")]
    private static partial void LogConversation(ILogger logger, string host, int port, string transcript);
}
