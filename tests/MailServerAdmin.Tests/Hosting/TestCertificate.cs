using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MailServerAdmin.Tests.Hosting;

/// <summary>A self-signed RSA certificate made for one test, also written as a password-protected .pfx file.</summary>
public sealed class TestCertificate : IDisposable
{
    public const string Password = "pfx-password-for-tests";

    private TestCertificate(X509Certificate2 certificate, string path)
    {
        Certificate = certificate;
        PfxPath = path;
    }

    public X509Certificate2 Certificate { get; }

    public string PfxPath { get; }

    /// <summary>For Data Protection (key encipherment) and for TLS on 127.0.0.1.</summary>
    public static TestCertificate Create(string directory, string subject = "CN=MailServerAdmin tests")
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.DataEncipherment, critical: false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var pfx = created.Export(X509ContentType.Pfx, Password);
        var path = Path.Combine(directory, $"test-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, pfx);
        return new TestCertificate(X509CertificateLoader.LoadPkcs12(pfx, Password), path);
    }

    public void Dispose() => Certificate.Dispose();
}
