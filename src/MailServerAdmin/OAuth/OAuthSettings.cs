using MailServerAdmin.Localization;
using System.Text.RegularExpressions;

namespace MailServerAdmin.OAuth;

/// <summary>Everything needed to talk to a provider's endpoints for one server.</summary>
public sealed partial record OAuthSettings(
    OAuthProvider Provider,
    string? Tenant,
    string ClientId,
    string? ClientSecret,
    string? AuthorizationUrl,
    string TokenUrl,
    string? RevocationUrl,
    string? Scopes)
{
    public string? ResolvedAuthorizationUrl => Resolve(AuthorizationUrl);

    public string ResolvedTokenUrl => Resolve(TokenUrl)!;

    public IReadOnlyList<string> ScopeList => SplitScopes(Scopes);

    public static IReadOnlyList<string> SplitScopes(string? scopes) =>
        string.IsNullOrWhiteSpace(scopes) ? [] : Separators().Split(scopes.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Replaces the {tenant} placeholder of Microsoft's URLs.</summary>
    public string? Resolve(string? url) =>
        url?.Replace(OAuthProviderDefaults.TenantPlaceholder, string.IsNullOrWhiteSpace(Tenant) ? "common" : Tenant, StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"[\s,]+")]
    private static partial Regex Separators();
}

/// <summary>Tokens from a provider. The refresh token may be absent from a refresh answer.</summary>
public sealed record TokenSet(string AccessToken, string? RefreshToken, DateTime? ExpiresUtc, DateTime ObtainedUtc, string? Account);

/// <summary>The start of an authorization: where to send the browser, and the PKCE verifier to keep.</summary>
public sealed record AuthorizationStart(Uri Url, string CodeVerifier);

/// <summary>
/// A provider refused or failed: <see cref="Error"/> is the provider's error code, <see cref="DescriptionText"/> what
/// it said (or what went wrong on the way), <see cref="HintText"/> how to fix it. <see cref="Description"/> and
/// <see cref="Hint"/> are the English texts.
/// </summary>
public sealed class OAuthException(string error, LocalizableText description, LocalizableText hint, Exception? inner = null)
    : Exception($"{error}: {description}", inner)
{
    public string Error { get; } = error;

    /// <summary>The HTTP status the token endpoint answered with, when it answered.</summary>
    public int? StatusCode { get; init; }

    /// <summary>
    /// An outage at the provider rather than a verdict on this request: no answer in time, no connection, a 5xx or
    /// 429 answer, or the provider's own <c>server_error</c>/<c>temporarily_unavailable</c>. Trying again later may work.
    /// </summary>
    public bool IsTransient => OAuthErrors.IsTransient(Error, StatusCode);

    /// <summary>The provider refused the grant itself (the refresh token): only a new authorization helps.</summary>
    public bool IsInvalidGrant => Error == "invalid_grant";

    public LocalizableText DescriptionText { get; } = description;

    public LocalizableText HintText { get; } = hint;

    public string Description => DescriptionText.ToString();

    public string Hint => HintText.ToString();
}
