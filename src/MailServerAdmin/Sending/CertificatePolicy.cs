using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MailServerAdmin.MailServers;

namespace MailServerAdmin.Sending;

/// <summary>What a connection made of the certificate an SMTP server presented.</summary>
public enum CertificateVerdict
{
    /// <summary>Accepted by the configured <see cref="ServerCertificateValidation"/> (trust store, host name, dates).</summary>
    Trusted,

    /// <summary>Accepted because it is the certificate the server is pinned to, whatever its chain says.</summary>
    Pinned,

    /// <summary>
    /// Accepted with a warning: a trusted authority issued it for this name and its dates are valid, only whether it
    /// was revoked could not be checked (no revocation list or OCSP answer to be had).
    /// </summary>
    RevocationUnknown,

    Refused,

    /// <summary>The server is pinned to another certificate.</summary>
    PinMismatch,
}

/// <summary>
/// The one rule of which server certificates a connection accepts, asked by the TLS layer's validation callback:
/// <list type="bullet">
/// <item>with a pin, exactly the pinned certificate (its SHA-256 fingerprint), and nothing else;</item>
/// <item>without one, what the configured <see cref="ServerCertificateValidation"/> accepts, and also a certificate
/// whose only fault is that its revocation status could not be checked (accepted with a warning); a revoked one, an
/// untrusted, expired or misnamed one is refused.</item>
/// </list>
/// Certificate checks are never switched off: there is no setting that accepts every certificate.
/// </summary>
public static class CertificatePolicy
{
    private const X509ChainStatusFlags RevocationUnknownFlags =
        X509ChainStatusFlags.RevocationStatusUnknown | X509ChainStatusFlags.OfflineRevocation;

    /// <summary>Decides about the certificate a server presented, with the arguments of the TLS validation callback.</summary>
    /// <param name="validation">The configured validation (the system's, or a test's).</param>
    /// <param name="pin">The fingerprint the server is pinned to; null or empty for none.</param>
    /// <param name="sender">The TLS layer's sender.</param>
    /// <param name="certificate">The server's certificate.</param>
    /// <param name="chain">The chain the TLS layer built for it.</param>
    /// <param name="errors">What the TLS layer found wrong.</param>
    public static CertificateVerdict Decide(
        ServerCertificateValidation validation, string? pin, object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        ArgumentNullException.ThrowIfNull(validation);
        if (certificate is null)
        {
            return CertificateVerdict.Refused;
        }

        if (!string.IsNullOrEmpty(pin))
        {
            return CertificateFingerprint.Matches(pin, certificate) ? CertificateVerdict.Pinned : CertificateVerdict.PinMismatch;
        }

        if (validation(sender, certificate, chain, errors))
        {
            return CertificateVerdict.Trusted;
        }

        var status = StatusOf(chain);
        return errors == SslPolicyErrors.RemoteCertificateChainErrors
            && status != X509ChainStatusFlags.NoError
            && (status & ~RevocationUnknownFlags) == X509ChainStatusFlags.NoError
            ? CertificateVerdict.RevocationUnknown
            : CertificateVerdict.Refused;
    }

    public static bool IsAccepted(this CertificateVerdict verdict) =>
        verdict is CertificateVerdict.Trusted or CertificateVerdict.Pinned or CertificateVerdict.RevocationUnknown;

    /// <summary>
    /// Whether an administrator may be offered to pin a refused certificate: only when it was refused for who vouches
    /// for it or for its name (or it is not the pinned one), never when it is revoked, expired or not yet valid.
    /// </summary>
    public static bool MayPin(CertificateVerdict verdict, X509ChainStatusFlags chainStatus) =>
        verdict is CertificateVerdict.Refused or CertificateVerdict.PinMismatch
        && (chainStatus & (X509ChainStatusFlags.Revoked | X509ChainStatusFlags.NotTimeValid)) == X509ChainStatusFlags.NoError;

    /// <summary>Every problem of the chain, in one set of flags.</summary>
    public static X509ChainStatusFlags StatusOf(X509Chain? chain)
    {
        var status = X509ChainStatusFlags.NoError;
        foreach (var element in chain?.ChainStatus ?? [])
        {
            status |= element.Status;
        }

        return status;
    }

    /// <summary>The subject of the first certificate of the chain whose revocation status could not be checked.</summary>
    internal static string? RevocationUnknownFor(X509Chain? chain)
    {
        if (chain is null)
        {
            return null;
        }

        foreach (var element in chain.ChainElements)
        {
            if (element.ChainElementStatus.Any(s => (s.Status & RevocationUnknownFlags) != 0))
            {
                return element.Certificate.Subject;
            }
        }

        return null;
    }
}

/// <summary>
/// A certificate a server presented and a connection refused, which an administrator may pin for that server: its
/// SHA-256 fingerprint (see <see cref="CertificateFingerprint"/>), whom it names, who issued it, and when it is valid (UTC).
/// </summary>
public sealed record PresentedCertificate(string Fingerprint, string Subject, string Issuer, DateTime? NotBeforeUtc, DateTime? NotAfterUtc);
