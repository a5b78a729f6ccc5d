using MailServerAdmin.Localization;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;
using static MailServerAdmin.Localization.LocalizableText;

namespace MailServerAdmin.OAuth;

/// <summary>
/// Microsoft 365 with an application permission (SMTP.SendAsApp): MSAL's confidential client gets a token with the
/// client credentials grant (<c>AcquireTokenForClient</c>), authenticated with the client secret or with a client
/// assertion signed by the certificate's private key (RFC 7523). XOAUTH2 then names the mailbox as the user.
/// </summary>
public sealed class MicrosoftAppOnlyClient(IHttpClientFactory httpClients, IOptions<OAuthOptions> options, TimeProvider time) : IAppOnlyTokenClient
{
    public OAuthProvider Provider => OAuthProvider.MicrosoftAppOnly;

    public async Task<TokenSet> AcquireAsync(OAuthSettings settings, AppOnlyCredential credential, string mailbox, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(credential);
        var authority = MicrosoftOAuthClient.Authority(settings.ResolvedTokenUrl)
            ?? throw OAuthErrors.Explain("invalid_configuration", Of("OAuth_MicrosoftTokenUrl", "/oauth2/v2.0/token"), null);
        var builder = ConfidentialClientApplicationBuilder.Create(settings.ClientId)
            .WithAuthority(authority)
            .WithInstanceDiscovery(false)
            .WithLegacyCacheCompatibility(false)
            .WithHttpClientFactory(new Msal.HttpClients(httpClients, options.Value.Timeout), retryOnceOn5xx: false);
        using var certificate = credential.Certificate?.Load();
        builder = certificate is not null
            ? builder.WithCertificate(certificate)
            : builder.WithClientSecret(credential.ClientSecret ?? settings.ClientSecret ?? "");

        var app = builder.Build();
        AuthenticationResult result;
        try
        {
            result = await app.AcquireTokenForClient(settings.ScopeList).ExecuteAsync(ct);
        }
        catch (MsalServiceException ex) when (ex.ErrorCode == MsalError.RequestTimeout)
        {
            throw OAuthErrors.Timeout(options.Value.Timeout, ex);
        }
        catch (MsalServiceException ex)
        {
            throw Explain(ex.ErrorCode, Msal.Description(ex), credential, ex);
        }
        catch (MsalClientException ex)
        {
            throw Explain(ex.ErrorCode, ex.Message, credential, ex);
        }
        catch (HttpRequestException ex)
        {
            throw OAuthErrors.Unreachable(Of("OAuth_MicrosoftUnreachable", ex.Message), ex);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw OAuthErrors.Timeout(options.Value.Timeout, ex);
        }

        return new TokenSet(result.AccessToken, null, result.ExpiresOn.UtcDateTime, time.GetUtcNow().UtcDateTime, mailbox);
    }

    /// <summary>Entra's answers for an app that signs in on its own, with the fix for each.</summary>
    private static OAuthException Explain(string error, string description, AppOnlyCredential credential, Exception inner)
    {
        var explained = OAuthErrors.Explain(error, description, null, inner);
        LocalizableText? hint =
            description.Contains("AADSTS700027", StringComparison.Ordinal) ? Of("OAuth_Hint_Certificate", credential.Certificate?.Thumbprint ?? "")
            : description.Contains("AADSTS7000222", StringComparison.Ordinal) ? Of("OAuth_Hint_ClientSecretExpired")
            : description.Contains("AADSTS1002012", StringComparison.Ordinal) || description.Contains("AADSTS70011", StringComparison.Ordinal)
                ? Of("OAuth_Hint_AppOnlyScope")
            : description.Contains("AADSTS90002", StringComparison.Ordinal) ? Of("OAuth_Hint_Tenant")
            : null;
        return hint is null ? explained : new OAuthException(explained.Error, explained.DescriptionText, hint, inner);
    }
}
