namespace MailServerAdmin.OAuth;

/// <summary>The key of an OAuth provider; what it needs and offers is its <see cref="OAuthProviderDescriptor"/>.</summary>
public enum OAuthProvider
{
    Microsoft = 0,
    Google = 1,
    Manual = 2,

    /// <summary>Microsoft 365 with an application permission (client credentials): no user signs in.</summary>
    MicrosoftAppOnly = 3,

    /// <summary>Google Workspace with a service account and domain-wide delegation (JWT bearer grant).</summary>
    GoogleServiceAccount = 4,
}

/// <summary>What a provider pre-fills. Everything stays editable (national clouds, other providers).</summary>
public sealed record OAuthProviderDefaults(
    string? AuthorizationUrl, string? TokenUrl, string? RevocationUrl, string? Scopes, string? Tenant)
{
    /// <summary>Placeholder in Microsoft's URLs, replaced by the tenant field.</summary>
    public const string TenantPlaceholder = "{tenant}";
}
