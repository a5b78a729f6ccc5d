using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace MailServerAdmin.Tests.Infrastructure.OAuth;

/// <summary>
/// The app-only grants of the test provider, checked the way Microsoft Entra and Google check them:
/// <list type="bullet">
/// <item><c>grant_type=client_credentials</c>, the client authenticated with its secret, or with a client assertion
/// (RFC 7523 <c>private_key_jwt</c>) whose RS256 or PS256 signature is verified with the public key of a certificate
/// registered with <see cref="AddClientCertificate"/>: <c>iss</c> = <c>sub</c> = the client id, <c>aud</c> = the token
/// endpoint, a current <c>exp</c> and an unused <c>jti</c>; the scope must be a resource's <c>/.default</c>.</item>
/// <item><c>grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer</c>: a service account's assertion, its RS256
/// signature verified with the public key registered with <see cref="AddServiceAccount"/>: <c>iss</c> = the client
/// e-mail, <c>aud</c> = the token URL, a scope, and <c>sub</c> = the mailbox the token is issued for.</item>
/// </list>
/// Neither issues a refresh token.
/// </summary>
public sealed partial class TestOAuthProvider
{
    public const string ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    public const string JwtBearerGrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private readonly List<X509Certificate2> _clientCertificates = [];
    private readonly Dictionary<string, (string KeyId, RSA Key)> _serviceAccounts = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _assertionIds = new(StringComparer.Ordinal);

    /// <summary>False: service accounts have no domain-wide delegation, and the JWT bearer grant answers unauthorized_client.</summary>
    public bool DomainWideDelegation { get; set; } = true;

    /// <summary>Registers a certificate of the client (its public part, as uploaded to an app registration).</summary>
    public void AddClientCertificate(X509Certificate2 certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var publicPart = X509CertificateLoader.LoadCertificate(certificate.RawData);
        lock (_gate) { _clientCertificates.Add(publicPart); }
    }

    /// <summary>Registers a service account's public key, as Google keeps it when a JSON key is created.</summary>
    public void AddServiceAccount(string clientEmail, string keyId, RSA key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var publicKey = RSA.Create();
        publicKey.ImportParameters(key.ExportParameters(includePrivateParameters: false));
        lock (_gate) { _serviceAccounts[clientEmail] = (keyId, publicKey); }
    }

    /// <summary>Handles the app-only grants; false when the request is for another grant.</summary>
    private async Task<bool> AppOnlyGrantAsync(HttpContext ctx, Dictionary<string, string> form, TestTokenRequest record, string? tenant)
    {
        var grantType = form.GetValueOrDefault("grant_type");
        if (grantType == JwtBearerGrantType)
        {
            await JwtBearerGrantAsync(ctx, form, record).ConfigureAwait(false);
            return true;
        }

        var assertion = form.GetValueOrDefault("client_assertion");
        if (grantType != "client_credentials" && assertion is null)
        {
            return false;
        }

        var (clientId, clientSecret) = ReadClientCredentials(ctx, form);
        (string Message, int Code)? failure = null;
        if (assertion is not null)
        {
            failure = VerifyClientAssertion(ctx, form, assertion, record, ref clientId);
        }
        else if (!string.Equals(clientId, Options.ClientId, StringComparison.Ordinal))
        {
            failure = ($"Application with identifier '{clientId}' was not found.", 700016);
        }
        else if (Options.ClientSecret is not null && !string.Equals(clientSecret, Options.ClientSecret, StringComparison.Ordinal))
        {
            failure = ("Invalid client secret provided.", 7000215);
        }

        if (failure is { } refused)
        {
            record.Outcome = "invalid_client";
            await WriteOAuthErrorAsync(ctx, 401, "invalid_client", Aad(tenant, refused.Code, refused.Message), tenant is null ? null : [refused.Code])
                .ConfigureAwait(false);
            return true;
        }

        if (grantType != "client_credentials")
        {
            record.Outcome = "unsupported_grant_type";
            await WriteOAuthErrorAsync(ctx, 400, "unsupported_grant_type",
                Aad(tenant, 70003, $"The app requested an unsupported grant type '{grantType}'."), null).ConfigureAwait(false);
            return true;
        }

        var scopes = SplitScopes(form.GetValueOrDefault("scope"));
        if (scopes.Length == 0 || !scopes.All(s => s.EndsWith("/.default", StringComparison.Ordinal)))
        {
            record.Outcome = "invalid_scope";
            await WriteOAuthErrorAsync(ctx, 400, "invalid_scope", Aad(tenant, 1002012,
                $"The provided value for scope {string.Join(' ', scopes)} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier."),
                tenant is null ? null : [1002012]).ConfigureAwait(false);
            return true;
        }

        await IssueAppTokenAsync(ctx, record, email: "", subject: $"app:{clientId}", clientId!, scopes).ConfigureAwait(false);
        return true;
    }

