using MailServerAdmin.Localization;
using static MailServerAdmin.Localization.LocalizableText;

namespace MailServerAdmin.OAuth;

/// <summary>
/// How an OAuth server's tokens are doing, as shown on the list and the form. <see cref="Error"/> is the last refresh
/// failure as stored (see <see cref="LocalizableText.FromStored"/>).
/// </summary>
public sealed record TokenHealth(
    bool HasAccessToken,
    bool HasRefreshToken,
    DateTime? ExpiresUtc,
    DateTime? RefreshedUtc,
    string? Error,
    DateTime? ErrorUtc,
    bool NeedsAuthorization)
{
    /// <summary>An app-only server: it never has a refresh token, and a new access token is obtained with its credential.</summary>
    public bool AppOnly { get; init; }

    /// <summary>After a failed refresh: no refresh is tried before this time.</summary>
    public DateTime? RetryAfterUtc { get; init; }

    public TokenState State(DateTime nowUtc) =>
        AppOnly ? (Error is not null ? TokenState.RefreshFailed : !HasAccessToken || ExpiresUtc <= nowUtc ? TokenState.Expired : TokenState.Valid)
        : NeedsAuthorization || !HasRefreshToken ? TokenState.NeedsGetToken
        : Error is not null ? TokenState.RefreshFailed
        : !HasAccessToken || ExpiresUtc <= nowUtc ? TokenState.Expired
        : TokenState.Valid;

    /// <summary>One line for the list and the form.</summary>
    public LocalizableText Describe(DateTime nowUtc)
    {
        var error = Error is null ? null : FromStored(Error);
        // "…; refreshed <time>" where the tokens were refreshed: the key's variant with the suffix, the time last.
        var suffix = RefreshedUtc is null ? "" : "_Refreshed";
        object? refreshed = RefreshedUtc is { } r ? new UtcTime(r) : null;
        return State(nowUtc) switch
        {
            TokenState.NeedsGetToken => error is null ? Of("Health_NeedsGetToken") : Of("Health_NeedsGetToken_Error", error),
            TokenState.RefreshFailed => ErrorUtc is { } failed
                ? Of("Health_RefreshFailed", new UtcTime(failed), error)
                : Of("Health_RefreshFailed_NoTime", error),
            TokenState.Expired => ExpiresUtc is { } expired
                ? Of("Health_Expired" + suffix, new UtcTime(expired), refreshed)
                : Of("Health_Expired_NoTime" + suffix, refreshed),
            _ => ExpiresUtc is { } expires
                ? Of("Health_Valid" + suffix, In(expires - nowUtc), new UtcTime(expires), refreshed)
                : Of("Health_Valid_NoExpiry" + suffix, refreshed),
        };
    }

    /// <summary>A span as "12 min", "5 h" or "3 days" (at least one minute).</summary>
    public static LocalizableText In(TimeSpan span) => span.TotalMinutes < 90
        ? Of("Health_Minutes", Math.Max(1, (int)span.TotalMinutes))
        : span.TotalHours < 48 ? Of("Health_Hours", (int)span.TotalHours) : Of("Health_Days", (int)span.TotalDays);
}

public enum TokenState
{
    Valid,
    Expired,
    RefreshFailed,
    NeedsGetToken,
}

/// <summary>
/// The default server's tokens cannot be refreshed: which server, whether only a new Get Token helps, why (as stored),
/// when its current access token expires (null when there is none) and when the next refresh is tried.
/// </summary>
public sealed record TokenAlert(
    int ServerId, string ServerName, bool NeedsGetToken, LocalizableText Reason, DateTime? AccessTokenExpiresUtc, DateTime? RetryAfterUtc);
