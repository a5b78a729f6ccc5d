using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MailKit;
using MailKit.Net.Smtp;

namespace MailServerAdmin.Sending;

/// <summary>
/// MailKit's SMTP client plus two things its public API does not offer: one command whose reply is returned
/// instead of thrown (MAIL FROM and RCPT TO without DATA), and MailKit's default certificate validation as a
/// method that can be registered and wrapped.
/// </summary>
internal sealed class SmtpSessionClient(IProtocolLogger protocolLogger) : SmtpClient(protocolLogger)
{
    /// <summary>What MailKit does when no validation callback is set: the system's trust store, host name and dates.</summary>
    public static bool ValidateAsMailKitDoes(
        object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors sslPolicyErrors) =>
        DefaultServerCertificateValidationCallback(sender, certificate!, chain!, sslPolicyErrors);

    /// <summary>Sends one command and returns the reply; 4xx and 5xx replies are returned, not thrown.</summary>
    public Task<SmtpResponse> CommandAsync(string command, CancellationToken cancellationToken) =>
        SendCommandAsync(command, cancellationToken);
}
