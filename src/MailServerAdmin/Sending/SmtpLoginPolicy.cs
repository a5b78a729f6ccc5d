using MailKit.Security;
using MailServerAdmin.MailServers;

namespace MailServerAdmin.Sending;

/// <summary>
/// The two decisions about sending a credential, taken here and nowhere else: whether it may cross this connection,
/// and the one SASL mechanism it is sent with. One AUTH command per connection: every failed attempt counts against
/// the server's lockout, so a refused password is never tried again with another mechanism.
/// </summary>
internal static class SmtpLoginPolicy
{
    /// <summary>
    /// A password or token goes over an encrypted connection, or in clear only when the administrator chose None.
    /// Auto that ended up unencrypted (no STARTTLS offered) sends nothing; StartTls and SSL on connect never get here
    /// unencrypted, since their connection fails first.
    /// </summary>
    public static bool MaySendCredentials(SmtpSecurity security, bool encrypted) =>
        encrypted || security == SmtpSecurity.None;

    /// <summary>
    /// The mechanism to log in with among those the server offers: PLAIN, otherwise LOGIN, for a password (never
    /// XOAUTH2); XOAUTH2 for a token (never PLAIN or LOGIN). Null when the server offers none of them.
    /// </summary>
    public static SaslMechanism? ChooseMechanism(SmtpCredential credential, IReadOnlyCollection<string> offered)
    {
        ArgumentNullException.ThrowIfNull(credential);
        ArgumentNullException.ThrowIfNull(offered);
        bool Offers(string name) => offered.Contains(name, StringComparer.OrdinalIgnoreCase);
        return credential switch
        {
            BasicCredential basic when Offers("PLAIN") => new SaslMechanismPlain(basic.Login, basic.Password),
            BasicCredential basic when Offers("LOGIN") => new SaslMechanismLogin(basic.Login, basic.Password),
            OAuth2Credential oauth when Offers("XOAUTH2") => new SaslMechanismOAuth2(oauth.User, oauth.AccessToken),
            _ => null,
        };
    }
}
