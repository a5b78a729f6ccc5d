using MailServerAdmin.MailServers;

namespace MailServerAdmin.Sending;

/// <summary>
/// Where an SMTP server is and how to log in to it: what the connection test and the mail sender need, and
/// nothing else. <paramref name="Credential"/> is null for a server that takes mail without a login;
/// <paramref name="CertificatePin"/> is the fingerprint of the one certificate the server is trusted with, null for the
/// usual checks (see <see cref="CertificatePolicy"/>).
/// </summary>
public sealed record SmtpEndpoint(
    string Host, int Port, SmtpSecurity Security, SmtpCredential? Credential = null, string? CertificatePin = null);

/// <summary>How to log in to an SMTP server. The text form of a credential never shows its secret.</summary>
public abstract record SmtpCredential
{
    private protected SmtpCredential()
    {
    }

    /// <summary>The name the server sees: the login (Basic) or the mailbox the token was issued for (OAuth).</summary>
    public abstract string UserName { get; }
}

/// <summary>Login and password, sent once with AUTH PLAIN, or AUTH LOGIN when the server offers no PLAIN; never XOAUTH2.</summary>
public sealed record BasicCredential(string Login, string Password) : SmtpCredential
{
    public override string UserName => Login;

    public override string ToString() => $"{nameof(BasicCredential)} {{ Login = {Login}, Password = ******** }}";
}

/// <summary>An OAuth 2.0 access token for a mailbox, sent with AUTH XOAUTH2.</summary>
public sealed record OAuth2Credential(string User, string AccessToken) : SmtpCredential
{
    public override string UserName => User;

    public override string ToString() => $"{nameof(OAuth2Credential)} {{ User = {User}, AccessToken = ******** }}";
}
