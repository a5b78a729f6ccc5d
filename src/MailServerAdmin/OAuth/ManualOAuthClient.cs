using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using MailServerAdmin.Localization;
using Microsoft.Extensions.Options;

namespace MailServerAdmin.OAuth;

/// <summary>Any standard OAuth 2.0 provider (RFC 6749 with PKCE), with plain HTTP requests.</summary>
public sealed class ManualOAuthClient(IHttpClientFactory httpClients, IOptions<OAuthOptions> options, TimeProvider time)
    : IOAuthProviderClient
{
    public const string HttpClientName = "OAuth";

    public OAuthProvider Provider => OAuthProvider.Manual;

    public Task<AuthorizationStart> StartAsync(OAuthSettings settings, string redirectUri, string state, string? loginHint, CancellationToken ct)
    {
        var verifier = OAuthTokens.NewCodeVerifier();
        var query = new Dictionary<string, string?>
        {
            ["response_type"] = "code",
            ["client_id"] = settings.ClientId,
            ["redirect_uri"] = redirectUri,
            ["scope"] = string.Join(' ', settings.ScopeList),
            ["state"] = state,
            ["code_challenge"] = OAuthTokens.S256(verifier),
            ["code_challenge_method"] = "S256",
        };
        var authorize = settings.ResolvedAuthorizationUrl!;
        var url = authorize + (authorize.Contains('?', StringComparison.Ordinal) ? "&" : "?")
            + string.Join('&', query.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value ?? "")}"));
        return Task.FromResult(new AuthorizationStart(new Uri(url), verifier));
    }

    public Task<TokenSet> RedeemAsync(OAuthSettings settings, string redirectUri, string code, string codeVerifier, CancellationToken ct) =>
        RequestAsync(settings, redirectUri, new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
            ["client_id"] = settings.ClientId,
            ["code_verifier"] = codeVerifier,
        }, ct);

    public Task<TokenSet> RefreshAsync(OAuthSettings settings, string refreshToken, CancellationToken ct) =>
        RequestAsync(settings, null, new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = refreshToken,
            ["client_id"] = settings.ClientId,
        }, ct);

    private async Task<TokenSet> RequestAsync(OAuthSettings settings, string? redirectUri, Dictionary<string, string> form, CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(settings.ClientSecret))
        {
            form["client_secret"] = settings.ClientSecret;
        }

        var client = httpClients.CreateClient(HttpClientName);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.Timeout);
        HttpResponseMessage response;
        try
        {
            using var content = new FormUrlEncodedContent(form);
            response = await client.PostAsync(new Uri(settings.ResolvedTokenUrl), content, timeout.Token);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw OAuthErrors.Timeout(options.Value.Timeout, ex);
        }
        catch (HttpRequestException ex)
        {
            throw OAuthErrors.Unreachable(LocalizableText.Of("OAuth_TokenEndpointUnreachable", settings.ResolvedTokenUrl, ex.Message), ex);
        }

        using (response)
        {
            TokenAnswer? answer;
            try
            {
                answer = await response.Content.ReadFromJsonAsync<TokenAnswer>(timeout.Token);
            }
            catch (JsonException ex)
            {
                throw OAuthErrors.Explain("invalid_response", LocalizableText.Of("OAuth_NotJson", (int)response.StatusCode), redirectUri, (int)response.StatusCode, ex);
            }
            catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
            {
                throw OAuthErrors.Timeout(options.Value.Timeout, ex);
            }

            if (!response.IsSuccessStatusCode || answer is null || string.IsNullOrEmpty(answer.AccessToken))
            {
                var error = answer?.Error ?? $"http_{(int)response.StatusCode}";
                var status = (int)response.StatusCode;
                throw answer?.ErrorDescription is { } description
                    ? OAuthErrors.Explain(error, description, redirectUri, status)
                    : OAuthErrors.Explain(error, LocalizableText.Of("OAuth_HttpStatus", status, response.ReasonPhrase ?? ""), redirectUri, status);
            }

            var now = time.GetUtcNow().UtcDateTime;
            return new TokenSet(
                answer.AccessToken,
                string.IsNullOrEmpty(answer.RefreshToken) ? null : answer.RefreshToken,
                answer.ExpiresIn is > 0 ? now.AddSeconds(answer.ExpiresIn.Value) : null,
                now,
                OAuthTokens.AccountFromIdToken(answer.IdToken));
        }
    }

    private sealed class TokenAnswer
    {
        [JsonPropertyName("access_token")]
        public string? AccessToken { get; set; }

        [JsonPropertyName("refresh_token")]
        public string? RefreshToken { get; set; }

        [JsonPropertyName("expires_in")]
        [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
        public long? ExpiresIn { get; set; }

        [JsonPropertyName("id_token")]
        public string? IdToken { get; set; }

        [JsonPropertyName("error")]
        public string? Error { get; set; }

        [JsonPropertyName("error_description")]
        public string? ErrorDescription { get; set; }
    }
}
