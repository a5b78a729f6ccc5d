using System.Text.Json;
using MailServerAdmin.Localization;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;

namespace MailServerAdmin.OAuth;

/// <summary>
/// Microsoft identity platform through MSAL, as a confidential client. MSAL keeps the refresh token in its token
/// cache and not in its result, so a fresh in-memory cache per call is captured and the token taken from it.
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
        var (app, _) = Build(settings, redirectUri);
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
        var (app, cache) = Build(settings, redirectUri);
        var result = await Call(
            () => app.AcquireTokenByAuthorizationCode(settings.ScopeList, code).WithPkceCodeVerifier(codeVerifier).ExecuteAsync(ct),
            redirectUri,
            ct);
        return ToTokenSet(result, cache);
    }

    public async Task<TokenSet> RefreshAsync(OAuthSettings settings, string refreshToken, CancellationToken ct)
    {
        var (app, cache) = Build(settings, redirectUri: null);
        var result = await Call(
            () => ((IByRefreshToken)app).AcquireTokenByRefreshToken(settings.ScopeList, refreshToken).ExecuteAsync(ct),
            null,
            ct);
        return ToTokenSet(result, cache);
    }

    private static TokenSet ToTokenSet(AuthenticationResult result, CapturedCache cache) => new(
        result.AccessToken,
        cache.RefreshToken(result.Account?.HomeAccountId?.Identifier),
        result.ExpiresOn.UtcDateTime,
        DateTime.UtcNow,
        result.Account?.Username);

    private (IConfidentialClientApplication App, CapturedCache Cache) Build(OAuthSettings settings, string? redirectUri)
    {
        var authority = Authority(settings.ResolvedTokenUrl)
            ?? throw OAuthErrors.Explain("invalid_configuration", LocalizableText.Of("OAuth_MicrosoftTokenUrl", TokenPath), redirectUri);
        var builder = ConfidentialClientApplicationBuilder.Create(settings.ClientId)
            .WithClientSecret(settings.ClientSecret ?? "")
            .WithAuthority(authority)
            .WithInstanceDiscovery(false)
            .WithLegacyCacheCompatibility(false)
            .WithHttpClientFactory(new HttpClients(httpClients, options.Value.Timeout), retryOnceOn5xx: false);
        if (redirectUri is not null)
        {
            builder = builder.WithRedirectUri(redirectUri);
        }

        var app = builder.Build();
        return (app, new CapturedCache(app.UserTokenCache));
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
        catch (MsalServiceException ex)
        {
            throw OAuthErrors.Explain(ex.ErrorCode, Description(ex), redirectUri, ex);
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

    /// <summary>The provider's own error_description, without MSAL's preamble.</summary>
    private static string Description(MsalServiceException ex)
    {
        if (!string.IsNullOrEmpty(ex.ResponseBody))
        {
            try
            {
                using var body = JsonDocument.Parse(ex.ResponseBody);
                if (body.RootElement.TryGetProperty("error_description", out var description) && description.GetString() is { Length: > 0 } text)
                {
                    return text.Split(['\r', '\n'], 2)[0];
                }
            }
            catch (JsonException)
            {
                // Fall back to MSAL's message.
            }
        }

        return ex.Message;
    }

    /// <summary>MSAL's HTTP goes through the app's named client: the time limit applies, and tests can route it.</summary>
    private sealed class HttpClients(IHttpClientFactory factory, TimeSpan timeout) : IMsalHttpClientFactory
    {
        public HttpClient GetHttpClient()
        {
            var client = factory.CreateClient(ManualOAuthClient.HttpClientName);
            client.Timeout = timeout;
            return client;
        }
    }

    /// <summary>Keeps the serialized MSAL cache of one call, to read the refresh token out of it.</summary>
    private sealed class CapturedCache
    {
        private byte[]? _blob;

        public CapturedCache(ITokenCache cache) => cache.SetAfterAccess(args =>
        {
            if (args.HasStateChanged)
            {
                _blob = args.TokenCache.SerializeMsalV3();
            }
        });

        public string? RefreshToken(string? homeAccountId)
        {
            if (_blob is null)
            {
                return null;
            }

            using var cache = JsonDocument.Parse(_blob);
            if (!cache.RootElement.TryGetProperty("RefreshToken", out var section))
            {
                return null;
            }

            foreach (var entry in section.EnumerateObject())
            {
                if (homeAccountId is not null && entry.Value.TryGetProperty("home_account_id", out var home) && home.GetString() != homeAccountId)
                {
                    continue;
                }

                if (entry.Value.TryGetProperty("secret", out var secret))
                {
                    return secret.GetString();
                }
            }

            return null;
        }
    }
}
