using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace MailServerAdmin.Tests.Infrastructure.OAuth;

/// <summary>Credentials an administrator uploads for app-only servers: certificates with their keys, and service account keys.</summary>
public static class TestCredentials
{
    /// <summary>A self-signed RSA 2048 certificate with its private key, valid from yesterday for <paramref name="days"/> days.</summary>
    public static X509Certificate2 Certificate(string subject = "CN=MailServerAdmin test app", int days = 365)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(days));
    }

    /// <summary>The certificate and its key as a PFX (PKCS#12) file protected by <paramref name="password"/>.</summary>
    public static byte[] Pfx(X509Certificate2 certificate, string password)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        return certificate.Export(X509ContentType.Pkcs12, password);
    }

    /// <summary>The certificate and its (unencrypted) key as one PEM file.</summary>
    public static string Pem(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var key = certificate.GetRSAPrivateKey()!;
        return certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem() + "\n";
    }

    /// <summary>The base64 body of the certificate's private key: what must never show up anywhere.</summary>
    public static string PrivateKeyBody(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        using var key = certificate.GetRSAPrivateKey()!;
        return Convert.ToBase64String(key.ExportPkcs8PrivateKey())[..64];
    }

    /// <summary>A Google service account's JSON key, as the Google Cloud console downloads it.</summary>
    public static ServiceAccountKeyFile ServiceAccountKey(string clientEmail = "mailer@example-project.iam.gserviceaccount.com")
    {
        var key = RSA.Create(2048);
        var keyId = Convert.ToHexString(RandomNumberGenerator.GetBytes(20)).ToLowerInvariant();
        var clientId = string.Concat(Enumerable.Range(0, 21).Select(_ => RandomNumberGenerator.GetInt32(10)));
        var json = new JsonObject
        {
            ["type"] = "service_account",
            ["project_id"] = "example-project",
            ["private_key_id"] = keyId,
            ["private_key"] = key.ExportPkcs8PrivateKeyPem() + "\n",
            ["client_email"] = clientEmail,
            ["client_id"] = clientId,
            ["auth_uri"] = "https://accounts.google.com/o/oauth2/auth",
            ["token_uri"] = "https://oauth2.googleapis.com/token",
        }.ToJsonString();
        return new ServiceAccountKeyFile(json, key, clientEmail, keyId, clientId);
    }
}

/// <summary>A service account key file and what it holds.</summary>
public sealed record ServiceAccountKeyFile(string Json, RSA Key, string ClientEmail, string KeyId, string ClientId)
{
    public byte[] Bytes => System.Text.Encoding.UTF8.GetBytes(Json);

    /// <summary>The base64 body of the private key: what must never show up anywhere.</summary>
    public string PrivateKeyBody => Convert.ToBase64String(Key.ExportPkcs8PrivateKey())[..64];
}
