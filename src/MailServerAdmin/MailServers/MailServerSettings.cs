using MailServerAdmin.OAuth;

namespace MailServerAdmin.MailServers;

/// <summary>
/// The settings of a server that decide where its secrets travel: the SMTP destination and the OAuth provider's
/// client and endpoints, and the certificate the server is pinned to. A stored secret is bound to the settings it was saved with (see <see cref="SecretPolicy"/>).
/// </summary>
public sealed record MailServerSettings(
    string Host,
    int Port,
    SmtpSecurity Security,
    AuthenticationType AuthenticationType,
    OAuthProvider? Provider = null,
    string? Tenant = null,
    string? ClientId = null,
    string? AuthorizationUrl = null,
    string? TokenUrl = null,
    string? RevocationUrl = null,
    string? CertificatePin = null)
{
    public static MailServerSettings Of(MailServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return server.AuthenticationType == AuthenticationType.OAuth
            ? new(server.Host, server.Port, server.Security, server.AuthenticationType, server.OAuthProvider, server.Tenant,
                server.ClientId, server.AuthorizationUrl, server.TokenUrl, server.RevocationUrl, server.CertificatePin)
            : new(server.Host, server.Port, server.Security, server.AuthenticationType, CertificatePin: server.CertificatePin);
    }
}

/// <summary>A secret column of a mail server.</summary>
public enum SecretField
{
    Password,
    ClientSecret,
    AccessToken,
    RefreshToken,

    /// <summary>An app-only server's certificate with its private key; bound like the client secret.</summary>
    Certificate,

    /// <summary>A Google service account's key; bound like the client secret.</summary>
    ServiceAccountKey,
}

/// <summary>Whether a secret is stored, and whether this app can still read it.</summary>
public enum SecretState
{
    None,
    Readable,

    /// <summary>Stored, but it cannot be decrypted here (the key ring lost its key, or the value was moved).</summary>
    Unreadable,
}

/// <summary>A stored secret, read for one use.</summary>
public readonly record struct SecretRead(SecretState State, string? Value)
{
    public static readonly SecretRead None = new(SecretState.None, null);
    public static readonly SecretRead Unreadable = new(SecretState.Unreadable, null);

    public static SecretRead Readable(string value) => new(SecretState.Readable, value);
}
