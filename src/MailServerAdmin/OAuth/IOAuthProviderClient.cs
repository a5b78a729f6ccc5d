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
}
