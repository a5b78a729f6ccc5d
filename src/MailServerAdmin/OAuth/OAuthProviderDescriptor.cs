using Microsoft.Extensions.Localization;

namespace MailServerAdmin.OAuth;

/// <summary>
/// What one OAuth provider needs and offers. Every path that depends on the provider (the save rule, the form and its
/// view, the defaults, the audit log, the token keeper's choice of client) asks the descriptor instead of testing the
/// provider itself. Adding a provider is one descriptor in <see cref="All"/> and one <see cref="IOAuthProviderClient"/>.
/// </summary>
public sealed record OAuthProviderDescriptor(OAuthProvider Provider, string Name, OAuthProviderDefaults Defaults)
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

    /// <summary>
    /// No person signs in: the app obtains tokens with its own credential (Test sign-in instead of Get Token), and there
    /// is never a refresh token. "Complete" means every credential field filled and a token actually obtained with them.
    /// </summary>
    public bool IsAppOnly { get; init; }

    /// <summary>The credential may be a certificate (PFX, or PEM with its key) instead of the client secret.</summary>
    public bool AcceptsCertificate { get; init; }

    /// <summary>The credential is a service account's JSON key, which also names the client (no client ID or secret is typed).</summary>
    public bool UsesServiceAccountKey { get; init; }

    /// <summary>The token URL must be a Microsoft identity platform token URL (MSAL builds its authority from it).</summary>
    public bool TokenUrlIsMsalAuthority { get; init; }

    /// <summary>Client secrets of this provider expire (Entra allows at most 24 months): the form asks for the expiry date.</summary>
    public bool ClientSecretExpires { get; init; }

    /// <summary>SMTP hosts of this provider whose Basic authentication is being retired: such Basic servers are offered a switch to this provider.</summary>
    public IReadOnlyList<string> BasicRetirementHosts { get; init; } = [];

    /// <summary>The form has a client ID and client secret to type.</summary>
    public bool HasClientSecret => !UsesServiceAccountKey;

    /// <summary>A person signs in at an authorization URL (Get Token).</summary>
    public bool HasAuthorizationUrl => !IsAppOnly;

    /// <summary>Resource key of the provider's name in the reader's language.</summary>
    public string LabelKey => $"Provider_{Provider}";

    /// <summary>Resource key of the set-up help shown under the redirect URI (may hold markup).</summary>
    public string SetupHintKey => $"Fields_{Provider}_Help";

    /// <summary>Resource key of the hint beside Get Token.</summary>
    public string TokenHintKey => IsAppOnly ? "Fields_TestSignIn_Help" : AcceptsPastedTokens ? "Fields_GetToken_Help_Paste" : "Fields_GetToken_Help";

    /// <summary>Resource key of the text shown while the form has no tokens (may hold markup).</summary>
    public string NoTokensKey => IsAppOnly ? "Fields_NoTokens_AppOnly" : AcceptsPastedTokens ? "Fields_NoTokens_Manual" : "Fields_NoTokens";

    /// <summary>Resource key of the notice on a Basic server of one of <see cref="BasicRetirementHosts"/>.</summary>
    public string BasicRetirementKey => $"Basic_Retirement_{Provider}";

    public string Label(IStringLocalizer localizer)
    {
        ArgumentNullException.ThrowIfNull(localizer);
        return localizer[LabelKey];
    }

    public static readonly OAuthProviderDescriptor Microsoft = new(
        OAuthProvider.Microsoft,
        "Microsoft",
        new OAuthProviderDefaults(
            "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/authorize",
            "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
            null,
            "https://outlook.office.com/SMTP.Send offline_access",
            "common"))
    {
        HasTenant = true,
        RequiresClientSecret = true,
        RequiresAuthorizationUrl = true,
        RequiresScopes = true,
        UrlsShareAuthority = true,
        ClientSecretExpires = true,
        // Outlook.com mailboxes (consumer accounts) have no tenant to grant an application permission in.
        BasicRetirementHosts = ["smtp-mail.outlook.com"],
    };

    public static readonly OAuthProviderDescriptor Google = new(
        OAuthProvider.Google,
        "Google",
        new OAuthProviderDefaults(
            "https://accounts.google.com/o/oauth2/v2/auth",
            "https://oauth2.googleapis.com/token",
            "https://oauth2.googleapis.com/revoke",
            "https://mail.google.com/",
            null))
    {
        RequiresClientSecret = true,
        RequiresAuthorizationUrl = true,
        RequiresScopes = true,
        RequiresRevocationUrl = true,
        SupportsRevocation = true,
        // A delegated sign-in works for Gmail and Google Workspace alike; a service account needs Workspace.
        BasicRetirementHosts = ["smtp.gmail.com"],
    };

    public static readonly OAuthProviderDescriptor Manual = new(
        OAuthProvider.Manual, "Manual configuration", new OAuthProviderDefaults(null, null, null, null, null))
    {
        SupportsRevocation = true,
        AcceptsPastedTokens = true,
    };

    public static readonly OAuthProviderDescriptor MicrosoftAppOnly = new(
        OAuthProvider.MicrosoftAppOnly,
        "Microsoft 365 (app-only)",
        new OAuthProviderDefaults(
            null,
            "https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token",
            null,
            "https://outlook.office365.com/.default",
            null))
    {
        HasTenant = true,
        RequiresScopes = true,
        IsAppOnly = true,
        AcceptsCertificate = true,
        TokenUrlIsMsalAuthority = true,
        ClientSecretExpires = true,
        // A Microsoft 365 server sends as a mailbox of the organisation: the app sends as that mailbox, nobody signs in.
        BasicRetirementHosts = ["smtp.office365.com"],
    };

    public static readonly OAuthProviderDescriptor GoogleServiceAccount = new(
        OAuthProvider.GoogleServiceAccount,
        "Google Workspace (service account)",
        new OAuthProviderDefaults(null, "https://oauth2.googleapis.com/token", null, "https://mail.google.com/", null))
    {
        RequiresScopes = true,
        IsAppOnly = true,
        UsesServiceAccountKey = true,
    };

    /// <summary>Every provider, in the order the form offers them.</summary>
    public static IReadOnlyList<OAuthProviderDescriptor> All { get; } = [Microsoft, MicrosoftAppOnly, Google, GoogleServiceAccount, Manual];

    private static readonly Dictionary<OAuthProvider, OAuthProviderDescriptor> ByProvider = All.ToDictionary(d => d.Provider);

    public static OAuthProviderDescriptor For(OAuthProvider provider) =>
        ByProvider.TryGetValue(provider, out var descriptor)
            ? descriptor
            : throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown OAuth provider.");

    /// <summary>The descriptor, or null for a value that names no provider (a hostile form, an old row).</summary>
    public static OAuthProviderDescriptor? Find(OAuthProvider provider) => ByProvider.GetValueOrDefault(provider);

    /// <summary>
    /// The provider to move a Basic server on <paramref name="host"/> to, when that host's Basic authentication is being
    /// retired (Microsoft 365, Outlook.com, Gmail); null for any other host.
    /// </summary>
    public static OAuthProviderDescriptor? ForRetiringBasicHost(string? host) =>
        string.IsNullOrEmpty(host)
            ? null
            : All.FirstOrDefault(d => d.BasicRetirementHosts.Contains(host.TrimEnd('.'), StringComparer.OrdinalIgnoreCase));

    /// <summary>The providers that <paramref name="has"/>, as a space-separated list for the form's show/hide attribute.</summary>
    public static string Where(Func<OAuthProviderDescriptor, bool> has) =>
        string.Join(' ', All.Where(has).Select(d => d.Provider.ToString()));
}
