using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MailServerAdmin.Tests.Infrastructure.OAuth;

/// <summary>
/// An in-process OAuth 2.0 / OpenID-style authorization server for tests. It listens on a real Kestrel port on
/// 127.0.0.1 (plain http) and serves Microsoft-style, Google-style and generic endpoints:
/// <list type="bullet">
/// <item><c>GET /authorize</c>, <c>GET /o/oauth2/v2/auth</c>, <c>GET /{tenant}/oauth2/v2.0/authorize</c>: auto-consent, redirects with code+state.</item>
/// <item><c>POST /token</c>, <c>POST /{tenant}/oauth2/v2.0/token</c>: authorization_code (with PKCE) and refresh_token grants;
/// client_credentials with a client secret or a signed client assertion, and the JWT bearer grant of service accounts
/// (see <c>TestOAuthProvider.AppOnly.cs</c>).</item>
/// <item><c>POST /revoke</c>, <c>POST /o/oauth2/revoke</c>: records revoked tokens.</item>
/// <item><c>GET /userinfo</c>: email of the bearer access token.</item>
/// <item><c>GET /{tenant}/discovery/instance</c>, <c>/.well-known/openid-configuration</c>,
/// <c>/{tenant}/v2.0/.well-known/openid-configuration</c>: metadata, answered so that MSAL works.</item>
/// <item><c>GET /keys</c>: the JWKS, with the provider's RSA key when
/// <see cref="TestOAuthProviderOptions.SignIdTokensWithRsa"/> is set: it then signs the id_tokens (an OpenID Connect
/// provider for a relying party that checks them), with <see cref="TestOAuthProviderOptions.IdTokenTampering"/> to spoil them on purpose.</item>
/// </list>
/// Start it with <see cref="StartAsync"/>; dispose it to stop it.
/// </summary>
public sealed partial class TestOAuthProvider : IAsyncDisposable, IDisposable
{
    private static readonly Regex MicrosoftPath = new(
        "^/(?<tenant>[^/]+)/oauth2/v2\\.0/(?<op>authorize|token|logout)$",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    private static readonly Regex InstanceDiscoveryPath = new(
        "^/(?<tenant>[^/]+)/discovery/(v2\\.0/)?instance$",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    private static readonly Regex OpenIdConfigurationPath = new(
        "^(/(?<tenant>[^/]+))?(/v2\\.0)?/\\.well-known/openid-configuration$",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase);

    private readonly WebApplication _app;
    private readonly object _gate = new();
    private readonly Dictionary<string, TestOAuthUser> _users = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, PendingCode> _codes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _usedCodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TestAccessTokenInfo> _accessTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RefreshGrant> _refreshTokens = new(StringComparer.Ordinal);
    private readonly List<TestAuthorizationRequest> _authorizationRequests = [];
    private readonly List<TestTokenRequest> _tokenRequests = [];
    private readonly List<TestRecordedRequest> _requests = [];
    private readonly List<string> _revokedTokens = [];
    private readonly List<string> _issuedIdTokens = [];
    private readonly ConcurrentQueue<TestTokenFault> _tokenFaults = new();
    private readonly ConcurrentQueue<(string Error, string? Description)> _authorizationFaults = new();
    private readonly HttpClient _browser;
    private readonly CancellationTokenSource _stopping = new();
    private readonly RSA _signingKey = RSA.Create(2048);
    private readonly string _signingKeyId = "test-rsa-" + Guid.NewGuid().ToString("N")[..8];
    private int _tokenRequestCount;
    private int _refreshRequestCount;
    private int _refreshesIssued;
    private int _familyRevocations;
    private int _disposed;

    private TestOAuthProvider(WebApplication app, TestOAuthProviderOptions options)
    {
        _app = app;
        Options = options;
        _browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    /// <summary>Settings read on every request; they may be changed while the provider runs.</summary>
    public TestOAuthProviderOptions Options { get; }

    /// <summary>Base address, e.g. <c>http://127.0.0.1:54321/</c> (always ends with a slash).</summary>
    public Uri BaseUri { get; private set; } = null!;

    /// <summary>Generic authorization endpoint (<c>/authorize</c>).</summary>
    public Uri AuthorizationEndpoint => new(BaseUri, "authorize");

    /// <summary>Generic token endpoint (<c>/token</c>); also the Google-style token endpoint.</summary>
    public Uri TokenEndpoint => new(BaseUri, "token");

    /// <summary>Revocation endpoint (<c>/revoke</c>).</summary>
    public Uri RevocationEndpoint => new(BaseUri, "revoke");

    /// <summary>User-info endpoint (<c>/userinfo</c>).</summary>
    public Uri UserInfoEndpoint => new(BaseUri, "userinfo");

    /// <summary>Google-style authorization endpoint (<c>/o/oauth2/v2/auth</c>).</summary>
    public Uri GoogleAuthorizationEndpoint => new(BaseUri, "o/oauth2/v2/auth");

    /// <summary>Google-style token endpoint (<c>/token</c>).</summary>
    public Uri GoogleTokenEndpoint => new(BaseUri, "token");

    /// <summary>Google-style revocation endpoint (<c>/o/oauth2/revoke</c>).</summary>
    public Uri GoogleRevocationEndpoint => new(BaseUri, "o/oauth2/revoke");

    /// <summary>Microsoft-style authorization endpoint (<c>/{tenant}/oauth2/v2.0/authorize</c>) on this provider.</summary>
    public Uri MicrosoftAuthorizationEndpoint(string tenant) => new(BaseUri, $"{tenant}/oauth2/v2.0/authorize");

    /// <summary>Microsoft-style token endpoint (<c>/{tenant}/oauth2/v2.0/token</c>) on this provider.</summary>
    public Uri MicrosoftTokenEndpoint(string tenant) => new(BaseUri, $"{tenant}/oauth2/v2.0/token");

    /// <summary>Number of requests that reached a token endpoint (including failed and faulted ones).</summary>
    public int TokenRequestCount => Volatile.Read(ref _tokenRequestCount);

    /// <summary>Requests with the refresh_token grant that reached a token endpoint (faulted and refused ones included).</summary>
    public int RefreshRequestCount => Volatile.Read(ref _refreshRequestCount);

    /// <summary>Refresh_token grants answered with new tokens (an answer lost on the way included).</summary>
    public int RefreshesIssued => Volatile.Read(ref _refreshesIssued);

    /// <summary>
    /// With <see cref="TestOAuthProviderOptions.StrictRotation"/>: how many times a refresh token that had already been
    /// redeemed was presented, and its whole token family revoked.
    /// </summary>
    public int FamilyRevocations => Volatile.Read(ref _familyRevocations);

    /// <summary>Every authorization request, in arrival order, with all its query parameters.</summary>
    public IReadOnlyList<TestAuthorizationRequest> AuthorizationRequests
    {
        get { lock (_gate) { return _authorizationRequests.ToArray(); } }
    }

    /// <summary>The most recent authorization request, or null.</summary>
    public TestAuthorizationRequest? LastAuthorizationRequest
    {
        get { lock (_gate) { return _authorizationRequests.Count == 0 ? null : _authorizationRequests[^1]; } }
    }

    /// <summary>Every token request, in arrival order, with all its form fields and the outcome.</summary>
    public IReadOnlyList<TestTokenRequest> TokenRequests
    {
        get { lock (_gate) { return _tokenRequests.ToArray(); } }
    }

    /// <summary>The most recent token request, or null.</summary>
    public TestTokenRequest? LastTokenRequest
    {
        get { lock (_gate) { return _tokenRequests.Count == 0 ? null : _tokenRequests[^1]; } }
    }

    /// <summary>Every HTTP request the provider received (method, path, query), metadata requests included.</summary>
    public IReadOnlyList<TestRecordedRequest> Requests
    {
        get { lock (_gate) { return _requests.ToArray(); } }
    }

    /// <summary>Every id_token issued, in order.</summary>
    public IReadOnlyList<string> IssuedIdTokens
    {
        get { lock (_gate) { return _issuedIdTokens.ToArray(); } }
    }

    /// <summary>Tokens posted to a revocation endpoint, in arrival order.</summary>
    public IReadOnlyList<string> RevokedTokens
    {
        get { lock (_gate) { return _revokedTokens.ToArray(); } }
    }

    /// <summary>Starts the provider on <c>http://127.0.0.1:{free port}</c>.</summary>
    public static async Task<TestOAuthProvider> StartAsync(
        Action<TestOAuthProviderOptions>? configure = null,
        CancellationToken cancellationToken = default)
    {
        var options = new TestOAuthProviderOptions();
        configure?.Invoke(options);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();

        var provider = new TestOAuthProvider(app, options);
        app.Run(provider.HandleAsync);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
                .FirstOrDefault() ?? throw new InvalidOperationException("Kestrel did not report a listening address.");
            provider.BaseUri = new Uri(address.TrimEnd('/') + "/");
            return provider;
        }
        catch
        {
            await provider.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // ------------------------------------------------------------------ users

    /// <summary>Registers a user; an authorization request whose <c>login_hint</c> equals its email consents as it.</summary>
    public TestOAuthUser AddUser(TestOAuthUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        lock (_gate) { _users[user.Email] = user; }
        return user;
    }

    /// <summary>Registers a user with the given email and generated ids.</summary>
    public TestOAuthUser AddUser(string email) => AddUser(new TestOAuthUser(email));

    // ------------------------------------------------------- fault injection

    /// <summary>Queues a fault for the next token request (one fault per request, first in first out).</summary>
    public void EnqueueTokenFault(TestTokenFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        _tokenFaults.Enqueue(fault);
    }

    /// <summary>The next token request is answered with an OAuth error JSON body.</summary>
    public void FailNextTokenRequest(string error, string? description = null, int statusCode = 400,
        IReadOnlyList<int>? errorCodes = null) =>
        EnqueueTokenFault(TestTokenFault.OAuthError(error, description, statusCode, errorCodes));

    /// <summary>The next token request is answered with a bare HTTP status (default 500).</summary>
    public void FailNextTokenRequestWithStatus(int statusCode = 500, string? body = null, string contentType = "text/plain") =>
        EnqueueTokenFault(TestTokenFault.HttpStatus(statusCode, body, contentType));

    /// <summary>The next token request is held for <paramref name="delay"/> and then processed normally.</summary>
    public void DelayNextTokenRequest(TimeSpan delay) => EnqueueTokenFault(TestTokenFault.Delay(delay));

    /// <summary>
    /// The next token request is processed at once (a refresh token is rotated, the old one dies) and its answer held for
    /// <paramref name="delay"/>: a client that gives up meanwhile loses the only valid refresh token.
    /// </summary>
    public void DelayNextTokenAnswer(TimeSpan delay) => EnqueueTokenFault(TestTokenFault.DelayAnswer(delay));

    /// <summary>Drops queued token faults that were not consumed.</summary>
    public void ClearTokenFaults() => _tokenFaults.Clear();

    /// <summary>The next authorization request is answered by redirecting with <c>error</c> (default access_denied).</summary>
    public void DenyNextAuthorization(string error = "access_denied",
        string? description = "The user denied the request.") =>
        _authorizationFaults.Enqueue((error, description));

    // ----------------------------------------------------- token inspection

    /// <summary>True when <paramref name="accessToken"/> was issued here and is neither expired nor revoked.</summary>
    public bool IsValidAccessToken(string? accessToken, string? expectedEmail = null, string? requiredScope = null)
    {
        var info = GetAccessTokenInfo(accessToken);
        if (info is null || info.Revoked || info.ExpiresAt <= Options.TimeProvider.GetUtcNow())
        {
            return false;
        }

        if (expectedEmail is not null && !string.Equals(info.Email, expectedEmail, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return requiredScope is null || info.Scopes.Contains(requiredScope, StringComparer.Ordinal);
    }

    /// <summary>What the provider knows about an access token it issued (null if it never issued it).</summary>
    public TestAccessTokenInfo? GetAccessTokenInfo(string? accessToken)
    {
        if (string.IsNullOrEmpty(accessToken))
        {
            return null;
        }

        lock (_gate) { return _accessTokens.GetValueOrDefault(accessToken); }
    }

    /// <summary>Email of the user an issued, still valid access token belongs to; null otherwise.</summary>
    public string? GetEmailForAccessToken(string? accessToken) =>
        IsValidAccessToken(accessToken) ? GetAccessTokenInfo(accessToken)!.Email : null;

    /// <summary>
    /// Checks a SASL XOAUTH2 initial response (base64 of <c>user={email}^Aauth=Bearer {token}^A^A</c>) the way a mail
    /// server would: the token must be valid here and belong to <c>user</c>. On failure <paramref name="errorChallenge"/>
    /// is the base64 JSON a server sends back in its 334 challenge.
    /// </summary>
    public bool ValidateXOAuth2(string initialResponseBase64, out string? user, out string? errorChallenge)
    {
        user = null;
        string? token = null;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(initialResponseBase64.Trim()));
            foreach (var part in decoded.Split('\u0001', StringSplitOptions.RemoveEmptyEntries))
            {
                if (part.StartsWith("user=", StringComparison.Ordinal))
                {
                    user = part[5..];
                }
                else if (part.StartsWith("auth=Bearer ", StringComparison.OrdinalIgnoreCase))
                {
                    token = part[12..].Trim();
                }
            }
        }
        catch (FormatException)
        {
            // invalid base64: rejected below
        }

        if (user is not null && token is not null && IsValidAccessToken(token, expectedEmail: user))
        {
            errorChallenge = null;
            return true;
        }

        var scope = GetAccessTokenInfo(token)?.Scopes is { Count: > 0 } scopes ? string.Join(' ', scopes) : "";
        errorChallenge = Convert.ToBase64String(Encoding.UTF8.GetBytes(
            new JsonObject { ["status"] = "401", ["schemes"] = "bearer", ["scope"] = scope }.ToJsonString()));
        return false;
    }

    /// <summary>Builds a SASL XOAUTH2 initial response (base64) for <paramref name="email"/> and <paramref name="accessToken"/>.</summary>
    public static string BuildXOAuth2InitialResponse(string email, string accessToken) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"user={email}\u0001auth=Bearer {accessToken}\u0001\u0001"));

    /// <summary>All access tokens issued so far.</summary>
    public IReadOnlyList<TestAccessTokenInfo> IssuedAccessTokens
    {
        get { lock (_gate) { return _accessTokens.Values.OrderBy(t => t.IssuedAt).ToArray(); } }
    }

    /// <summary>True when the refresh token was issued here and is still usable.</summary>
    public bool IsValidRefreshToken(string? refreshToken)
    {
        if (string.IsNullOrEmpty(refreshToken))
        {
            return false;
        }

        lock (_gate) { return _refreshTokens.TryGetValue(refreshToken, out var g) && !g.Revoked && !g.Rotated; }
    }

    /// <summary>Makes an issued access token expired right now (as seen by <see cref="IsValidAccessToken"/> and /userinfo).</summary>
    public void ExpireAccessToken(string accessToken)
    {
        lock (_gate)
        {
            if (_accessTokens.TryGetValue(accessToken, out var info))
            {
                _accessTokens[accessToken] = info with { ExpiresAt = Options.TimeProvider.GetUtcNow().AddSeconds(-1) };
            }
        }
    }

    /// <summary>Revokes an access or refresh token as if the revocation endpoint had been called (not recorded).</summary>
    public void Revoke(string token)
    {
        lock (_gate) { RevokeLocked(token); }
    }

    // ------------------------------------------------------- test helpers

    /// <summary>
    /// Plays the browser: GETs the authorization URL (any scheme/host is rewritten to this provider; path and query
    /// are kept), does not follow the redirect, and returns what the redirect carried.
    /// </summary>
    public async Task<TestAuthorizationResponse> AuthorizeAsync(Uri authorizationUrl,
        CancellationToken cancellationToken = default)
    {
        using var response = await _browser.GetAsync(ToLocalUri(authorizationUrl), cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);

        if (response.StatusCode is HttpStatusCode.Found or HttpStatusCode.Redirect or HttpStatusCode.SeeOther
            && response.Headers.Location is { } location)
        {
            var values = ParseQuery(location.Query);
            foreach (var (k, v) in ParseQuery(location.Fragment))
            {
                values.TryAdd(k, v);
            }

            return new TestAuthorizationResponse((int)response.StatusCode, location, values, body);
        }

        if (response.StatusCode == HttpStatusCode.OK && body.Contains("<form", StringComparison.Ordinal))
        {
            // response_mode=form_post
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match m in Regex.Matches(body, "<input type=\"hidden\" name=\"(?<n>[^\"]*)\" value=\"(?<v>[^\"]*)\"/>"))
            {
                values[WebUtility.HtmlDecode(m.Groups["n"].Value)] = WebUtility.HtmlDecode(m.Groups["v"].Value);
            }

            var action = Regex.Match(body, "action=\"(?<a>[^\"]*)\"").Groups["a"].Value;
            return new TestAuthorizationResponse(200, new Uri(WebUtility.HtmlDecode(action)), values, body);
        }

        return new TestAuthorizationResponse((int)response.StatusCode, null, new Dictionary<string, string>(), body);
    }

    /// <summary>Rewrites scheme, host and port of <paramref name="uri"/> to this provider; keeps path and query.</summary>
    public Uri ToLocalUri(Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return new UriBuilder(uri) { Scheme = BaseUri.Scheme, Host = BaseUri.Host, Port = BaseUri.Port }.Uri;
    }

    /// <summary>A random RFC 7636 code verifier (43 characters, base64url).</summary>
    public static string CreateCodeVerifier() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>The S256 code challenge: base64url(SHA256(ASCII(verifier))) without padding.</summary>
    public static string ComputeS256Challenge(string codeVerifier) =>
        Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(codeVerifier)));

    // ------------------------------------------------------------ lifetime

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _browser.Dispose();
        await _stopping.CancelAsync().ConfigureAwait(false);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(cts.Token).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            _stopping.Dispose();
            _signingKey.Dispose();
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    // ============================================================ handlers

    private async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        if (path.Length > 1 && path.EndsWith('/'))
        {
            path = path.TrimEnd('/');
        }

        lock (_gate)
        {
            _requests.Add(new TestRecordedRequest(ctx.Request.Method, path, ctx.Request.QueryString.Value ?? "",
                ctx.Request.Headers["X-Forwarded-Host"].ToString() is { Length: > 0 } h ? h : null,
                Options.TimeProvider.GetUtcNow()));
        }

        var isGet = HttpMethods.IsGet(ctx.Request.Method);
        var isPost = HttpMethods.IsPost(ctx.Request.Method);
        var ms = MicrosoftPath.Match(path);

        if (isGet && (Eq(path, "/authorize") || Eq(path, "/o/oauth2/v2/auth") || Eq(path, "/o/oauth2/auth") ||
                      (ms.Success && Eq(ms.Groups["op"].Value, "authorize"))))
        {
            await AuthorizeEndpointAsync(ctx, path, ms.Success ? ms.Groups["tenant"].Value : null).ConfigureAwait(false);
        }
        else if (isPost && (Eq(path, "/token") || Eq(path, "/oauth2/v4/token") ||
                            (ms.Success && Eq(ms.Groups["op"].Value, "token"))))
        {
            await TokenEndpointAsync(ctx, path, ms.Success ? ms.Groups["tenant"].Value : null).ConfigureAwait(false);
        }
        else if ((isPost || isGet) && (Eq(path, "/revoke") || Eq(path, "/o/oauth2/revoke")))
        {
            await RevokeEndpointAsync(ctx).ConfigureAwait(false);
        }
        else if ((isGet || isPost) && (Eq(path, "/userinfo") || Eq(path, "/oidc/userinfo") ||
                                       Eq(path, "/v1/userinfo") || Eq(path, "/oauth2/v3/userinfo")))
        {
            await UserInfoEndpointAsync(ctx).ConfigureAwait(false);
        }
        else if (isGet && InstanceDiscoveryPath.Match(path) is { Success: true })
        {
            await InstanceDiscoveryAsync(ctx).ConfigureAwait(false);
        }
        else if (isGet && OpenIdConfigurationPath.Match(path) is { Success: true } oc)
        {
            await OpenIdConfigurationAsync(ctx, oc.Groups["tenant"].Success ? oc.Groups["tenant"].Value : null).ConfigureAwait(false);
        }
        else if (isGet && (Eq(path, "/keys") || path.EndsWith("/discovery/v2.0/keys", StringComparison.OrdinalIgnoreCase)))
        {
            var keys = Options.SignIdTokensWithRsa ? new JsonArray(PublicJwk()) : new JsonArray();
            await WriteJsonAsync(ctx, 200, new JsonObject { ["keys"] = keys }).ConfigureAwait(false);
        }
        else
        {
            ctx.Response.StatusCode = 404;
            await ctx.Response.WriteAsync($"No test OAuth endpoint at {ctx.Request.Method} {path}").ConfigureAwait(false);
        }
    }

    private async Task AuthorizeEndpointAsync(HttpContext ctx, string path, string? tenant)
    {
        var q = ctx.Request.Query.ToDictionary(kv => kv.Key, kv => kv.Value.ToString(), StringComparer.Ordinal);
        lock (_gate)
        {
            _authorizationRequests.Add(new TestAuthorizationRequest(path, tenant, q, Options.TimeProvider.GetUtcNow()));
        }

        var clientId = q.GetValueOrDefault("client_id");
        var redirectUri = q.GetValueOrDefault("redirect_uri");
        var state = q.GetValueOrDefault("state");
        var responseMode = q.GetValueOrDefault("response_mode") ?? "query";

        // Errors that must not be redirected (RFC 6749 4.1.2.1): unknown client or bad redirect_uri.
        if (string.IsNullOrEmpty(clientId) || !string.Equals(clientId, Options.ClientId, StringComparison.Ordinal))
        {
            await WritePlainAsync(ctx, 400, $"invalid_client: unknown client_id '{clientId}'").ConfigureAwait(false);
            return;
        }

        if (string.IsNullOrEmpty(redirectUri) || !Uri.TryCreate(redirectUri, UriKind.Absolute, out _))
        {
            await WritePlainAsync(ctx, 400, "invalid_request: redirect_uri is missing or not absolute").ConfigureAwait(false);
            return;
        }

        if (Options.AllowedRedirectUris is { Count: > 0 } allowed && !allowed.Contains(redirectUri, StringComparer.Ordinal))
        {
            await WritePlainAsync(ctx, 400, $"invalid_request: redirect_uri '{redirectUri}' is not registered").ConfigureAwait(false);
            return;
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        string? error = null;
        string? errorDescription = null;

        var challenge = q.GetValueOrDefault("code_challenge");
        var method = q.GetValueOrDefault("code_challenge_method");
        if (string.IsNullOrEmpty(method) && !string.IsNullOrEmpty(challenge))
        {
            method = "plain";
        }

        if (_authorizationFaults.TryDequeue(out var fault))
        {
            (error, errorDescription) = fault;
        }
        else if (!string.Equals(q.GetValueOrDefault("response_type"), "code", StringComparison.Ordinal))
        {
            (error, errorDescription) = ("unsupported_response_type", "Only response_type=code is supported.");
        }
        else if (Options.RequirePkce && string.IsNullOrEmpty(challenge))
        {
            (error, errorDescription) = ("invalid_request", Aad(tenant, 9002325,
                "Proof Key for Code Exchange is required for this request (code_challenge missing)."));
        }
        else if (!string.IsNullOrEmpty(challenge) && method != "S256" && !(method == "plain" && Options.AllowPlainPkce))
        {
            (error, errorDescription) = ("invalid_request", $"code_challenge_method '{method}' is not supported.");
        }

        if (error is null)
        {
            var user = PickUser(q.GetValueOrDefault("login_hint"));
            var code = "code-" + Base64Url(RandomNumberGenerator.GetBytes(24));
            var scope = q.GetValueOrDefault("scope") ?? "";
            var offline = SplitScopes(scope).Contains("offline_access") ||
                          string.Equals(q.GetValueOrDefault("access_type"), "offline", StringComparison.Ordinal);
            lock (_gate)
            {
                _codes[code] = new PendingCode(code, clientId, redirectUri, scope, challenge, method, user,
                    ResolveTenant(tenant, user), offline, q.GetValueOrDefault("nonce"),
                    Options.TimeProvider.GetUtcNow() + Options.AuthorizationCodeLifetime);
            }

            result["code"] = code;
        }
        else
        {
            result["error"] = error;
            if (errorDescription is not null)
            {
                result["error_description"] = errorDescription;
            }
        }

        if (state is not null)
        {
            result["state"] = state;
        }

        if (string.Equals(responseMode, "form_post", StringComparison.Ordinal))
        {
            var html = new StringBuilder();
            html.Append("<html><body><form method=\"post\" action=\"").Append(WebUtility.HtmlEncode(redirectUri)).Append("\">");
            foreach (var (k, v) in result)
            {
                html.Append("<input type=\"hidden\" name=\"").Append(WebUtility.HtmlEncode(k))
                    .Append("\" value=\"").Append(WebUtility.HtmlEncode(v)).Append("\"/>");
            }

            html.Append("</form></body></html>");
            ctx.Response.ContentType = "text/html; charset=utf-8";
            await ctx.Response.WriteAsync(html.ToString()).ConfigureAwait(false);
            return;
        }

        var encoded = string.Join("&", result.Select(kv => Uri.EscapeDataString(kv.Key) + "=" + Uri.EscapeDataString(kv.Value)));
        string target;
        if (string.Equals(responseMode, "fragment", StringComparison.Ordinal))
        {
            target = redirectUri.Split('#')[0] + "#" + encoded;
        }
        else
        {
            target = redirectUri + (redirectUri.Contains('?') ? "&" : "?") + encoded;
        }

        ctx.Response.StatusCode = 302;
        ctx.Response.Headers.Location = target;
    }

    private async Task TokenEndpointAsync(HttpContext ctx, string path, string? tenant)
    {
        var number = Interlocked.Increment(ref _tokenRequestCount);
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        if (ctx.Request.HasFormContentType)
        {
            var f = await ctx.Request.ReadFormAsync(ctx.RequestAborted).ConfigureAwait(false);
            foreach (var kv in f)
            {
                form[kv.Key] = kv.Value.ToString();
            }
        }

        var headers = ctx.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var record = new TestTokenRequest(number, path, tenant, form, headers, Options.TimeProvider.GetUtcNow());
        lock (_gate) { _tokenRequests.Add(record); }

        if (form.GetValueOrDefault("grant_type") == "refresh_token")
        {
            Interlocked.Increment(ref _refreshRequestCount);
        }

        // ---- injected faults (one per request)
        TimeSpan? answerDelay = null;
        if (_tokenFaults.TryDequeue(out var fault) && fault.AnswerDelay is { } held)
        {
            answerDelay = held;
        }
        else if (fault is not null)
        {
            if (fault.DelayBy is { } delay && delay > TimeSpan.Zero)
            {
                try
                {
                    using var linked = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _stopping.Token);
                    await Task.Delay(delay, linked.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    record.Outcome = "aborted-by-client";
                    return;
                }
            }

            if (fault.StatusCode is { } status)
            {
                record.Outcome = fault.Error ?? $"http-{status}";
                if (fault.Error is not null)
                {
                    await WriteOAuthErrorAsync(ctx, status, fault.Error, fault.ErrorDescription, fault.ErrorCodes).ConfigureAwait(false);
                }
                else
                {
                    ctx.Response.StatusCode = status;
                    ctx.Response.ContentType = fault.ContentType;
                    await ctx.Response.WriteAsync(fault.Body ?? $"Injected HTTP {status}").ConfigureAwait(false);
                }

                return;
            }
        }

        // ---- app-only grants: client credentials (secret or signed assertion) and the JWT bearer grant
        if (await AppOnlyGrantAsync(ctx, form, record, tenant).ConfigureAwait(false))
        {
            return;
        }

        // ---- client authentication (client_secret_post or client_secret_basic)
        var (clientId, clientSecret) = ReadClientCredentials(ctx, form);
        if (!string.Equals(clientId, Options.ClientId, StringComparison.Ordinal))
        {
            record.Outcome = "invalid_client";
            await WriteOAuthErrorAsync(ctx, 401, "invalid_client",
                Aad(tenant, 700016, $"Application with identifier '{clientId}' was not found."), tenant is null ? null : [700016])
                .ConfigureAwait(false);
            return;
        }

        if (Options.ClientSecret is not null && !string.Equals(clientSecret, Options.ClientSecret, StringComparison.Ordinal))
        {
            record.Outcome = "invalid_client";
            await WriteOAuthErrorAsync(ctx, 401, "invalid_client",
                Aad(tenant, 7000215, "Invalid client secret provided."), tenant is null ? null : [7000215]).ConfigureAwait(false);
            return;
        }

        var grantType = form.GetValueOrDefault("grant_type");
        record.AnswerDelay = answerDelay;
        if (grantType == "authorization_code")
        {
            await AuthorizationCodeGrantAsync(ctx, form, record, tenant, clientId!).ConfigureAwait(false);
        }
        else if (grantType == "refresh_token")
        {
            await RefreshTokenGrantAsync(ctx, form, record, tenant, clientId!).ConfigureAwait(false);
        }
        else
        {
            record.Outcome = "unsupported_grant_type";
            await WriteOAuthErrorAsync(ctx, 400, "unsupported_grant_type",
                Aad(tenant, 70003, $"The app requested an unsupported grant type '{grantType}'."), null).ConfigureAwait(false);
        }
    }

    private async Task AuthorizationCodeGrantAsync(HttpContext ctx, Dictionary<string, string> form,
        TestTokenRequest record, string? tenant, string clientId)
    {
        var code = form.GetValueOrDefault("code") ?? "";
        PendingCode? pending;
        lock (_gate)
        {
            // One-time: the code is consumed by the first attempt, successful or not.
            if (_codes.Remove(code, out pending))
            {
                _usedCodes.Add(code);
            }
        }

        string? failure = null;
        int aadCode = 0;
        var now = Options.TimeProvider.GetUtcNow();
        if (pending is null)
        {
            bool reused;
            lock (_gate) { reused = _usedCodes.Contains(code); }
            (failure, aadCode) = reused
                ? ("The provided authorization code has already been redeemed.", 54005)
                : ("The provided authorization code is invalid.", 9002313);
        }
        else if (pending.ExpiresAt <= now)
        {
            (failure, aadCode) = ("The provided authorization code has expired.", 70008);
        }
        else if (!string.Equals(pending.ClientId, clientId, StringComparison.Ordinal))
        {
            (failure, aadCode) = ("The authorization code was issued to another client.", 70000);
        }
        else if (!string.Equals(pending.RedirectUri, form.GetValueOrDefault("redirect_uri"), StringComparison.Ordinal))
        {
            (failure, aadCode) = ($"redirect_uri '{form.GetValueOrDefault("redirect_uri")}' does not match the one used at " +
                                  $"authorization ('{pending.RedirectUri}').", 500112);
        }
        else if (pending.CodeChallenge is not null)
        {
            var verifier = form.GetValueOrDefault("code_verifier");
            if (string.IsNullOrEmpty(verifier))
            {
                (failure, aadCode) = ("code_verifier is missing.", 501481);
            }
            else
            {
                var computed = pending.CodeChallengeMethod == "S256" ? ComputeS256Challenge(verifier) : verifier;
                if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed),
                        Encoding.ASCII.GetBytes(pending.CodeChallenge)))
                {
                    (failure, aadCode) = ("The Code_Verifier does not match the code_challenge supplied in the authorization request.", 501481);
                }
            }
        }

        if (failure is not null)
        {
            record.Outcome = "invalid_grant";
            await WriteOAuthErrorAsync(ctx, 400, "invalid_grant", Aad(tenant, aadCode, failure),
                tenant is null ? null : [aadCode]).ConfigureAwait(false);
            return;
        }

        var scope = pending!.Scope;
        var issueRefresh = !Options.RequireOfflineAccessForRefreshToken || pending.OfflineRequested;
        await IssueTokensAsync(ctx, form, record, pending.User, pending.Tenant, scope, issueRefresh, null, pending.Nonce)
            .ConfigureAwait(false);
    }

    private async Task RefreshTokenGrantAsync(HttpContext ctx, Dictionary<string, string> form,
        TestTokenRequest record, string? tenant, string clientId)
    {
        var presented = form.GetValueOrDefault("refresh_token") ?? "";
        RefreshGrant? grant;
        lock (_gate) { _refreshTokens.TryGetValue(presented, out grant); }

        string? failure = null;
        if (grant is null)
        {
            failure = "The provided refresh token is invalid or malformed.";
        }
        else if (grant.Rotated && Options.StrictRotation)
        {
            // Reuse detection: a redeemed refresh token came back, so the whole family is revoked.
            lock (_gate)
            {
                foreach (var (token, member) in _refreshTokens.ToArray())
                {
                    if (member.Family == grant.Family)
                    {
                        _refreshTokens[token] = member with { Revoked = true };
                    }
                }
            }

            Interlocked.Increment(ref _familyRevocations);
            record.FamilyRevoked = true;
            failure = "The refresh token was already used: its whole token family is revoked.";
        }
        else if (grant.Revoked || grant.Rotated)
        {
            failure = "The refresh token has been revoked.";
        }
        else if (!string.Equals(grant.ClientId, clientId, StringComparison.Ordinal))
        {
            failure = "The refresh token was issued to another client.";
        }

        if (failure is not null)
        {
            record.Outcome = "invalid_grant";
            await WriteOAuthErrorAsync(ctx, 400, "invalid_grant", Aad(tenant, 70000, failure), tenant is null ? null : [70000])
                .ConfigureAwait(false);
            return;
        }

        var requested = form.GetValueOrDefault("scope");
        var scope = string.IsNullOrWhiteSpace(requested) ? grant!.Scope : requested!;
        await IssueTokensAsync(ctx, form, record, grant!.User, grant.Tenant, scope, true, grant, null).ConfigureAwait(false);
    }

    private async Task IssueTokensAsync(HttpContext ctx, Dictionary<string, string> form, TestTokenRequest record,
        TestOAuthUser user, string tenant, string scope, bool issueRefresh, RefreshGrant? previous, string? nonce)
    {
        var now = Options.TimeProvider.GetUtcNow();
        var lifetime = Options.AccessTokenLifetime;
        var scopes = SplitScopes(scope);
        var clientId = Options.ClientId;
        var accessToken = "at-" + Base64Url(RandomNumberGenerator.GetBytes(32));

        string? refreshToken = null;
        lock (_gate)
        {
            _accessTokens[accessToken] = new TestAccessTokenInfo(accessToken, user.Email, user.Subject, clientId, scopes,
                now, now + lifetime, false);

            if (previous is null)
            {
                if (issueRefresh)
                {
                    refreshToken = NewRefreshToken();
                    _refreshTokens[refreshToken] = new RefreshGrant(refreshToken, clientId, user, tenant, scope, false) { Family = refreshToken };
                }
            }
            else
            {
                switch (Options.StrictRotation ? TestRefreshTokenBehavior.Rotate : Options.RefreshTokenBehavior)
                {
                    case TestRefreshTokenBehavior.Rotate:
                        refreshToken = NewRefreshToken();
                        _refreshTokens[refreshToken] = previous with { Token = refreshToken, Scope = scope };
                        if (Options.StrictRotation)
                        {
                            _refreshTokens[previous.Token] = previous with { Rotated = true };
                        }
                        else if (Options.InvalidateRotatedRefreshTokens)
                        {
                            _refreshTokens[previous.Token] = previous with { Revoked = true };
                        }

                        break;
                    case TestRefreshTokenBehavior.Reuse:
                        refreshToken = previous.Token;
                        break;
                    case TestRefreshTokenBehavior.Omit:
                        refreshToken = null;
                        break;
                }
            }
        }

        record.Outcome = "ok";
        record.IssuedAccessToken = accessToken;
        record.IssuedRefreshToken = refreshToken;
        if (previous is not null)
        {
            Interlocked.Increment(ref _refreshesIssued);
        }

        var body = new JsonObject
        {
            ["token_type"] = "Bearer",
            ["scope"] = scope,
            ["expires_in"] = (long)lifetime.TotalSeconds,
            ["ext_expires_in"] = (long)lifetime.TotalSeconds,
            ["access_token"] = accessToken,
        };
        if (refreshToken is not null)
        {
            body["refresh_token"] = refreshToken;
        }

        if (Options.AlwaysIssueIdToken || scopes.Contains("openid"))
        {
            body["id_token"] = CreateIdToken(ctx, user, tenant, clientId, now, lifetime, nonce, record.Tenant);
        }

        if (form.GetValueOrDefault("client_info") == "1")
        {
            var clientInfo = new JsonObject { ["uid"] = user.ObjectId, ["utid"] = tenant };
            body["client_info"] = Base64Url(Encoding.UTF8.GetBytes(clientInfo.ToJsonString()));
        }

        if (record.AnswerDelay is { } hold)
        {
            // The tokens are issued (and a rotated refresh token is dead): only the answer waits.
            try
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _stopping.Token);
                await Task.Delay(hold, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                record.Outcome = "answer-lost";
                return;
            }
        }

        ctx.Response.Headers.CacheControl = "no-store";
        await WriteJsonAsync(ctx, 200, body).ConfigureAwait(false);
    }

    private async Task RevokeEndpointAsync(HttpContext ctx)
    {
        string? token = ctx.Request.Query["token"];
        if (string.IsNullOrEmpty(token) && ctx.Request.HasFormContentType)
        {
            var f = await ctx.Request.ReadFormAsync(ctx.RequestAborted).ConfigureAwait(false);
            token = f["token"];
        }

        if (string.IsNullOrEmpty(token))
        {
            await WriteOAuthErrorAsync(ctx, 400, "invalid_request", "token is missing", null).ConfigureAwait(false);
            return;
        }

        lock (_gate)
        {
            _revokedTokens.Add(token);
            RevokeLocked(token);
        }

        // RFC 7009: 200 also for unknown tokens.
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync("{}").ConfigureAwait(false);
    }

    private async Task UserInfoEndpointAsync(HttpContext ctx)
    {
        var auth = ctx.Request.Headers.Authorization.ToString();
        var token = auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? auth[7..].Trim() : null;
        if (!IsValidAccessToken(token))
        {
            ctx.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            await WriteOAuthErrorAsync(ctx, 401, "invalid_token", "The access token is missing, unknown, expired or revoked.", null)
                .ConfigureAwait(false);
            return;
        }

        var info = GetAccessTokenInfo(token)!;
        TestOAuthUser? user;
        lock (_gate) { user = _users.GetValueOrDefault(info.Email); }
        user ??= Options.DefaultUser;
        await WriteJsonAsync(ctx, 200, new JsonObject
        {
            ["sub"] = info.Subject,
            ["email"] = info.Email,
            ["email_verified"] = user.EmailVerified,
            ["preferred_username"] = info.Email,
            ["name"] = user.DisplayName,
        }).ConfigureAwait(false);
    }

    private static async Task InstanceDiscoveryAsync(HttpContext ctx)
    {
        // MSAL sends: GET https://{host}/common/discovery/instance?api-version=1.1&authorization_endpoint=https://{authority host}/{tenant}/oauth2/v2.0/authorize
        var publicBase = PublicBase(ctx);
        var environment = new Uri(publicBase).Authority;
        string? tenant = null;
        if (Uri.TryCreate(ctx.Request.Query["authorization_endpoint"].ToString(), UriKind.Absolute, out var authz))
        {
            environment = authz.Authority;
            tenant = authz.AbsolutePath.Trim('/').Split('/')[0];
            publicBase = $"{authz.Scheme}://{authz.Authority}";
        }

        tenant = string.IsNullOrEmpty(tenant) ? "common" : tenant;
        await WriteJsonAsync(ctx, 200, new JsonObject
        {
            ["tenant_discovery_endpoint"] = $"{publicBase}/{tenant}/v2.0/.well-known/openid-configuration",
            ["api-version"] = "1.1",
            ["metadata"] = new JsonArray(new JsonObject
            {
                ["preferred_network"] = environment,
                ["preferred_cache"] = environment,
                ["aliases"] = new JsonArray(environment),
            }),
        }).ConfigureAwait(false);
    }

    private async Task OpenIdConfigurationAsync(HttpContext ctx, string? tenant)
    {
        var b = PublicBase(ctx);
        JsonObject doc;
        if (tenant is not null)
        {
            var t = tenant;
            var issuerTenant = Guid.TryParse(t, out _) ? t : "{tenantid}";
            doc = new JsonObject
            {
                ["issuer"] = $"{b}/{issuerTenant}/v2.0",
                ["authorization_endpoint"] = $"{b}/{t}/oauth2/v2.0/authorize",
                ["token_endpoint"] = $"{b}/{t}/oauth2/v2.0/token",
                ["end_session_endpoint"] = $"{b}/{t}/oauth2/v2.0/logout",
                ["jwks_uri"] = $"{b}/{t}/discovery/v2.0/keys",
                ["userinfo_endpoint"] = $"{b}/oidc/userinfo",
            };
        }
        else
        {
            doc = new JsonObject
            {
                ["issuer"] = b,
                ["authorization_endpoint"] = $"{b}/authorize",
                ["token_endpoint"] = $"{b}/token",
                ["revocation_endpoint"] = $"{b}/revoke",
                ["userinfo_endpoint"] = $"{b}/userinfo",
                ["jwks_uri"] = $"{b}/keys",
            };
        }

        doc["response_types_supported"] = new JsonArray("code");
        doc["response_modes_supported"] = new JsonArray("query", "fragment", "form_post");
        doc["grant_types_supported"] = new JsonArray("authorization_code", "refresh_token");
        doc["subject_types_supported"] = new JsonArray("public");
        doc["id_token_signing_alg_values_supported"] = new JsonArray(Options.SignIdTokensWithRsa ? "RS256" : "HS256");
        doc["code_challenge_methods_supported"] = new JsonArray("S256");
        doc["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_post", "client_secret_basic");
        doc["scopes_supported"] = new JsonArray("openid", "profile", "email", "offline_access");
        await WriteJsonAsync(ctx, 200, doc).ConfigureAwait(false);
    }

    // ============================================================ helpers

    private string CreateIdToken(HttpContext ctx, TestOAuthUser user, string tenant, string clientId,
        DateTimeOffset now, TimeSpan lifetime, string? nonce, string? pathTenant)
    {
        var rsa = Options.SignIdTokensWithRsa;
        var tampering = Options.IdTokenTampering;
        var header = new JsonObject { ["typ"] = "JWT", ["alg"] = rsa ? "RS256" : "HS256", ["kid"] = rsa ? _signingKeyId : "test" };
        // As an OpenID Connect provider, the generic endpoints issue under the issuer of their metadata document.
        var issuer = rsa && pathTenant is null ? PublicBase(ctx) : $"{PublicBase(ctx)}/{tenant}/v2.0";
        var issuedAt = tampering == TestIdTokenTampering.Expired ? now - lifetime - TimeSpan.FromHours(1) : now;
        var payload = new JsonObject
        {
            ["aud"] = tampering == TestIdTokenTampering.WrongAudience ? "another-client" : clientId,
            ["iss"] = tampering == TestIdTokenTampering.WrongIssuer ? "https://issuer.invalid" : issuer,
            ["iat"] = issuedAt.ToUnixTimeSeconds(),
            ["nbf"] = issuedAt.ToUnixTimeSeconds(),
            ["exp"] = (issuedAt + lifetime).ToUnixTimeSeconds(),
            ["sub"] = user.Subject,
            ["oid"] = user.ObjectId,
            ["tid"] = tenant,
            ["email"] = user.Email,
            ["email_verified"] = user.EmailVerified,
            ["preferred_username"] = user.Email,
            ["name"] = user.DisplayName,
            ["ver"] = "2.0",
        };
        if (tampering == TestIdTokenTampering.WrongNonce)
        {
            nonce = Base64Url(RandomNumberGenerator.GetBytes(16));
        }

        if (nonce is not null)
        {
            payload["nonce"] = nonce;
        }

        var signingInput = Base64Url(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." +
                           Base64Url(Encoding.UTF8.GetBytes(payload.ToJsonString()));
        byte[] signature;
        if (!rsa)
        {
            signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(Options.IdTokenSigningKey), Encoding.ASCII.GetBytes(signingInput));
        }
        else if (tampering == TestIdTokenTampering.WrongSignature)
        {
            // Signed with a key nobody published, under the published key's id.
            using var other = RSA.Create(2048);
            signature = other.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }
        else
        {
            signature = _signingKey.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }

        var token = signingInput + "." + Base64Url(signature);
        lock (_gate) { _issuedIdTokens.Add(token); }
        return token;
    }

    /// <summary>The public half of the RSA signing key, as a JWK.</summary>
    private JsonObject PublicJwk()
    {
        var parameters = _signingKey.ExportParameters(includePrivateParameters: false);
        return new JsonObject
        {
            ["kty"] = "RSA",
            ["use"] = "sig",
            ["alg"] = "RS256",
            ["kid"] = _signingKeyId,
            ["n"] = Base64Url(parameters.Modulus!),
            ["e"] = Base64Url(parameters.Exponent!),
        };
    }

    private TestOAuthUser PickUser(string? loginHint)
    {
        if (!string.IsNullOrEmpty(loginHint))
        {
            lock (_gate)
            {
                if (_users.TryGetValue(loginHint, out var u))
                {
                    return u;
                }
            }
        }

        return Options.DefaultUser;
    }

    private static string ResolveTenant(string? pathTenant, TestOAuthUser user) =>
        pathTenant is not null && Guid.TryParse(pathTenant, out _) ? pathTenant : user.TenantId;

    private void RevokeLocked(string token)
    {
        if (_accessTokens.TryGetValue(token, out var at))
        {
            _accessTokens[token] = at with { Revoked = true };
        }

        if (_refreshTokens.TryGetValue(token, out var rt))
        {
            _refreshTokens[token] = rt with { Revoked = true };
            // Revoking a refresh token also revokes the access tokens of that user/client (like Google).
            foreach (var (k, v) in _accessTokens.ToArray())
            {
                if (v.Subject == rt.User.Subject && v.ClientId == rt.ClientId)
                {
                    _accessTokens[k] = v with { Revoked = true };
                }
            }
        }
    }

    private static (string? ClientId, string? ClientSecret) ReadClientCredentials(HttpContext ctx, Dictionary<string, string> form)
    {
        var auth = ctx.Request.Headers.Authorization.ToString();
        if (auth.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var raw = Encoding.UTF8.GetString(Convert.FromBase64String(auth[6..].Trim()));
                var i = raw.IndexOf(':');
                if (i > 0)
                {
                    return (Uri.UnescapeDataString(raw[..i].Replace('+', ' ')), Uri.UnescapeDataString(raw[(i + 1)..].Replace('+', ' ')));
                }
            }
            catch (FormatException)
            {
                // fall through to the form
            }
        }

        return (form.GetValueOrDefault("client_id"), form.GetValueOrDefault("client_secret"));
    }

    private static string PublicBase(HttpContext ctx)
    {
        var host = ctx.Request.Headers["X-Forwarded-Host"].ToString();
        var proto = ctx.Request.Headers["X-Forwarded-Proto"].ToString();
        if (string.IsNullOrEmpty(host))
        {
            host = ctx.Request.Host.Value ?? "127.0.0.1";
        }

        if (string.IsNullOrEmpty(proto))
        {
            proto = ctx.Request.Scheme;
        }

        return $"{proto}://{host}";
    }

    private static string Aad(string? tenant, int code, string message) =>
        tenant is null || code == 0 ? message : $"AADSTS{code}: {message}";

    private static async Task WriteOAuthErrorAsync(HttpContext ctx, int status, string error, string? description,
        IReadOnlyList<int>? errorCodes)
    {
        var body = new JsonObject { ["error"] = error };
        if (description is not null)
        {
            body["error_description"] = description;
        }

        if (errorCodes is { Count: > 0 })
        {
            body["error_codes"] = new JsonArray(errorCodes.Select(c => (JsonNode)c).ToArray());
            body["timestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
            body["trace_id"] = Guid.NewGuid().ToString();
            body["correlation_id"] = Guid.NewGuid().ToString();
        }

        await WriteJsonAsync(ctx, status, body).ConfigureAwait(false);
    }

    private static async Task WriteJsonAsync(HttpContext ctx, int status, JsonNode body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        await ctx.Response.WriteAsync(body.ToJsonString()).ConfigureAwait(false);
    }

    private static async Task WritePlainAsync(HttpContext ctx, int status, string text)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        await ctx.Response.WriteAsync(text).ConfigureAwait(false);
    }

    private static string NewRefreshToken() => "rt-" + Base64Url(RandomNumberGenerator.GetBytes(32));

    private static bool Eq(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static string[] SplitScopes(string? scope) =>
        (scope ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static Dictionary<string, string> ParseQuery(string queryOrFragment)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var s = queryOrFragment.TrimStart('?', '#');
        foreach (var part in s.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var i = part.IndexOf('=');
            var k = Uri.UnescapeDataString((i < 0 ? part : part[..i]).Replace('+', ' '));
            var v = i < 0 ? "" : Uri.UnescapeDataString(part[(i + 1)..].Replace('+', ' '));
            result[k] = v;
        }

        return result;
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed record PendingCode(
        string Code, string ClientId, string RedirectUri, string Scope, string? CodeChallenge, string? CodeChallengeMethod,
        TestOAuthUser User, string Tenant, bool OfflineRequested, string? Nonce, DateTimeOffset ExpiresAt);

    private sealed record RefreshGrant(string Token, string ClientId, TestOAuthUser User, string Tenant, string Scope, bool Revoked)
    {
        /// <summary>The first refresh token of the grant: every rotation of it belongs to the same family.</summary>
        public string Family { get; init; } = "";

        /// <summary>Redeemed and replaced by a newer one (dead with <see cref="TestOAuthProviderOptions.StrictRotation"/>).</summary>
        public bool Rotated { get; init; }
    }
}

/// <summary>Settings of a <see cref="TestOAuthProvider"/>; read on each request, so tests may change them at run time.</summary>
public sealed class TestOAuthProviderOptions
{
    /// <summary>The only client_id accepted at the authorization and token endpoints.</summary>
    public string ClientId { get; set; } = "test-client-id";

    /// <summary>Expected client_secret (post or basic). Null: the secret is not checked (public client).</summary>
    public string? ClientSecret { get; set; } = "test-client-secret";

    /// <summary>When set, redirect_uri must be one of these (exact match); otherwise any absolute URI is accepted.</summary>
    public IList<string>? AllowedRedirectUris { get; set; }

    /// <summary>Authorization requests without code_challenge are refused (error=invalid_request). Default true.</summary>
    public bool RequirePkce { get; set; } = true;

    /// <summary>Accept code_challenge_method=plain (default: only S256).</summary>
    public bool AllowPlainPkce { get; set; }

    /// <summary>The user who consents when no registered user matches the login_hint.</summary>
    public TestOAuthUser DefaultUser { get; set; } = new("user@example.test", "Test User");

    /// <summary>expires_in of issued access tokens. Default one hour.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long an authorization code can be redeemed. Default five minutes.</summary>
    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>What a refresh_token grant answers with. Default: a new refresh token each time.</summary>
    public TestRefreshTokenBehavior RefreshTokenBehavior { get; set; } = TestRefreshTokenBehavior.Rotate;

    /// <summary>With <see cref="TestRefreshTokenBehavior.Rotate"/>: the presented refresh token stops working. Default false.</summary>
    public bool InvalidateRotatedRefreshTokens { get; set; }

    /// <summary>
    /// Strict rotation with reuse detection (Okta, Auth0, Keycloak with rotation on): every refresh answers with a new
    /// refresh token and the presented one dies; presenting a dead one again revokes the whole token family (every
    /// refresh token descended from the same authorization) and counts in <see cref="TestOAuthProvider.FamilyRevocations"/>.
    /// </summary>
    public bool StrictRotation { get; set; }

    /// <summary>Only issue a refresh token at code exchange when scope had offline_access or access_type=offline was sent.</summary>
    public bool RequireOfflineAccessForRefreshToken { get; set; }

    /// <summary>Issue an id_token even when the scope has no <c>openid</c>.</summary>
    public bool AlwaysIssueIdToken { get; set; }

    /// <summary>HS256 key of the id_token signature.</summary>
    public string IdTokenSigningKey { get; set; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// Sign id_tokens with RS256 and the RSA key served at <c>/keys</c> (the metadata's jwks_uri), and issue them from the
    /// generic endpoints under the metadata's issuer: an OpenID Connect provider whose tokens a relying party checks.
    /// Default false (HS256, as MSAL's tests need nothing more).
    /// </summary>
    public bool SignIdTokensWithRsa { get; set; }

    /// <summary>Spoils every id_token issued while set, to see a relying party refuse it.</summary>
    public TestIdTokenTampering IdTokenTampering { get; set; }

    /// <summary>Clock for expiry decisions.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}

/// <summary>How issued id_tokens are spoiled on purpose.</summary>
public enum TestIdTokenTampering
{
    /// <summary>Good tokens.</summary>
    None,

    /// <summary>Signed with a key that is not the published one (same key id).</summary>
    WrongSignature,

    /// <summary>A nonce other than the one of the authorization request.</summary>
    WrongNonce,

    /// <summary>Another issuer.</summary>
    WrongIssuer,

    /// <summary>Another client as audience.</summary>
    WrongAudience,

    /// <summary>Expired an hour ago.</summary>
    Expired,
}

/// <summary>Refresh-grant behaviour.</summary>
public enum TestRefreshTokenBehavior
{
    /// <summary>Answer with a new refresh token.</summary>
    Rotate,

    /// <summary>Answer with the presented refresh token again.</summary>
    Reuse,

    /// <summary>Answer without a refresh_token field (like Google).</summary>
    Omit,
}

/// <summary>A user that can consent at the authorization endpoint.</summary>
public sealed record TestOAuthUser
{
    public TestOAuthUser(string email, string? displayName = null)
    {
        Email = email;
        DisplayName = displayName ?? email;
    }

    public string Email { get; init; }

    public string DisplayName { get; init; }

    /// <summary>id_token <c>sub</c>.</summary>
    public string Subject { get; init; } = Guid.NewGuid().ToString("N");

    /// <summary>id_token <c>oid</c> and client_info <c>uid</c>.</summary>
    public string ObjectId { get; init; } = Guid.NewGuid().ToString();

    /// <summary>Home tenant: id_token <c>tid</c> and client_info <c>utid</c> unless the request path names a tenant GUID.</summary>
    public string TenantId { get; init; } = Guid.NewGuid().ToString();

    /// <summary>id_token and user-info <c>email_verified</c>. Default true.</summary>
    public bool EmailVerified { get; init; } = true;
}

/// <summary>A fault for one token request. Build with the static factories.</summary>
public sealed record TestTokenFault
{
    public TimeSpan? DelayBy { get; init; }

    public int? StatusCode { get; init; }

    public string? Error { get; init; }

    public string? ErrorDescription { get; init; }

    public IReadOnlyList<int>? ErrorCodes { get; init; }

    public string? Body { get; init; }

    public string ContentType { get; init; } = "text/plain";

    /// <summary>Process the request at once, then hold the answer this long (see <see cref="TestOAuthProvider.DelayNextTokenAnswer"/>).</summary>
    public TimeSpan? AnswerDelay { get; init; }

    /// <summary>An OAuth error body <c>{"error":..,"error_description":..,"error_codes":[..]}</c>.</summary>
    public static TestTokenFault OAuthError(string error, string? description = null, int statusCode = 400,
        IReadOnlyList<int>? errorCodes = null) =>
        new() { StatusCode = statusCode, Error = error, ErrorDescription = description, ErrorCodes = errorCodes };

    /// <summary>AADSTS-style invalid_client: <c>AADSTS7000215: Invalid client secret provided.</c> (HTTP 401).</summary>
    public static TestTokenFault AadInvalidClientSecret() =>
        OAuthError("invalid_client", "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the " +
                                     "request is the client secret value, not the client secret ID.", 401, [7000215]);

    /// <summary>A bare HTTP status with an optional body.</summary>
    public static TestTokenFault HttpStatus(int statusCode, string? body = null, string contentType = "text/plain") =>
        new() { StatusCode = statusCode, Body = body, ContentType = contentType };

    /// <summary>Hold the request, then process it normally.</summary>
    public static TestTokenFault Delay(TimeSpan delay) => new() { DelayBy = delay };

    /// <summary>Process the request, then hold the answer.</summary>
    public static TestTokenFault DelayAnswer(TimeSpan delay) => new() { AnswerDelay = delay };
}

/// <summary>One request to an authorization endpoint.</summary>
public sealed record TestAuthorizationRequest(
    string Path, string? Tenant, IReadOnlyDictionary<string, string> Query, DateTimeOffset ReceivedAt)
{
    /// <summary>A query parameter or null.</summary>
    public string? this[string name] => Query.GetValueOrDefault(name);
}

/// <summary>One request to a token endpoint. Outcome: ok, invalid_client, invalid_grant, http-500, aborted-by-client, ...</summary>
public sealed record TestTokenRequest(
    int Number, string Path, string? Tenant, IReadOnlyDictionary<string, string> Form,
    IReadOnlyDictionary<string, string> Headers, DateTimeOffset ReceivedAt)
{
    /// <summary>A form field or null.</summary>
    public string? this[string name] => Form.GetValueOrDefault(name);

    public string? GrantType => Form.GetValueOrDefault("grant_type");

    public string? Outcome { get; internal set; }

    public string? IssuedAccessToken { get; internal set; }

    public string? IssuedRefreshToken { get; internal set; }

    /// <summary>The claims of the request's verified JWT (client assertion or JWT bearer grant), with its header's alg and kid.</summary>
    public IReadOnlyDictionary<string, string>? VerifiedAssertion { get; internal set; }

    /// <summary>The answer was held this long after processing (see <see cref="TestOAuthProvider.DelayNextTokenAnswer"/>).</summary>
    public TimeSpan? AnswerDelay { get; internal set; }

    /// <summary>This request presented a redeemed refresh token and revoked its family (strict rotation).</summary>
    public bool FamilyRevoked { get; internal set; }
}

/// <summary>Any request the provider received. ForwardedHost is the original host when a routing handler sent it.</summary>
public sealed record TestRecordedRequest(string Method, string Path, string Query, string? ForwardedHost, DateTimeOffset ReceivedAt);

/// <summary>An access token issued by the provider.</summary>
public sealed record TestAccessTokenInfo(
    string Token, string Email, string Subject, string ClientId, IReadOnlyList<string> Scopes,
    DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt, bool Revoked);

/// <summary>What the authorization endpoint answered (see <see cref="TestOAuthProvider.AuthorizeAsync"/>).</summary>
public sealed record TestAuthorizationResponse(
    int StatusCode, Uri? RedirectUri, IReadOnlyDictionary<string, string> Values, string Body)
{
    public string? Code => Values.GetValueOrDefault("code");

    public string? State => Values.GetValueOrDefault("state");

    public string? Error => Values.GetValueOrDefault("error");

    public string? ErrorDescription => Values.GetValueOrDefault("error_description");
}
