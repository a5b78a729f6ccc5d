using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace MailServerAdmin.Web.Sending;

/// <summary>
/// What the TLS layer found wrong with a server certificate, kept from the validation callback (MailKit's
/// exception only carries it as prose) so that a refusal can be explained.
/// </summary>
internal sealed record CertificateCheck(
    SslPolicyErrors Errors,
    X509ChainStatusFlags ChainStatus,
    bool Accepted,
    string? Subject,
    string? Issuer,
    IReadOnlyList<string> Names,
    DateTime? NotBefore,
    DateTime? NotAfter)
{
    private const X509ChainStatusFlags RevocationUnknown =
        X509ChainStatusFlags.RevocationStatusUnknown | X509ChainStatusFlags.OfflineRevocation;

    public static CertificateCheck Capture(
        X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, bool accepted)
    {
        var status = X509ChainStatusFlags.NoError;
        foreach (var element in chain?.ChainStatus ?? [])
        {
            status |= element.Status;
        }

        var full = certificate as X509Certificate2;
        return new CertificateCheck(
            errors, status, accepted, certificate?.Subject, certificate?.Issuer, NamesOf(full), full?.NotBefore, full?.NotAfter);
    }

    /// <summary>Explains why the certificate was refused, for the TLS step.</summary>
    public SmtpFailure Explain(string host)
    {
        var problems = new List<string>();
        SmtpFailureKind? kind = null;
        void Problem(SmtpFailureKind problemKind, string text)
        {
            kind ??= problemKind;
            problems.Add(text);
        }

        if ((Errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            Problem(SmtpFailureKind.CertificateUntrusted, "the server sent no certificate");
        }

        if ((Errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            Problem(SmtpFailureKind.CertificateNameMismatch, Names.Count > 0
                ? $"it is issued for {string.Join(", ", Names)}, not for {host}"
                : $"it is not issued for {host}");
        }

        if ((ChainStatus & X509ChainStatusFlags.NotTimeValid) != 0)
        {
            Problem(SmtpFailureKind.CertificateExpired, NotBefore is { } from && from.ToUniversalTime() > DateTime.UtcNow
                ? $"it is valid only from {Day(from)}"
                : $"it expired on {Day(NotAfter)}");
        }

        if ((ChainStatus & X509ChainStatusFlags.Revoked) != 0)
        {
            Problem(SmtpFailureKind.CertificateRevoked, "its issuer has revoked it");
        }

        var untrusted = ChainStatus & ~(X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.Revoked | RevocationUnknown);
        if (untrusted != X509ChainStatusFlags.NoError)
        {
            Problem(SmtpFailureKind.CertificateUntrusted, string.Equals(Subject, Issuer, StringComparison.Ordinal)
                ? "it is self-signed, so no authority this machine trusts vouches for it"
                : "it is not issued by an authority this machine trusts (a private or unknown CA)");
        }
        else if ((ChainStatus & RevocationUnknown) != 0)
        {
            Problem(SmtpFailureKind.CertificateUntrusted, "whether it was revoked could not be checked");
        }

        if (problems.Count == 0)
        {
            Problem(SmtpFailureKind.CertificateUntrusted, "the certificate check configured for this app refused it");
        }

        var finalKind = kind ?? SmtpFailureKind.CertificateUntrusted;
        var who = Subject is null ? "" : $" ({Subject}, issued by {Issuer})";
        return new SmtpFailure(
            SmtpStep.Tls,
            finalKind,
            $"The TLS certificate of {host} is not accepted: {string.Join("; ", problems)}{who}.",
            finalKind switch
            {
                SmtpFailureKind.CertificateNameMismatch =>
                    "Enter the server name exactly as the certificate names it (for example smtp.office365.com), "
                    + "not an IP address or another alias of the host.",
                SmtpFailureKind.CertificateExpired =>
                    "The server's administrator must renew the certificate. If it looks valid, check the date and "
                    + "time of the machine that runs this app.",
                SmtpFailureKind.CertificateRevoked => "The server's administrator must replace the certificate.",
                _ => "If the server uses a certificate from a private CA, install that CA's certificate in the trust "
                    + "store of the machine that runs this app. Certificate checks are never switched off.",
            },
            null);
    }

    private static string Day(DateTime? day) =>
        day?.ToUniversalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "an unknown date";

    private static List<string> NamesOf(X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            return [];
        }

        var names = new List<string>();
        foreach (var extension in certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>())
        {
            names.AddRange(extension.EnumerateDnsNames());
            names.AddRange(extension.EnumerateIPAddresses().Select(a => a.ToString()));
        }

        if (names.Count == 0 && certificate.GetNameInfo(X509NameType.DnsName, false) is { Length: > 0 } name)
        {
            names.Add(name);
        }

        return names;
    }
}
