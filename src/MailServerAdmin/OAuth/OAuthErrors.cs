using System.Text.RegularExpressions;
using MailServerAdmin.Localization;
using static MailServerAdmin.Localization.LocalizableText;

namespace MailServerAdmin.OAuth;

/// <summary>Turns provider errors into an explanation and a fix.</summary>
public static partial class OAuthErrors
{
    /// <summary>A provider's error, with what the provider said about it as it said it.</summary>
    public static OAuthException Explain(string error, string? description, string? redirectUri, Exception? inner = null) =>
        Explain(error, Plain(string.IsNullOrWhiteSpace(description) ? error : description.Trim()), redirectUri, inner);

    /// <summary>An error, described in this app's words.</summary>
    public static OAuthException Explain(string error, LocalizableText description, string? redirectUri, Exception? inner = null) =>
        Explain(error, description, redirectUri, statusCode: null, inner);

    /// <summary>A provider's error with the HTTP status it came with (a 5xx or 429 is an outage, explained as such).</summary>
    public static OAuthException Explain(string error, string? description, string? redirectUri, int? statusCode, Exception? inner = null) =>
        Explain(error, Plain(string.IsNullOrWhiteSpace(description) ? error : description.Trim()), redirectUri, statusCode, inner);

    /// <summary>An error in this app's words, with the HTTP status it came with.</summary>
    public static OAuthException Explain(string error, LocalizableText description, string? redirectUri, int? statusCode, Exception? inner = null)
    {
        ArgumentNullException.ThrowIfNull(description);
        var aadsts = AadstsCode().Match(description.ToString());
        var code = aadsts.Success ? aadsts.Groups[1].Value : null;

        var hint = (error, code) switch
        {
            (_, "50011" or "500112" or "500113") or ("redirect_uri_mismatch", _) => Of("OAuth_Hint_RedirectUri", redirectUri ?? ""),
            (_, "7000215" or "7000222") => Of("OAuth_Hint_ClientSecret"),
            (_, "700016") => Of("OAuth_Hint_ClientId"),
            (_, "65001") => Of("OAuth_Hint_Consent"),
            (_, "50076" or "50079") => Of("OAuth_Hint_Mfa"),
            ("invalid_client", _) or ("unauthorized_client", _) => Of("OAuth_Hint_InvalidClient"),
            ("invalid_grant", _) => Of("OAuth_Hint_InvalidGrant"),
            ("invalid_scope", _) => Of("OAuth_Hint_InvalidScope"),
            ("access_denied", _) => Of("OAuth_Hint_AccessDenied"),
            ("network", _) => Of("OAuth_Hint_Network"),
            // No answer in time, a 5xx or 429, or the provider's own "try later": an outage, not a setting to change.
            _ when IsTransient(error, statusCode) => Of("OAuth_Hint_ProviderOutage"),
            _ => Of("OAuth_Hint_Default"),
        };

        return new OAuthException(error, description, hint, inner) { StatusCode = statusCode };
    }

    /// <summary>Whether an error is an outage at the provider (see <see cref="OAuthException.IsTransient"/>).</summary>
    public static bool IsTransient(string error, int? statusCode) =>
        error is "timeout" or "network" or "server_error" or "temporarily_unavailable" or "service_not_available" or "request_timeout"
        || statusCode is >= 500 or 429;

    public static OAuthException Timeout(TimeSpan limit, Exception inner) =>
        Explain("timeout", Of("OAuth_Timeout", Math.Round(limit.TotalSeconds)), null, inner);

    public static OAuthException Unreachable(LocalizableText description, Exception inner) =>
        Explain("network", description, null, inner);

    [GeneratedRegex(@"AADSTS(\d+)")]
    private static partial Regex AadstsCode();
}
