using MailServerAdmin.Localization;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;

namespace MailServerAdmin.OAuth;

/// <summary>
/// Microsoft identity platform through MSAL, as a confidential client, the way MSAL documents it for web apps: the token
/// cache of each server is serialized with <c>SerializeMsalV3</c> and kept (encrypted) as the server's refresh-token
/// secret (<see cref="MsalTokenCacheSecret"/>); a refresh loads it with <c>DeserializeMsalV3</c>, finds the account with
/// <c>GetAccountAsync</c> and calls <c>AcquireTokenSilent(...).WithForceRefresh(true)</c>, and MSAL redeems and rotates
/// the refresh token inside its cache. The refresh token itself is never read out of the cache.
/// </summary>
public sealed class MicrosoftOAuthClient(IHttpClientFactory httpClients, IOptions<OAuthOptions> options) : IOAuthProviderClient
{
    private const string AuthorizePath = "/oauth2/v2.0/authorize";
    private const string TokenPath = "/oauth2/v2.0/token";

    public OAuthProvider Provider => OAuthProvider.Microsoft;

    /// <summary>The authority (https://host/tenant/) that both Microsoft URLs share, or null when they do not fit.</summary>
    public static string? Authority(string? tokenUrl) =>
        tokenUrl is not null && tokenUrl.EndsWith(TokenPath, StringComparison.OrdinalIgnoreCase)
            ? tokenUrl[..^TokenPath.Length] + "/"
            : null;

    public static bool AuthorizationUrlMatches(string? authorizationUrl, string? tokenUrl) =>
        authorizationUrl is not null && Authority(tokenUrl) is { } authority
        && string.Equals(authorizationUrl, authority.TrimEnd('/') + AuthorizePath, StringComparison.OrdinalIgnoreCase);

    public async Task<AuthorizationStart> StartAsync(OAuthSettings settings, string redirectUri, string state, string? loginHint, CancellationToken ct)
    {
        var (app, _) = Build(settings, redirectUri, stored: null);
        var request = app.GetAuthorizationRequestUrl(settings.ScopeList)
            .WithPkce(out var verifier)
            .WithExtraQueryParameters(new Dictionary<string, (string, bool)> { ["state"] = (state, false) });
        if (!string.IsNullOrEmpty(loginHint))
        {
            request = request.WithLoginHint(loginHint);
        }

        var url = await Call(() => request.ExecuteAsync(ct), redirectUri, ct);
        return new AuthorizationStart(url, verifier);
    }

    public async Task<TokenSet> RedeemAsync(OAuthSettings settings, string redirectUri, string code, string codeVerifier, CancellationToken ct)
    {
        var (app, cache) = Build(settings, redirectUri, stored: null);
        var result = await Call(
            () => app.AcquireTokenByAuthorizationCode(settings.ScopeList, code).WithPkceCodeVerifier(codeVerifier).ExecuteAsync(ct),
            redirectUri,
            ct);
        return ToTokenSet(result, cache);
    }

    /// <summary>
    /// Refreshes with the server's MSAL token cache. A plain refresh token (stored by an earlier version of this app) is
    /// redeemed once with MSAL's migration call, <c>AcquireTokenByRefreshToken</c>; from then on MSAL's cache is kept.
    /// </summary>
    public async Task<TokenSet> RefreshAsync(OAuthSettings settings, string refreshToken, CancellationToken ct)
    {
        if (!MsalTokenCacheSecret.TryRead(refreshToken, out var stored))
        {
            var (legacyApp, legacyCache) = Build(settings, redirectUri: null, stored: null);
            var migrated = await Call(
                () => ((IByRefreshToken)legacyApp).AcquireTokenByRefreshToken(settings.ScopeList, refreshToken).ExecuteAsync(ct),
                null,
                ct);
            return ToTokenSet(migrated, legacyCache);
        }

        var (app, cache) = Build(settings, redirectUri: null, stored.Cache);
        var result = await Call(
            async () =>
            {
                var account = await app.GetAccountAsync(stored.HomeAccountId)
                    ?? throw OAuthErrors.Explain("invalid_grant", LocalizableText.Of("OAuth_MicrosoftNoAccount"), null);
                return await app.AcquireTokenSilent(settings.ScopeList, account).WithForceRefresh(true).ExecuteAsync(ct);
            },
            null,
            ct);
        return ToTokenSet(result, cache);
    }

