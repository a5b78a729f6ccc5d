using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Responses;
using Google.Apis.Http;
using MailServerAdmin.Localization;
using Microsoft.Extensions.Options;
using static MailServerAdmin.Localization.LocalizableText;

namespace MailServerAdmin.OAuth;

/// <summary>
/// Google Workspace through a service account with domain-wide delegation: Google.Apis.Auth's service account
/// credential signs a JWT with the key (RS256; <c>iss</c> the service account, <c>sub</c> the mailbox, the scope, and
/// <c>aud</c> the token URL) and redeems it with the JWT bearer grant (RFC 7523) at the configured token URL.
/// </summary>
public sealed class GoogleServiceAccountClient(IHttpMessageHandlerFactory handlers, IOptions<OAuthOptions> options, TimeProvider time)
    : IAppOnlyTokenClient
{
    public OAuthProvider Provider => OAuthProvider.GoogleServiceAccount;

    public async Task<TokenSet> AcquireAsync(OAuthSettings settings, AppOnlyCredential credential, string mailbox, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(credential);
        var key = credential.ServiceAccountKey
            ?? throw OAuthErrors.Explain("invalid_configuration", Of("OAuth_NoServiceAccountKey"), null);
        var initializer = new ServiceAccountCredential.Initializer(key.ClientEmail, settings.ResolvedTokenUrl)
        {
            User = mailbox,
            Scopes = settings.ScopeList,
            KeyId = key.KeyId,
            HttpClientFactory = new RoutedHttpClientFactory(handlers),
            // A retry would spend the page's time limit; the caller decides when to try again.
            DefaultExponentialBackOffPolicy = ExponentialBackOffPolicy.None,
        }.FromPrivateKey(key.PrivateKeyPem);
        var serviceAccount = new ServiceAccountCredential(initializer);
        serviceAccount.HttpClient.Timeout = options.Value.Timeout;

        try
        {
            await serviceAccount.RequestAccessTokenAsync(ct);
        }
        catch (TokenResponseException ex)
        {
            var error = ex.Error?.Error ?? "error";
            var explained = OAuthErrors.Explain(error, ex.Error?.ErrorDescription, null, ex);
            LocalizableText? hint = error switch
            {
                "unauthorized_client" or "access_denied" => Of("OAuth_Hint_DomainWideDelegation", key.ClientId, string.Join(',', settings.ScopeList)),
                "invalid_grant" when ex.Error?.ErrorDescription?.Contains("Signature", StringComparison.OrdinalIgnoreCase) == true => Of("OAuth_Hint_ServiceAccountKey", key.KeyId),
                "invalid_grant" => Of("OAuth_Hint_ImpersonatedMailbox", mailbox),
                _ => null,
            };
            throw hint is null ? explained : new OAuthException(explained.Error, explained.DescriptionText, hint, ex);
        }
        catch (HttpRequestException ex)
        {
            throw OAuthErrors.Unreachable(Of("OAuth_GoogleUnreachable", ex.Message), ex);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw OAuthErrors.Timeout(options.Value.Timeout, ex);
        }

        var token = serviceAccount.Token;
        var now = time.GetUtcNow().UtcDateTime;
        return new TokenSet(token.AccessToken, null, token.ExpiresInSeconds is > 0 ? now.AddSeconds(token.ExpiresInSeconds.Value) : null, now, mailbox);
    }

    /// <summary>Google's HTTP goes through the app's named client: the same handlers (and test routing) as every provider call.</summary>
    private sealed class RoutedHttpClientFactory(IHttpMessageHandlerFactory handlers) : HttpClientFactory
    {
        protected override HttpMessageHandler CreateHandler(CreateHttpClientArgs args) => handlers.CreateHandler(ManualOAuthClient.HttpClientName);
    }
}
