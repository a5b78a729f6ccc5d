using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MailServerAdmin.Localization;
using MailServerAdmin.MailServers;
using static MailServerAdmin.Localization.LocalizableText;

namespace MailServerAdmin.Sending;

/// <summary>
/// What the TLS layer found wrong with a server certificate and what <see cref="CertificatePolicy"/> decided, kept
/// from the validation callback (MailKit's exception only carries it as prose) so that a refusal can be explained and
/// an acceptance with a warning said.
/// </summary>
internal sealed record CertificateCheck(
    SslPolicyErrors Errors,
    X509ChainStatusFlags ChainStatus,
    bool Accepted,
    string? Subject,
    string? Issuer,
    IReadOnlyList<string> Names,
    DateTime? NotBefore,
    DateTime? NotAfter,
    CertificateVerdict Verdict = CertificateVerdict.Refused,
    string? Fingerprint = null,
    string? RevocationUnknownFor = null)
{
    private const X509ChainStatusFlags RevocationUnknown =
        X509ChainStatusFlags.RevocationStatusUnknown | X509ChainStatusFlags.OfflineRevocation;

    public static CertificateCheck Capture(
        X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, CertificateVerdict verdict)
    {
        var full = certificate as X509Certificate2;
        return new CertificateCheck(
            errors, CertificatePolicy.StatusOf(chain), verdict.IsAccepted(), certificate?.Subject, certificate?.Issuer, NamesOf(full),
            full?.NotBefore, full?.NotAfter, verdict, certificate is null ? null : CertificateFingerprint.Of(certificate),
            CertificatePolicy.RevocationUnknownFor(chain));
    }

    /// <summary>
    /// The TLS step of a connection that accepted the certificate: passed, with a note when it was the pinned one, or a
    /// warning when its revocation status could not be checked.
    /// </summary>
    public SmtpStepResult AcceptedStep(LocalizableText encrypted) => Verdict switch
    {
        CertificateVerdict.RevocationUnknown => new(
            SmtpStep.Tls,
            SmtpStepOutcome.Warning,
            Join(" ", [encrypted, Of("Cert_RevocationUnknown_Warning", RevocationUnknownFor ?? Subject ?? "")]),
            Of("Cert_RevocationUnknown_Hint")),
        CertificateVerdict.Pinned => new(SmtpStep.Tls, SmtpStepOutcome.Passed, encrypted, Of("Cert_Pinned_Note", Fingerprint ?? "")),
        _ => new(SmtpStep.Tls, SmtpStepOutcome.Passed, encrypted),
    };

    /// <summary>The refused certificate, when an administrator may pin it (see <see cref="CertificatePolicy.MayPin"/>).</summary>
    public PresentedCertificate? Pinnable => Fingerprint is not null && CertificatePolicy.MayPin(Verdict, ChainStatus)
        ? new PresentedCertificate(Fingerprint, Subject ?? "", Issuer ?? "", NotBefore?.ToUniversalTime(), NotAfter?.ToUniversalTime())
        : null;

    /// <summary>Explains why the certificate was refused, for the TLS step.</summary>
    public SmtpFailure Explain(string host)
    {
        if (Verdict == CertificateVerdict.PinMismatch)
        {
            return new SmtpFailure(
                SmtpStep.Tls,
                SmtpFailureKind.CertificatePinMismatch,
                Of("Cert_PinMismatch", host, Fingerprint ?? ""),
                Of("Cert_PinMismatch_Hint"),
                null)
            {
                PinnableCertificate = Pinnable,
            };
        }

        var problems = new List<LocalizableText>();
        SmtpFailureKind? kind = null;
        void Problem(SmtpFailureKind problemKind, LocalizableText text)
        {
            kind ??= problemKind;
            problems.Add(text);
        }

        if ((Errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
        {
            Problem(SmtpFailureKind.CertificateUntrusted, Of("Cert_NoCertificate"));
        }

        if ((Errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
        {
            Problem(SmtpFailureKind.CertificateNameMismatch, Names.Count > 0
                ? Of("Cert_IssuedForOthers", string.Join(", ", Names), host)
                : Of("Cert_NotIssuedFor", host));
        }

        if ((ChainStatus & X509ChainStatusFlags.NotTimeValid) != 0)
        {
            Problem(SmtpFailureKind.CertificateExpired, NotBefore is { } from && from.ToUniversalTime() > DateTime.UtcNow
                ? Of("Cert_NotYetValid", Day(from))
                : Of("Cert_Expired", Day(NotAfter)));
        }

        if ((ChainStatus & X509ChainStatusFlags.Revoked) != 0)
        {
            Problem(SmtpFailureKind.CertificateRevoked, Of("Cert_Revoked"));
        }

        // An unknown revocation status alone is accepted (with a warning), so it is never the reason for a refusal.
        var untrusted = ChainStatus & ~(X509ChainStatusFlags.NotTimeValid | X509ChainStatusFlags.Revoked | RevocationUnknown);
        if (untrusted != X509ChainStatusFlags.NoError)
        {
            Problem(SmtpFailureKind.CertificateUntrusted, string.Equals(Subject, Issuer, StringComparison.Ordinal)
                ? Of("Cert_SelfSigned")
                : Of("Cert_Untrusted"));
        }

        if (problems.Count == 0)
        {
            Problem(SmtpFailureKind.CertificateUntrusted, Of("Cert_RefusedByCheck"));
        }

        var finalKind = kind ?? SmtpFailureKind.CertificateUntrusted;
        var reasons = Join("; ", problems);
        return new SmtpFailure(
            SmtpStep.Tls,
            finalKind,
            Subject is null ? Of("Cert_NotAccepted", host, reasons) : Of("Cert_NotAccepted_Issuer", host, reasons, Subject, Issuer ?? ""),
            Of(finalKind switch
            {
                SmtpFailureKind.CertificateNameMismatch => "Cert_NameMismatch_Hint",
                SmtpFailureKind.CertificateExpired => "Cert_Expired_Hint",
                SmtpFailureKind.CertificateRevoked => "Cert_Revoked_Hint",
                _ => "Cert_Untrusted_Hint",
            }),
            null)
        {
            PinnableCertificate = Pinnable,
        };
    }

    private static object Day(DateTime? day) =>
        day is { } value ? UtcTime.Day(value.ToUniversalTime()) : Of("Cert_UnknownDate");

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