    /// <summary>The tokens of a result; the "refresh token" is MSAL's cache as it is after the call.</summary>
    private static TokenSet ToTokenSet(AuthenticationResult result, CacheSlot cache) => new(
        result.AccessToken,
        cache.Blob is { Length: > 0 } blob && result.Account?.HomeAccountId?.Identifier is { Length: > 0 } account
            ? MsalTokenCacheSecret.Of(account, blob).Write()
            : null,
        result.ExpiresOn.UtcDateTime,
        DateTime.UtcNow,
        result.Account?.Username);

    private (IConfidentialClientApplication App, CacheSlot Cache) Build(OAuthSettings settings, string? redirectUri, byte[]? stored)
    {
        var authority = Authority(settings.ResolvedTokenUrl)
            ?? throw OAuthErrors.Explain("invalid_configuration", LocalizableText.Of("OAuth_MicrosoftTokenUrl", TokenPath), redirectUri);
        var builder = ConfidentialClientApplicationBuilder.Create(settings.ClientId)
            .WithClientSecret(settings.ClientSecret ?? "")
            .WithAuthority(authority)
            .WithInstanceDiscovery(false)
            .WithLegacyCacheCompatibility(false)
            .WithHttpClientFactory(new Msal.HttpClients(httpClients, options.Value.Timeout), retryOnceOn5xx: false);
        if (redirectUri is not null)
        {
            builder = builder.WithRedirectUri(redirectUri);
        }

        var app = builder.Build();
        return (app, new CacheSlot(app.UserTokenCache, stored));
    }

    private async Task<T> Call<T>(Func<Task<T>> call, string? redirectUri, CancellationToken ct)
    {
        try
        {
            return await call();
        }
        catch (MsalServiceException ex) when (ex.ErrorCode == MsalError.RequestTimeout)
        {
            throw OAuthErrors.Timeout(options.Value.Timeout, ex);
        }
        catch (MsalUiRequiredException ex)
        {
            // The refresh token was refused (or is gone from the cache): only signing in again helps.
            throw OAuthErrors.Explain("invalid_grant", Msal.Description(ex), redirectUri, StatusCode(ex), ex);
        }
        catch (MsalServiceException ex)
        {
            throw OAuthErrors.Explain(ex.ErrorCode, Msal.Description(ex), redirectUri, StatusCode(ex), ex);
        }
        catch (MsalClientException ex)
        {
            throw OAuthErrors.Explain(ex.ErrorCode, ex.Message, redirectUri, ex);
        }
        catch (ArgumentNullException ex)
        {
            // MSAL fails this way on a refresh answer that carries no refresh token.
            throw OAuthErrors.Explain("invalid_response", LocalizableText.Of("OAuth_MicrosoftNoRefreshToken"), redirectUri, ex);
        }
        catch (HttpRequestException ex)
        {
            throw OAuthErrors.Unreachable(LocalizableText.Of("OAuth_MicrosoftUnreachable", ex.Message), ex);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw OAuthErrors.Timeout(options.Value.Timeout, ex);
        }
    }

    private static int? StatusCode(MsalServiceException ex) => ex.StatusCode > 0 ? ex.StatusCode : null;

    /// <summary>
    /// One server's MSAL token cache during one call, with MSAL's documented serialization hooks: loaded before MSAL
    /// reads it, kept after MSAL changed it.
    /// </summary>
    private sealed class CacheSlot
    {
        public CacheSlot(ITokenCache cache, byte[]? stored)
        {
            Blob = stored;
            cache.SetBeforeAccess(args =>
            {
                if (Blob is { Length: > 0 } blob)
                {
                    args.TokenCache.DeserializeMsalV3(blob, shouldClearExistingCache: true);
                }
            });
            cache.SetAfterAccess(args =>
            {
                if (args.HasStateChanged)
                {
                    Blob = args.TokenCache.SerializeMsalV3();
                }
            });
        }

        /// <summary>The serialized cache: as stored before the call, as MSAL left it after.</summary>
        public byte[]? Blob { get; private set; }
    }
}
