using MailServerAdmin.MailServers;
using System.Net.Sockets;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web;

/// <summary>How mail server values are shown to an administrator.</summary>
public static class MailServerDisplay
{
    public static string SecurityLabel(SmtpSecurity security, IStringLocalizer localizer)
    {
        ArgumentNullException.ThrowIfNull(localizer);
        return security switch
        {
            SmtpSecurity.None => localizer["Security_None"],
            SmtpSecurity.SslOnConnect => localizer["Security_SslOnConnect"],
            SmtpSecurity.StartTls => localizer["Security_StartTls"],
            SmtpSecurity.Auto => localizer["Security_Auto"],
            _ => security.ToString(),
        };
    }

    /// <summary>host:port, with an IPv6 literal in brackets.</summary>
    public static string Endpoint(string host, int port) =>
        System.Net.IPAddress.TryParse(host, out var ip) && ip.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{host}]:{port}"
            : $"{host}:{port}";

    public static string Sender(string email, string? name) =>
        string.IsNullOrEmpty(name) ? email : $"{name} <{email}>";
}
