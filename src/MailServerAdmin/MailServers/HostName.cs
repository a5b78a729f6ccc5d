using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace MailServerAdmin.MailServers;

/// <summary>Checks and normalizes an SMTP host: a DNS name or an IPv4/IPv6 literal.</summary>
public static partial class HostName
{
    public const int MaxLength = 253;

    private static readonly IdnMapping Idn = new();

    /// <summary>
    /// Returns the canonical form of <paramref name="value"/> (lower-case DNS name, IP literal without
    /// brackets), or null when it is neither a DNS name nor an IP literal.
    /// </summary>
    public static string? Normalize(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var host = value.Trim();
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
            return IPAddress.TryParse(host, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6
                ? v6.ToString()
                : null;
        }

        if (host.Contains(':', StringComparison.Ordinal))
        {
            return IPAddress.TryParse(host, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6
                ? v6.ToString()
                : null;
        }

        if (DottedNumbers().IsMatch(host))
        {
            // All-numeric: only a strict dotted-quad IPv4 literal is accepted ("1" or "1.2.3" are not).
            var parts = host.Split('.');
            return parts.Length == 4 && parts.All(p => p.Length <= 3 && int.Parse(p, CultureInfo.InvariantCulture) <= 255)
                ? host
                : null;
        }

        string ascii;
        try
        {
            ascii = Idn.GetAscii(host.TrimEnd('.'));
        }
        catch (ArgumentException)
        {
            return null;
        }

        if (ascii.Length > MaxLength)
        {
            return null;
        }

        return ascii.Split('.').All(label => DnsLabel().IsMatch(label))
            ? host.TrimEnd('.').ToLowerInvariant()
            : null;
    }

    public static bool IsValid(string? value) => Normalize(value) is not null;

    [GeneratedRegex(@"^[0-9.]+$")]
    private static partial Regex DottedNumbers();

    [GeneratedRegex(@"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")]
    private static partial Regex DnsLabel();
}
