namespace MailServerAdmin.OAuth;

/// <summary>
/// What one OAuth provider needs and offers. Every path that depends on the provider (the save rule, the form, its
/// defaults, the token keeper) asks the descriptor instead of testing the provider itself.
/// </summary>
public sealed record OAuthProviderDescriptor(OAuthProvider Provider, OAuthProviderDefaults Defaults)
{
    /// <summary>The tenant field (Microsoft), which fills the {tenant} placeholder of the URLs.</summary>
    public bool HasTenant { get; init; }

    /// <summary>A confidential client: the client secret is part of a complete server.</summary>
    public bool RequiresClientSecret { get; init; }

    /// <summary>The authorization URL is part of a complete server (else it is needed only for Get Token).</summary>
    public bool RequiresAuthorizationUrl { get; init; }

    public bool RequiresScopes { get; init; }

    /// <summary>A revocation URL is part of a complete server.</summary>
    public bool RequiresRevocationUrl { get; init; }

    /// <summary>The form offers a revocation URL.</summary>
    public bool SupportsRevocation { get; init; }

    /// <summary>Tokens may be pasted into the form (else only Get Token fills them).</summary>
    public bool AcceptsPastedTokens { get; init; }

    /// <summary>The authorization URL and the token URL must share one authority (Microsoft's MSAL needs it).</summary>
    public bool UrlsShareAuthority { get; init; }

    public static readonly OAuthProviderDescriptor Microsoft = new(OAuthProvider.Microsoft, OAuthProviderDefaults.Microsoft)
    {
        HasTenant = true,
        RequiresClientSecret = true,
        RequiresAuthorizationUrl = true,
        RequiresScopes = true,
        UrlsShareAuthority = true,
    };

    public static readonly OAuthProviderDescriptor Google = new(OAuthProvider.Google, OAuthProviderDefaults.Google)
    {
        RequiresClientSecret = true,
        RequiresAuthorizationUrl = true,
        RequiresScopes = true,
        RequiresRevocationUrl = true,
        SupportsRevocation = true,
    };

    public static readonly OAuthProviderDescriptor Manual = new(OAuthProvider.Manual, OAuthProviderDefaults.Manual)
    {
        SupportsRevocation = true,
        AcceptsPastedTokens = true,
    };

    public static IReadOnlyList<OAuthProviderDescriptor> All { get; } = [Microsoft, Google, Manual];

    public static OAuthProviderDescriptor For(OAuthProvider provider) => provider switch
    {
        OAuthProvider.Microsoft => Microsoft,
        OAuthProvider.Google => Google,
        OAuthProvider.Manual => Manual,
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown OAuth provider."),
    };
}
