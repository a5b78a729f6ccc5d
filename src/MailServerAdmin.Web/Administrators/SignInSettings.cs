namespace MailServerAdmin.Web.Administrators;

/// <summary>How administrators sign in: <c>Admin:RequireTwoFactor</c> and <c>Authentication:LocalAccounts</c>.</summary>
public sealed class SignInSettings
{
    public const string RequireTwoFactorSetting = "Admin:RequireTwoFactor";
    public const string LocalAccountsSetting = "Authentication:LocalAccounts";

    /// <summary>An administrator without two-factor sign-in is sent to set it up and reaches nothing else until it is done.</summary>
    public bool RequireTwoFactor { get; set; }

    /// <summary>Sign-in with an e-mail and a password; off, only single sign-on signs in (set-up still works while no administrator exists).</summary>
    public bool LocalAccounts { get; set; } = true;
}

/// <summary>
/// Single sign-on through an OpenID Connect provider (<c>Authentication:Oidc</c>). Only the e-mail addresses and domains
/// listed get in.
/// </summary>
public sealed class SingleSignOnSettings
{
    public const string Section = "Authentication:Oidc";

    /// <summary>The authentication scheme, and the login provider name stored with each linked administrator.</summary>
    public const string Scheme = "oidc";

    /// <summary>The scopes asked for when none are configured.</summary>
    public static readonly IReadOnlyList<string> DefaultScopes = ["openid", "profile", "email"];

    /// <summary>The issuer, e.g. <c>https://login.microsoftonline.com/{tenant}/v2.0</c> or <c>https://accounts.google.com</c>.</summary>
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>The name on the sign-in button ("Sign in with …").</summary>
    public string? DisplayName { get; set; }

    /// <summary>Addresses allowed in, compared ignoring case.</summary>
    public List<string> AllowedEmails { get; set; } = [];

    /// <summary>Domains whose every address is allowed in (<c>example.com</c> or <c>@example.com</c>; not its subdomains).</summary>
    public List<string> AllowedDomains { get; set; } = [];

    /// <summary>Scopes to ask for; <c>openid profile email</c> when empty (<c>openid</c> is always asked for).</summary>
    public List<string> Scopes { get; set; } = [];

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Authority);

    /// <summary>The scopes to ask for, <c>openid</c> first.</summary>
    public IReadOnlyList<string> EffectiveScopes()
    {
        var scopes = Scopes.SelectMany(s => s.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        return ["openid", .. (scopes.Count == 0 ? DefaultScopes : scopes).Where(s => s != "openid").Distinct(StringComparer.Ordinal)];
    }

    /// <summary>True when <paramref name="email"/> is on the allow-list, as an address or through its domain.</summary>
    public bool Allows(string? email)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return false;
        }

        email = email.Trim();
        var at = email.LastIndexOf('@');
        if (at <= 0 || at == email.Length - 1)
        {
            return false;
        }

        var domain = email[(at + 1)..];
        return AllowedEmails.Any(allowed => string.Equals(allowed.Trim(), email, StringComparison.OrdinalIgnoreCase))
            || AllowedDomains.Any(allowed => string.Equals(allowed.Trim().TrimStart('@'), domain, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>True for a plain-http authority on this machine (a local test provider), which may serve its metadata without TLS.</summary>
    public static bool IsLoopbackHttp(Uri authority)
    {
        ArgumentNullException.ThrowIfNull(authority);
        return authority.Scheme == Uri.UriSchemeHttp && authority.IsLoopback;
    }
}
