using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace MailServerAdmin.MailServers;

/// <summary>
/// Encrypts and decrypts the secrets of mail servers with ASP.NET Core Data Protection. Each secret has its own
/// purpose: its column, its server, and the digest of the settings <see cref="SecretPolicy"/> binds it to. A value
/// copied to another column or row, or read for other settings, does not decrypt; nor does one whose key is gone.
/// Reading never throws: it says <see cref="SecretState.Unreadable"/>.
/// </summary>
public sealed class SecretVault(IDataProtectionProvider dataProtection)
{
    /// <summary>The root purpose of the secrets. Versioned: a new scheme gets a new purpose.</summary>
    public const string Purpose = "MailServerAdmin.Secrets.v2";

    /// <summary>The scheme stored in <see cref="MailServer.SecretScheme"/> for values written by this vault.</summary>
    public const int Scheme = 2;

    /// <summary>The purpose of the first scheme: one protector for every column and row.</summary>
    public const string LegacyPurpose = "MailServerAdmin.Secrets.v1";

    private readonly IDataProtector _root = dataProtection.CreateProtector(Purpose);
    private readonly IDataProtector _legacy = dataProtection.CreateProtector(LegacyPurpose);

    public string Protect(SecretField field, int serverId, MailServerSettings settings, string value)
    {
        ArgumentException.ThrowIfNullOrEmpty(value);
        return Protector(field, serverId, settings).Protect(value);
    }

    /// <summary>The secret stored in <paramref name="field"/> of server <paramref name="serverId"/>, for use with <paramref name="settings"/>.</summary>
    public SecretRead Read(SecretField field, int serverId, MailServerSettings settings, string? stored)
    {
        if (stored is null)
        {
            return SecretRead.None;
        }

        try
        {
            return SecretRead.Readable(Protector(field, serverId, settings).Unprotect(stored));
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return SecretRead.Unreadable;
        }
    }

    public SecretState StateOf(SecretField field, int serverId, MailServerSettings settings, string? stored) =>
        Read(field, serverId, settings, stored).State;

    /// <summary>The secrets of a stored server, as <see cref="SecretPolicy"/> weighs them.</summary>
    public StoredSecrets StateOf(MailServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var settings = MailServerSettings.Of(server);
        return new StoredSecrets(
            settings,
            StateOf(SecretField.Password, server.Id, settings, server.ProtectedPassword),
            StateOf(SecretField.ClientSecret, server.Id, settings, server.ProtectedClientSecret),
            StateOf(SecretField.AccessToken, server.Id, settings, server.ProtectedAccessToken),
            StateOf(SecretField.RefreshToken, server.Id, settings, server.ProtectedRefreshToken))
        {
            Certificate = StateOf(SecretField.Certificate, server.Id, settings, server.ProtectedCertificate),
            ServiceAccountKey = StateOf(SecretField.ServiceAccountKey, server.Id, settings, server.ProtectedServiceAccountKey),
        };
    }

    /// <summary>A value written by the first scheme, decrypted; null when it cannot be.</summary>
    internal string? ReadLegacy(string? stored)
    {
        if (stored is null)
        {
            return null;
        }

        try
        {
            return _legacy.Unprotect(stored);
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException)
        {
            return null;
        }
    }

    private IDataProtector Protector(SecretField field, int serverId, MailServerSettings settings) =>
        _root.CreateProtector(field.ToString(), serverId.ToString(CultureInfo.InvariantCulture), SecretPolicy.Binding(field, settings));
}
