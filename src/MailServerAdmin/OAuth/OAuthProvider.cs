using Microsoft.Extensions.Localization;

namespace MailServerAdmin.OAuth;

public enum OAuthProvider
{
    Microsoft = 0,
    Google = 1,
    Manual = 2,
}

/// <summary>What each provider pre-fills. Everything stays editable (national clouds, other providers).</summary>
public sealed record OAuthProviderDefaults(
    string? AuthorizationUrl, string? TokenUrl, string? RevocationUrl, string? Scopes, string? Tenant)
{
    /// <summary>Placeholder in Microsoft's URLs, replaced by the tenant field.</summary>
    public const string TenantPlaceholder = "{tenant}";

    public static readonly OAuthProviderDefaults Microsoft = new(
        "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize",
        "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
        null,
        "https://outlook.office.com/SMTP.Send offline_access",
        "common");

    public static readonly OAuthProviderDefaults Google = new(
        "https://accounts.google.com/o/oauth2/v2/auth",
        "https://oauth2.googleapis.com/token",
        "https://oauth2.googleapis.com/revoke",
        "https://mail.google.com/",
        null);

    public static readonly OAuthProviderDefaults Manual = new(null, null, null, null, null);

    public static OAuthProviderDefaults For(OAuthProvider provider) => provider switch
    {
        OAuthProvider.Microsoft => Microsoft,
        OAuthProvider.Google => Google,
        _ => Manual,
    };

    /// <summary>The provider's name in English, as the audit log records it.</summary>
    public static string Label(OAuthProvider provider) => provider switch
    {
        OAuthProvider.Microsoft => "Microsoft",
        OAuthProvider.Google => "Google",
        _ => "Manual configuration",
    };

    /// <summary>The provider's name in the localizer's language.</summary>
    public static string Label(OAuthProvider provider, IStringLocalizer localizer)
    {
        ArgumentNullException.ThrowIfNull(localizer);
        return provider switch
        {
            OAuthProvider.Microsoft => localizer["Provider_Microsoft"],
            OAuthProvider.Google => localizer["Provider_Google"],
            _ => localizer["Provider_Manual"],
        };
    }
}
