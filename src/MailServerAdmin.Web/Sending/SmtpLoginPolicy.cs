using MailServerAdmin.Web.MailServers;

namespace MailServerAdmin.Web.Sending;

/// <summary>The decision whether a credential may cross a connection, taken here and nowhere else.</summary>
internal static class SmtpLoginPolicy
{
    /// <summary>
    /// A password or token goes over an encrypted connection, or in clear only when the administrator chose None.
    /// Auto that ended up unencrypted (no STARTTLS offered) sends nothing; StartTls and SSL on connect never get here
    /// unencrypted, since their connection fails first.
    /// </summary>
    public static bool MaySendCredentials(SmtpSecurity security, bool encrypted) =>
        encrypted || security == SmtpSecurity.None;
}
