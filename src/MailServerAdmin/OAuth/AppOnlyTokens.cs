using MailServerAdmin.MailServers;
using static MailServerAdmin.Localization.LocalizableText;

namespace MailServerAdmin.OAuth;

/// <summary>Obtains an access token with an app's own credential, for one kind of app-only provider.</summary>
public interface IAppOnlyTokenClient
{
    OAuthProvider Provider { get; }

    /// <summary>
    /// A new access token for sending as <paramref name="mailbox"/> (no user signs in, no refresh token is issued);
    /// throws <see cref="OAuthException"/> on any failure.
    /// </summary>
    Task<TokenSet> AcquireAsync(OAuthSettings settings, AppOnlyCredential credential, string mailbox, CancellationToken ct);
}

/// <summary>
/// App-only tokens: obtained for a form (Test sign-in) with the credential it carries, and renewed for a stored server
/// with its stored credential, which replaces the refresh token that app-only servers never have.
/// </summary>
public sealed class AppOnlyTokens(IEnumerable<IAppOnlyTokenClient> clients, SecretVault vault)
{
    private readonly Dictionary<OAuthProvider, IAppOnlyTokenClient> _byProvider = clients.ToDictionary(c => c.Provider);

    public Task<TokenSet> AcquireAsync(OAuthSettings settings, AppOnlyCredential credential, string mailbox, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return _byProvider[settings.Provider].AcquireAsync(settings, credential, mailbox, ct);
    }

    /// <summary>
    /// A new access token for a stored app-only server, with the credential stored for its settings; throws
    /// <see cref="TokenUnavailableException"/> when there is none that can be read, <see cref="OAuthException"/> when
    /// the provider refuses.
    /// </summary>
    public async Task<TokenSet> RenewAsync(MailServer server, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(server);
        var settings = MailServerSettings.Of(server);
        var secret = vault.Read(SecretField.ClientSecret, server.Id, settings, server.ProtectedClientSecret);
        var certificate = vault.Read(SecretField.Certificate, server.Id, settings, server.ProtectedCertificate);
        var key = vault.Read(SecretField.ServiceAccountKey, server.Id, settings, server.ProtectedServiceAccountKey);
        if (new[] { secret, certificate, key }.Any(s => s.State == SecretState.Unreadable))
        {
            throw new TokenUnavailableException(Of("Token_Unreadable"), Of("Token_Unreadable_Hint"));
        }

        var credential = new AppOnlyCredential(
            secret.Value,
            certificate.Value is { } pem ? new AppCertificate(pem) : null,
            key.Value is { } json ? new ServiceAccountKey(json) : null);
        if (credential.IsEmpty)
        {
            throw new TokenUnavailableException(Of("Token_NoAppCredential"), Of("Token_NoAppCredential_Hint"));
        }

        var oauth = new OAuthSettings(
            server.OAuthProvider!.Value, server.Tenant, server.ClientId ?? "", secret.Value, null, server.TokenUrl ?? "", null, server.Scopes);
        try
        {
            return await AcquireAsync(oauth, credential, server.UserName ?? server.SenderEmail, ct);
        }
        catch (OAuthException ex) when (ex.Error == "invalid_grant")
        {
            // A refused assertion (RFC 7521) is a credential or delegation problem, fixed at the provider; the keeper
            // reads invalid_grant as a dead refresh token, which an app-only server does not have.
            throw new OAuthException("assertion_refused", ex.DescriptionText, ex.HintText, ex);
        }
    }
}
