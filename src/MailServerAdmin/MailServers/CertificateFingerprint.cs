using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailServerAdmin.MailServers;

/// <summary>
/// The SHA-256 fingerprint of a certificate (of its DER encoding) as a pin is written: 32 bytes in upper-case hex,
/// separated by colons (<c>AB:CD:…</c>), the way <c>openssl x509 -fingerprint -sha256</c> prints it.
/// </summary>
public static class CertificateFingerprint
{
    /// <summary>The length of a fingerprint as text: 64 hex digits and 31 colons.</summary>
    public const int TextLength = 95;

    /// <summary>The fingerprint of <paramref name="certificate"/>.</summary>
    public static string Of(X509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return Format(SHA256.HashData(certificate.GetRawCertData()));
    }

    /// <summary>
    /// A fingerprint as typed (64 hex digits, with or without colons between the bytes, any case) in its one written
    /// form; null when it is not one.
    /// </summary>
    public static string? Normalize(string? text)
    {
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            return null;
        }

        var digits = trimmed.Contains(':', StringComparison.Ordinal) ? WithoutColons(trimmed) : trimmed;
        if (digits is not { Length: 64 } || !digits.All(char.IsAsciiHexDigit))
        {
            return null;
        }

        return Format(Convert.FromHexString(digits));
    }

    /// <summary>Whether <paramref name="certificate"/> is the one <paramref name="pin"/> names.</summary>
    public static bool Matches(string pin, X509Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return string.Equals(Normalize(pin), Of(certificate), StringComparison.Ordinal);
    }

    private static string Format(byte[] hash) => string.Join(':', hash.Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>The digits of a colon-separated form, when every group is one byte (two digits); otherwise null.</summary>
    private static string? WithoutColons(string text)
    {
        var groups = text.Split(':');
        return groups.All(g => g.Length == 2) ? string.Concat(groups) : null;
    }
}
