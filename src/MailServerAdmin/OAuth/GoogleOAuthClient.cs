using Google.Apis.Auth.OAuth2;
using Google.Apis.Auth.OAuth2.Flows;
using Google.Apis.Auth.OAuth2.Requests;
using Google.Apis.Auth.OAuth2.Responses;
using Google.Apis.Http;
using Google.Apis.Util.Store;
using MailServerAdmin.Localization;
using Microsoft.Extensions.Options;

namespace MailServerAdmin.OAuth;

/// <summary>
/// Google through Google.Apis.Auth's PKCE code flow, on the configured endpoints. It always asks for consent and
/// offline access, so Google sends a refresh token every time (no need to revoke the app first).
/// </summary>
public sealed class GoogleOAuthClient(IOptions<OAuthOptions> options, TimeProvider time) : IOAuthProviderClient
{
    /// <summary>Asked in addition to the configured scopes, to learn which account signed in.</summary>
    private static readonly string[] IdentityScopes = ["openid", "email"];

    public OAuthProvider Provider => OAuthProvider.Google;

    public Task<AuthorizationStart> StartAsync(OAuthSettings settings, string redirectUri, string state, string? loginHint, CancellationToken ct)
    {
        using var flow = Flow(settings);
        var request = (GoogleAuthorizationCodeRequestUrl)flow.CreateAuthorizationCodeRequest(redirectUri, out var verifier);
        request.State = state;
        request.AccessType = "offline";
        request.Prompt = "consent";
        if (!string.IsNullOrEmpty(loginHint))
        {
            request.LoginHint = loginHint;
        }

        return Task.FromResult(new AuthorizationStart(request.Build(), verifier));
    }

    public async Task<TokenSet> RedeemAsync(OAuthSettings settings, string redirectUri, string code, string codeVerifier, CancellationToken ct)
    {
        using var flow = Flow(settings);
        var response = await Call(() => flow.ExchangeCodeForTokenAsync("admin", code, codeVerifier, redirectUri, ct), redirectUri, ct);
        return ToTokenSet(response, sentRefreshToken: null);
    }

    public async Task<TokenSet> RefreshAsync(OAuthSettings settings, string refreshToken, CancellationToken ct)
    {
        using var flow = Flow(settings);
        var response = await Call(() => flow.RefreshTokenAsync("admin", refreshToken, ct), null, ct);
        return ToTokenSet(response, refreshToken);
    }

    private TokenSet ToTokenSet(TokenResponse response, string? sentRefreshToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        // The flow copies the refresh token it was given into an answer that had none: that is not a rotation.
        var refreshToken = string.IsNullOrEmpty(response.RefreshToken) || response.RefreshToken == sentRefreshToken ? null : response.RefreshToken;
        return new TokenSet(
            response.AccessToken,
            refreshToken,
            response.ExpiresInSeconds is > 0 ? now.AddSeconds(response.ExpiresInSeconds.Value) : null,
            now,
            OAuthTokens.AccountFromIdToken(response.IdToken));
    }

    private PkceGoogleAuthorizationCodeFlow Flow(OAuthSettings settings)
    {
        var initializer = new Endpoints(
            settings.ResolvedAuthorizationUrl ?? OAuthProviderDescriptor.Google.Defaults.AuthorizationUrl!,
            settings.ResolvedTokenUrl,
            settings.RevocationUrl ?? OAuthProviderDescriptor.Google.Defaults.RevocationUrl!)
        {
            ClientSecrets = new ClientSecrets { ClientId = settings.ClientId, ClientSecret = settings.ClientSecret },
            Scopes = settings.ScopeList.Concat(IdentityScopes).Distinct(StringComparer.Ordinal).ToList(),
            Prompt = "consent",
            DataStore = new NullDataStore(),
            // A retry would spend the page's time limit; the caller decides when to try again.
            DefaultExponentialBackOffPolicy = ExponentialBackOffPolicy.None,
        };
        var flow = new PkceGoogleAuthorizationCodeFlow(initializer);
        flow.HttpClient.Timeout = options.Value.Timeout;
        return flow;
    }

    private async Task<T> Call<T>(Func<Task<T>> call, string? redirectUri, CancellationToken ct)
    {
        try
        {
            return await call();
        }
        catch (TokenResponseException ex)
        {
            throw OAuthErrors.Explain(ex.Error?.Error ?? "error", ex.Error?.ErrorDescription, redirectUri, ex.StatusCode is { } status ? (int)status : null, ex);
        }
        catch (HttpRequestException ex)
        {
            throw OAuthErrors.Unreachable(LocalizableText.Of("OAuth_GoogleUnreachable", ex.Message), ex);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw OAuthErrors.Timeout(options.Value.Timeout, ex);
        }
    }

    /// <summary>Google's initializer takes custom endpoints only through its protected constructor.</summary>
    private sealed class Endpoints(string authorizationUrl, string tokenUrl, string revokeUrl)
        : GoogleAuthorizationCodeFlow.Initializer(authorizationUrl, tokenUrl, revokeUrl);
}
