using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using MailServerAdmin.Localization;
using static MailServerAdmin.Localization.LocalizableText;

namespace MailServerAdmin.OAuth;

/// <summary>
/// What an app-only server signs in with: a client secret, a certificate with its private key (Microsoft 365), or a
/// service account's key (Google Workspace). Never written to a log or a page.
/// </summary>
public sealed record AppOnlyCredential(string? ClientSecret, AppCertificate? Certificate, ServiceAccountKey? ServiceAccountKey)
{
    public bool IsEmpty => string.IsNullOrEmpty(ClientSecret) && Certificate is null && ServiceAccountKey is null;

    public override string ToString() => Certificate is { } c ? $"certificate {c}" : ServiceAccountKey is { } k ? $"service account key {k}" : "client secret";
}

/// <summary>
/// A certificate with its RSA private key, kept as PEM (the certificate, then the PKCS#8 key). Its subject, thumbprint
/// and expiry are read from it; they are no secret and are shown.
/// </summary>
public sealed class AppCertificate
{
    /// <summary>Largest certificate or key file accepted.</summary>
    public const int MaxFileBytes = 64 * 1024;

    [JsonConstructor]
    public AppCertificate(string pem)
    {
        Pem = pem;
        using var certificate = X509Certificate2.CreateFromPem(pem);
        Subject = certificate.Subject;
        Thumbprint = certificate.Thumbprint;
        NotAfterUtc = certificate.NotAfter.ToUniversalTime();
    }

    /// <summary>The certificate and its private key, PEM encoded. Secret: stored encrypted, never shown.</summary>
    public string Pem { get; }

    [JsonIgnore]
    public string Subject { get; }

    /// <summary>SHA-1 thumbprint in hex, as Entra shows it.</summary>
    [JsonIgnore]
    public string Thumbprint { get; }

    [JsonIgnore]
    public DateTime NotAfterUtc { get; }

    /// <summary>
    /// Reads an uploaded PFX (PKCS#12) or PEM file (certificate and private key, the key possibly encrypted) and keeps
    /// it as PEM; throws <see cref="CredentialFileException"/> with the reason in words.
    /// </summary>
    public static AppCertificate Parse(byte[] file, string? password)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.Length == 0 || file.Length > MaxFileBytes)
        {
            throw new CredentialFileException(Of("Credential_CertificateSize", MaxFileBytes / 1024));
        }

        X509Certificate2 certificate;
        var text = Encoding.UTF8.GetString(file);
        try
        {
            if (text.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                if (!text.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
                {
                    throw new CredentialFileException(Of("Credential_NoPrivateKey"));
                }

                certificate = text.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal)
                    ? X509Certificate2.CreateFromEncryptedPem(text, text, password ?? "")
                    : X509Certificate2.CreateFromPem(text, text);
            }
            else
            {
                certificate = X509CertificateLoader.LoadPkcs12(
                    file, string.IsNullOrEmpty(password) ? null : password, X509KeyStorageFlags.Exportable | X509KeyStorageFlags.EphemeralKeySet);
            }
        }
        catch (CryptographicException ex)
        {
            throw new CredentialFileException(Of("Credential_CertificateUnreadable"), ex);
        }
        catch (ArgumentException ex)
        {
            throw new CredentialFileException(Of("Credential_CertificateUnreadable"), ex);
        }

        using (certificate)
        {
            if (!certificate.HasPrivateKey)
            {
                throw new CredentialFileException(Of("Credential_NoPrivateKey"));
            }

            using var key = certificate.GetRSAPrivateKey() ?? throw new CredentialFileException(Of("Credential_NotRsa"));
            if (key.KeySize < 2048)
            {
                throw new CredentialFileException(Of("Credential_KeyTooSmall", key.KeySize));
            }

            string keyPem;
            try
            {
                keyPem = key.ExportPkcs8PrivateKeyPem();
            }
            catch (CryptographicException ex)
            {
                throw new CredentialFileException(Of("Credential_CertificateUnreadable"), ex);
            }

            return new AppCertificate(certificate.ExportCertificatePem() + "\n" + keyPem + "\n");
        }
    }

    /// <summary>The certificate with its private key, for one sign-in; the caller disposes it.</summary>
    public X509Certificate2 Load() => X509Certificate2.CreateFromPem(Pem, Pem);

    public override string ToString() => $"{Subject} ({Thumbprint})";
}

/// <summary>
/// A Google service account's JSON key, as downloaded from the Google Cloud console. Its client e-mail, key id and
/// client id are read from it; they are no secret and are shown (the client id is what domain-wide delegation names).
/// </summary>
public sealed class ServiceAccountKey
{
    [JsonConstructor]
    public ServiceAccountKey(string json)
    {
        Json = json;
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        ClientEmail = root.GetProperty("client_email").GetString()!;
        KeyId = root.GetProperty("private_key_id").GetString()!;
        ClientId = root.TryGetProperty("client_id", out var id) ? id.GetString() ?? "" : "";
        PrivateKeyPem = root.GetProperty("private_key").GetString()!;
    }

    /// <summary>The key file. Secret: stored encrypted, never shown.</summary>
    public string Json { get; }

    /// <summary>The service account's e-mail address: the issuer of its assertions.</summary>
    [JsonIgnore]
    public string ClientEmail { get; }

    [JsonIgnore]
    public string KeyId { get; }

    /// <summary>The service account's numeric client ID, which the Google Admin console's domain-wide delegation names.</summary>
    [JsonIgnore]
    public string ClientId { get; }

    [JsonIgnore]
    internal string PrivateKeyPem { get; }

    /// <summary>Reads an uploaded JSON key; throws <see cref="CredentialFileException"/> with the reason in words.</summary>
    public static ServiceAccountKey Parse(byte[] file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.Length == 0 || file.Length > AppCertificate.MaxFileBytes)
        {
            throw new CredentialFileException(Of("Credential_KeySize", AppCertificate.MaxFileBytes / 1024));
        }

        try
        {
            using var document = JsonDocument.Parse(file);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("type", out var type) || type.GetString() != "service_account")
            {
                throw new CredentialFileException(Of("Credential_NotServiceAccountKey"));
            }

            foreach (var field in new[] { "client_email", "private_key_id", "private_key", "client_id" })
            {
                if (!root.TryGetProperty(field, out var value) || value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
                {
                    throw new CredentialFileException(Of("Credential_KeyFieldMissing", field));
                }
            }

            using var rsa = RSA.Create();
            rsa.ImportFromPem(root.GetProperty("private_key").GetString());
            return new ServiceAccountKey(Encoding.UTF8.GetString(file));
        }
        catch (JsonException ex)
        {
            throw new CredentialFileException(Of("Credential_NotServiceAccountKey"), ex);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            throw new CredentialFileException(Of("Credential_KeyUnreadable"), ex);
        }
    }

    public override string ToString() => $"{ClientEmail} ({KeyId})";
}

/// <summary>An uploaded certificate or key that cannot be used; <see cref="Text"/> says why.</summary>
public sealed class CredentialFileException(LocalizableText text, Exception? inner = null) : Exception(text?.ToString(), inner)
{
    public LocalizableText Text { get; } = text ?? throw new ArgumentNullException(nameof(text));
}
