using System.Globalization;

namespace MailServerAdmin.Web.OAuth;

/// <summary>How an OAuth server's tokens are doing, as shown on the list and the form.</summary>
public sealed record TokenHealth(
    bool HasAccessToken,
    bool HasRefreshToken,
    DateTime? ExpiresUtc,
    DateTime? RefreshedUtc,
    string? Error,
    DateTime? ErrorUtc,
    bool NeedsAuthorization)
{
    public TokenState State(DateTime nowUtc) =>
        NeedsAuthorization || !HasRefreshToken ? TokenState.NeedsGetToken
        : Error is not null ? TokenState.RefreshFailed
        : !HasAccessToken || ExpiresUtc <= nowUtc ? TokenState.Expired
        : TokenState.Valid;

    /// <summary>One line for the list and the form.</summary>
    public string Describe(DateTime nowUtc)
    {
        var refreshed = RefreshedUtc is { } r ? $"; refreshed {Utc(r)}" : "";
        return State(nowUtc) switch
        {
            TokenState.NeedsGetToken => Error is null
                ? "Needs a new Get Token: there is no refresh token."
                : $"Needs a new Get Token: {Error}",
            TokenState.RefreshFailed => $"Refresh failed {Utc(ErrorUtc)}: {Error}",
            TokenState.Expired => $"Access token expired{(ExpiresUtc is { } e ? " " + Utc(e) : "")}; it is refreshed before the next use{refreshed}.",
            _ => ExpiresUtc is { } expires
                ? $"Valid, expires in {In(expires - nowUtc)} ({Utc(expires)}){refreshed}."
                : $"Valid (no expiry given){refreshed}.",
        };
    }

    private static string Utc(DateTime? time) =>
        time is { } t ? t.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC" : "";

    private static string In(TimeSpan span) => span.TotalMinutes < 90
        ? $"{Math.Max(1, (int)span.TotalMinutes)} min"
        : span.TotalHours < 48 ? $"{(int)span.TotalHours} h" : $"{(int)span.TotalDays} days";
}

public enum TokenState
{
    Valid,
    Expired,
    RefreshFailed,
    NeedsGetToken,
}