    /// <summary>RFC 7523 section 3 for a client assertion: signed by a registered certificate, for this client and this endpoint.</summary>
    private (string Message, int Code)? VerifyClientAssertion(
        HttpContext ctx, Dictionary<string, string> form, string assertion, TestTokenRequest record, ref string? clientId)
    {
        if (form.GetValueOrDefault("client_assertion_type") != ClientAssertionType)
        {
            return ("client_assertion_type must be " + ClientAssertionType + ".", 50027);
        }

        if (ReadJwt(assertion) is not { } jwt)
        {
            return ("The client assertion is not a JWT.", 50027);
        }

        X509Certificate2[] certificates;
        lock (_gate) { certificates = [.. _clientCertificates]; }
        var thumbprint = jwt.Header["x5t"]?.GetValue<string>();
        var thumbprint256 = jwt.Header["x5t#S256"]?.GetValue<string>();
        var signedBy = certificates
            .Where(c => (thumbprint is null && thumbprint256 is null)
                || thumbprint == Base64Url(c.GetCertHash())
                || thumbprint256 == Base64Url(c.GetCertHash(HashAlgorithmName.SHA256)))
            .FirstOrDefault(c => jwt.VerifiedWith(c.GetRSAPublicKey()!));
        if (signedBy is null)
        {
            return ("Client assertion failed signature validation. The certificate is not registered for the application.", 700027);
        }

        var issuer = jwt.Claim("iss");
        clientId ??= issuer;
        if (issuer != clientId || jwt.Claim("sub") != clientId || !string.Equals(clientId, Options.ClientId, StringComparison.Ordinal))
        {
            return ($"Client assertion application identifier '{issuer}' doesn't match the client_id parameter '{clientId}'.", 700021);
        }

        var expectedAudience = $"{PublicBase(ctx)}{ctx.Request.Path}";
        if (!jwt.Audiences().Contains(expectedAudience, StringComparer.OrdinalIgnoreCase))
        {
            return ($"Client assertion audience claim does not match the token endpoint '{expectedAudience}'.", 700022);
        }

        var problem = CheckLifetime(jwt) ?? (string.IsNullOrEmpty(jwt.Claim("jti")) ? "The client assertion has no jti." : null);
        if (problem is not null)
        {
            return (problem, 700024);
        }

        lock (_gate)
        {
            if (!_assertionIds.Add(jwt.Claim("jti")!))
            {
                return ("The client assertion was already used (jti replayed).", 700025);
            }
        }

        record.VerifiedAssertion = jwt.Summary(("x5t", thumbprint ?? thumbprint256 ?? ""));
        return null;
    }

    /// <summary>RFC 7523 section 2.1: the assertion is the grant; it names the service account and the mailbox it acts for.</summary>
    private async Task JwtBearerGrantAsync(HttpContext ctx, Dictionary<string, string> form, TestTokenRequest record)
    {
        async Task RefuseAsync(int status, string error, string description)
        {
            record.Outcome = error;
            await WriteOAuthErrorAsync(ctx, status, error, description, null).ConfigureAwait(false);
        }

        if (ReadJwt(form.GetValueOrDefault("assertion")) is not { } jwt)
        {
            await RefuseAsync(400, "invalid_grant", "Invalid JWT: the assertion is not a JWT.").ConfigureAwait(false);
            return;
        }

        var issuer = jwt.Claim("iss") ?? "";
        (string KeyId, RSA Key) account;
        bool known;
        lock (_gate) { known = _serviceAccounts.TryGetValue(issuer, out account); }
        if (!known)
        {
            await RefuseAsync(401, "invalid_client", $"The OAuth client was not found: {issuer}.").ConfigureAwait(false);
            return;
        }

        if (jwt.Header["alg"]?.GetValue<string>() != "RS256" || !jwt.VerifiedWith(account.Key)
            || (jwt.Header["kid"]?.GetValue<string>() is { } kid && kid != account.KeyId))
        {
            await RefuseAsync(400, "invalid_grant", "Invalid JWT Signature.").ConfigureAwait(false);
            return;
        }

        var expectedAudience = $"{PublicBase(ctx)}{ctx.Request.Path}";
        if (!jwt.Audiences().Contains(expectedAudience, StringComparer.Ordinal))
        {
            await RefuseAsync(400, "invalid_grant", $"Invalid JWT: the audience '{string.Join(' ', jwt.Audiences())}' is not {expectedAudience}.").ConfigureAwait(false);
            return;
        }

        if (CheckLifetime(jwt) is not null || jwt.Number("exp") - jwt.Number("iat") > 3600)
        {
            await RefuseAsync(400, "invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.").ConfigureAwait(false);
            return;
        }

        var scopes = SplitScopes(jwt.Claim("scope"));
        if (scopes.Length == 0)
        {
            await RefuseAsync(400, "invalid_scope", "Empty or missing scope not allowed.").ConfigureAwait(false);
            return;
        }

        if (!DomainWideDelegation)
        {
            await RefuseAsync(401, "unauthorized_client",
                "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.").ConfigureAwait(false);
            return;
        }

        record.VerifiedAssertion = jwt.Summary(("kid", account.KeyId));
        var mailbox = jwt.Claim("sub") ?? issuer;
        await IssueAppTokenAsync(ctx, record, email: mailbox, subject: mailbox, issuer, scopes).ConfigureAwait(false);
    }

