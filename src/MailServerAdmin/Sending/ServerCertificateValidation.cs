using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MailServerAdmin.Sending;

/// <summary>
/// Decides whether an SMTP server's TLS certificate is trusted. <see cref="SmtpSendingServiceCollectionExtensions.AddSmtpSending"/>
/// registers MailKit's own validation (the system's trust store, the host name and the validity dates); tests
/// register one that trusts exactly their test server's certificate. There is deliberately no setting to
/// trust more. <see cref="CertificatePolicy"/> asks it for servers without a pinned certificate, and decides the rest.
/// </summary>
public delegate bool ServerCertificateValidation(
    object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors sslPolicyErrors);
