namespace MailServerAdmin.OAuth;

/// <summary>The authorization-code flow with PKCE, and refresh, for one kind of provider.</summary>
public interface IOAuthProviderClient
{
    OAuthProvider Provider { get; }

    /// <summary>Builds the authorization request: code flow, PKCE S256, the given one-time state.</summary>
    Task<AuthorizationStart> StartAsync(OAuthSettings settings, string redirectUri, string state, string? loginHint, CancellationToken ct);

    /// <summary>Exchanges an authorization code; throws <see cref="OAuthException"/> on any failure.</summary>
    Task<TokenSet> RedeemAsync(OAuthSettings settings, string redirectUri, string code, string codeVerifier, CancellationToken ct);

    /// <summary>Gets a new access token; the answer's refresh token is null when the provider did not send one.</summary>
    Task<TokenSet> RefreshAsync(OAuthSettings settings, string refreshToken, CancellationToken ct);
}

/// <summary>Settings of the section <c>OAuth</c>.</summary>
public sealed class OAuthOptions
{
    public const string Section = "OAuth";

    /// <summary>Time limit of every call to a provider's token endpoint.</summary>
    public int TimeoutSeconds { get; set; } = 30;

    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);

    /// <summary>How often the background job looks for tokens to refresh; 0 turns it off.</summary>
    public int RefreshCheckMinutes { get; set; } = 5;

    /// <summary>The wait after the first failed refresh; it doubles with each failure in a row (with jitter).</summary>
    public int RetryFirstSeconds { get; set; } = 30;

    /// <summary>The longest wait between two refresh attempts after failures.</summary>
    public int RetryMaxMinutes { get; set; } = 30;

    public TimeSpan RetryFirst => TimeSpan.FromSeconds(Math.Max(1, RetryFirstSeconds));

    public TimeSpan RetryMax => TimeSpan.FromMinutes(Math.Max(1, RetryMaxMinutes));

    /// <summary>
    /// How long a refresh lease lasts: the holder's call to the provider (at most <see cref="Timeout"/>) and the write of
    /// its answer fit in it with room to spare, so a lease only expires when its holder died.
    /// </summary>
    public TimeSpan LeaseDuration => (Timeout * 2) + TimeSpan.FromSeconds(15);

    /// <summary>How long a process waits for another process's refresh before giving up (the holder's time limit, and a little).</summary>
    public TimeSpan WaitForOtherInstance => Timeout + TimeSpan.FromSeconds(3);
}
