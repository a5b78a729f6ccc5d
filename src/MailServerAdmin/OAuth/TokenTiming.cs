namespace MailServerAdmin.OAuth;

/// <summary>
/// When an access token is refreshed, when it may still be used, and how long to wait after a failed refresh.
/// </summary>
public static class TokenTiming
{
    /// <summary>An access token is refreshed at the latest this long before it expires.</summary>
    public static readonly TimeSpan MaxRefreshAhead = TimeSpan.FromMinutes(5);

    /// <summary>The share of an access token's lifetime left when it is refreshed, for short-lived tokens.</summary>
    public const double RefreshAheadShare = 0.2;

    /// <summary>An access token is no longer handed out this close to its expiry (an SMTP login takes a moment).</summary>
    public static readonly TimeSpan UsableMargin = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long before expiry a token is refreshed: the smaller of five minutes and a fifth of its lifetime (a 60-second
    /// token 12 seconds before it expires, a one-hour token five minutes before). Five minutes when the lifetime is unknown.
    /// </summary>
    public static TimeSpan RefreshAhead(DateTime? issuedUtc, DateTime? expiresUtc)
    {
        if (issuedUtc is not { } issued || expiresUtc is not { } expires || expires <= issued)
        {
            return MaxRefreshAhead;
        }

        var share = TimeSpan.FromTicks((long)((expires - issued).Ticks * RefreshAheadShare));
        return share < MaxRefreshAhead ? share : MaxRefreshAhead;
    }

    /// <summary>Whether the access token should be refreshed before it is used (a token without expiry never is).</summary>
    public static bool IsDue(DateTime? issuedUtc, DateTime? expiresUtc, DateTime nowUtc) =>
        expiresUtc is { } expires && expires - nowUtc <= RefreshAhead(issuedUtc, expiresUtc);

    /// <summary>Whether the access token can still be used for a login now (a token without expiry can).</summary>
    public static bool IsUsable(DateTime? expiresUtc, DateTime nowUtc) =>
        expiresUtc is not { } expires || expires - nowUtc > UsableMargin;

    /// <summary>
    /// How long to wait before trying again after the <paramref name="failures"/>-th failure in a row: exponential from
    /// <paramref name="first"/> up to <paramref name="max"/>, the second half of each step random ("equal jitter"), so
    /// that instances and servers that failed together do not all try again at the same moment.
    /// </summary>
    public static TimeSpan Backoff(int failures, TimeSpan first, TimeSpan max, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var exponent = Math.Clamp(failures - 1, 0, 20);
        var step = Math.Min(first.TotalSeconds * Math.Pow(2, exponent), max.TotalSeconds);
        return TimeSpan.FromSeconds((step / 2) + (random.NextDouble() * step / 2));
    }
}