    private async Task IssueAppTokenAsync(HttpContext ctx, TestTokenRequest record, string email, string subject, string clientId, string[] scopes)
    {
        var now = Options.TimeProvider.GetUtcNow();
        var lifetime = Options.AccessTokenLifetime;
        var accessToken = "at-" + Base64Url(RandomNumberGenerator.GetBytes(32));
        lock (_gate)
        {
            _accessTokens[accessToken] = new TestAccessTokenInfo(accessToken, email, subject, clientId, scopes, now, now + lifetime, false);
        }

        record.Outcome = "ok";
        record.IssuedAccessToken = accessToken;
        ctx.Response.Headers.CacheControl = "no-store";
        await WriteJsonAsync(ctx, 200, new JsonObject
        {
            ["token_type"] = "Bearer",
            ["expires_in"] = (long)lifetime.TotalSeconds,
            ["ext_expires_in"] = (long)lifetime.TotalSeconds,
            ["access_token"] = accessToken,
        }).ConfigureAwait(false);
    }

    private string? CheckLifetime(Jwt jwt)
    {
        var now = Options.TimeProvider.GetUtcNow().ToUnixTimeSeconds();
        if (jwt.Number("exp") is not { } exp || exp <= now - ClockSkew.TotalSeconds)
        {
            return "The assertion has expired or has no exp.";
        }

        return jwt.Number("nbf") is { } nbf && nbf > now + ClockSkew.TotalSeconds ? "The assertion is not valid yet (nbf)." : null;
    }

    private static Jwt? ReadJwt(string? token)
    {
        var parts = token?.Split('.');
        if (parts is not { Length: 3 })
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(FromBase64Url(parts[0])) is JsonObject header && JsonNode.Parse(FromBase64Url(parts[1])) is JsonObject payload
                ? new Jwt(header, payload, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), FromBase64Url(parts[2]))
                : null;
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static byte[] FromBase64Url(string value)
    {
        var s = value.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }

    /// <summary>A JWT as received: its header, its claims, what was signed and the signature.</summary>
    private sealed record Jwt(JsonObject Header, JsonObject Payload, byte[] SignedData, byte[] Signature)
    {
        public string? Claim(string name) => Payload[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

        /// <summary>A NumericDate claim; MSAL writes them as strings, which Entra accepts too.</summary>
        public long? Number(string name) => Payload[name] is not JsonValue value ? null
            : value.TryGetValue<long>(out var number) ? number
            : value.TryGetValue<string>(out var text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out number) ? number
            : null;

        public IEnumerable<string> Audiences() => Payload["aud"] switch
        {
            JsonArray many => many.Select(a => a?.GetValue<string>() ?? ""),
            JsonValue one when one.TryGetValue<string>(out var audience) => [audience],
            _ => [],
        };

        /// <summary>RS256 (PKCS#1 v1.5) or PS256 (PSS), with SHA-256, as the header says.</summary>
        public bool VerifiedWith(RSA key)
        {
            var padding = Header["alg"]?.GetValue<string>() switch
            {
                "RS256" => RSASignaturePadding.Pkcs1,
                "PS256" => RSASignaturePadding.Pss,
                _ => null,
            };
            return padding is not null && key.VerifyData(SignedData, Signature, HashAlgorithmName.SHA256, padding);
        }

        public Dictionary<string, string> Summary((string Name, string Value) key)
        {
            var summary = Payload.ToDictionary(p => p.Key, p => p.Value?.ToJsonString().Trim('"') ?? "", StringComparer.Ordinal);
            summary["alg"] = Header["alg"]?.GetValue<string>() ?? "";
            summary[key.Name] = key.Value;
            summary["verified"] = true.ToString(CultureInfo.InvariantCulture);
            return summary;
        }
    }
}
