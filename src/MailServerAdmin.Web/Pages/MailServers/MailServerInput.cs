using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using MailServerAdmin.MailServers;
using MailServerAdmin.OAuth;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace MailServerAdmin.Web.Pages.MailServers;

/// <summary>
/// The New/Edit form. Text values are trimmed as they are bound; secrets are never trimmed and never rendered.
/// Get Token keeps this whole form, encrypted, while the administrator is at the provider.
/// </summary>
public sealed class MailServerInput
{
    /// <summary>The server being edited (from the route), null when creating.</summary>
    [BindNever]
    public int? Id { get; set; }

    /// <summary>The server being edited as it is stored (from the database), null when creating.</summary>
    [BindNever]
    [JsonIgnore]
    public MailServerDetails? Stored { get; set; }

    /// <summary>Set when "Switch to OAuth" has just turned this Basic server's form to OAuth with this provider (nothing saved yet).</summary>
    [BindNever]
    [JsonIgnore]
    public OAuthProviderDescriptor? SwitchedTo { get; set; }

    /// <summary>What came back from the provider for this form, when the form carries a draft.</summary>
    [BindNever]
    [JsonIgnore]
    public MailServerDraft? Draft { get; set; }

    [Display(Name = "Field_Name")]
    public string? Name { get; set => field = value?.Trim(); }

    [Display(Name = "Field_Host")]
    public string? Host { get; set => field = value?.Trim(); }

    [Display(Name = "Field_Port")]
    public int? Port { get; set; } = 587;

    [Display(Name = "Field_Security")]
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    /// <summary>The SHA-256 fingerprint of the one certificate the server is trusted with; empty for the usual checks.</summary>
    [Display(Name = "Field_CertificatePin")]
    public string? CertificatePin { get; set => field = value?.Trim(); }

    [Display(Name = "Field_UserName")]
    public string? UserName { get; set => field = value?.Trim(); }

    [Display(Name = "Field_SenderEmail")]
    public string? SenderEmail { get; set => field = value?.Trim(); }

    [Display(Name = "Field_SenderName")]
    public string? SenderName { get; set => field = value?.Trim(); }

    [Display(Name = "Field_IsDefault")]
    public bool IsDefault { get; set; }

    [Display(Name = "Field_AuthenticationType")]
    public AuthenticationType AuthenticationType { get; set; } = AuthenticationType.Basic;

    [Display(Name = "Field_RequiresAuthentication")]
    public bool RequiresAuthentication { get; set; } = true;

    [Display(Name = "Field_Login")]
    public string? Login { get; set => field = value?.Trim(); }

    [Display(Name = "Field_Password")]
    [DataType(DataType.Password)]
    public string? Password { get; set; }

    [Display(Name = "Field_ClearPassword")]
    public bool ClearPassword { get; set; }

    [Display(Name = "Field_Provider")]
    public OAuthProvider Provider { get; set; } = OAuthProvider.Microsoft;

    [Display(Name = "Field_Tenant")]
    public string? Tenant { get; set => field = value?.Trim(); }

    [Display(Name = "Field_ClientId")]
    public string? ClientId { get; set => field = value?.Trim(); }

    [Display(Name = "Field_ClientSecret")]
    [DataType(DataType.Password)]
    public string? ClientSecret { get; set; }

    [Display(Name = "Field_ClientSecretExpiresOn")]
    [DataType(DataType.Date)]
    public DateOnly? ClientSecretExpiresOn { get; set; }

    /// <summary>An app-only server's certificate, uploaded (PFX, or PEM with its key); never rendered, kept in the form's draft.</summary>
    [Display(Name = "Field_Certificate")]
    [JsonIgnore]
    public IFormFile? CertificateFile { get; set; }

    /// <summary>The password of an uploaded PFX or encrypted PEM key; used once, never kept or rendered.</summary>
    [Display(Name = "Field_CertificatePassword")]
    [DataType(DataType.Password)]
    [JsonIgnore]
    public string? CertificatePassword { get; set; }

    /// <summary>A service account's JSON key, uploaded; never rendered, kept in the form's draft.</summary>
    [Display(Name = "Field_ServiceAccountKey")]
    [JsonIgnore]
    public IFormFile? ServiceAccountKeyFile { get; set; }

    [Display(Name = "Field_AuthorizationUrl")]
    public string? AuthorizationUrl { get; set => field = value?.Trim(); }

    [Display(Name = "Field_TokenUrl")]
    public string? TokenUrl { get; set => field = value?.Trim(); }

    [Display(Name = "Field_RevocationUrl")]
    public string? RevocationUrl { get; set => field = value?.Trim(); }

    [Display(Name = "Field_Scopes")]
    public string? Scopes { get; set => field = value?.Trim(); }

    [Display(Name = "Field_AccessToken")]
    [DataType(DataType.Password)]
    public string? AccessToken { get; set => field = value?.Trim(); }

    [Display(Name = "Field_RefreshToken")]
    [DataType(DataType.Password)]
    public string? RefreshToken { get; set => field = value?.Trim(); }

    [Display(Name = "Field_AccessTokenExpiresUtc")]
    public DateTime? AccessTokenExpiresUtc { get; set; }

    /// <summary>The server-side draft this form continues (after Get Token).</summary>
    public string? DraftId { get; set; }

    /// <summary>The version the form was loaded from; a save based on an older one is refused.</summary>
    public Guid Version { get; set; }

    [JsonIgnore]
    public bool IsOAuth => AuthenticationType == AuthenticationType.OAuth;

    /// <summary>What the chosen provider needs and offers.</summary>
    [JsonIgnore]
    public OAuthProviderDescriptor ProviderDescriptor =>
        Enum.IsDefined(Provider) ? OAuthProviderDescriptor.For(Provider) : OAuthProviderDescriptor.Manual;

    /// <summary>The login used: the one typed, else the user name.</summary>
    [JsonIgnore]
    public string? EffectiveLogin => string.IsNullOrEmpty(Login) ? UserName : Login;

    [JsonIgnore]
    public bool HasStoredPassword => Stored?.HasPassword == true;

    /// <summary>
    /// <see cref="SecretPolicy"/>'s verdict on saving this form as it is: which stored secrets it keeps and what stops
    /// it. The form's messages, Save, Get Token and Test all ask it.
    /// </summary>
    [JsonIgnore]
    public SecretVerdict Verdict => SecretPolicy.Evaluate(Stored?.Secrets, ToValues(DateTime.UtcNow));

    /// <summary>The stored OAuth settings this form started from, when the server was already OAuth.</summary>
    [JsonIgnore]
    public MailServerDetails? StoredOAuth => Stored is { AuthenticationType: AuthenticationType.OAuth } s ? s : null;

    /// <summary>Why the stored tokens cannot follow this form's settings; null when they can (or there are none).</summary>
    [JsonIgnore]
    public SecretChange? StoredTokensChange => StoredOAuth is { } s && IsOAuth ? SecretPolicy.Change(SecretField.AccessToken, s.Settings, Settings) : null;

    /// <summary>The stored tokens still belong to this form's settings.</summary>
    [JsonIgnore]
    public bool StoredTokensKept => StoredOAuth is not null && IsOAuth && StoredTokensChange is null;

    /// <summary>The stored password would go to another host, port or security mode than the one it was typed for.</summary>
    [JsonIgnore]
    public bool MovesStoredPassword => Verdict.Problems.Any(p => p is { Field: RequiredField.Password, Kind: ProblemKind.MustBeRetyped });

    /// <summary>The stored client secret may be used with this form's settings.</summary>
    [JsonIgnore]
    public bool UsesStoredClientSecret => string.IsNullOrEmpty(ClientSecret) && string.IsNullOrEmpty(Draft?.ClientSecret) && Draft?.Certificate is null
        && StoredOAuth is { Secrets.ClientSecret: SecretState.Readable } s && SecretPolicy.Change(SecretField.ClientSecret, s.Settings, Settings) is null;

    [JsonIgnore]
    public bool HasClientSecret => !string.IsNullOrEmpty(ClientSecret) || !string.IsNullOrEmpty(Draft?.ClientSecret) || UsesStoredClientSecret;

    /// <summary>The stored certificate may be used with this form's settings (and no other credential was given).</summary>
    [JsonIgnore]
    public bool UsesStoredCertificate => Draft?.Certificate is null && string.IsNullOrEmpty(ClientSecret) && string.IsNullOrEmpty(Draft?.ClientSecret)
        && StoredOAuth is { Secrets.Certificate: SecretState.Readable } s && SecretPolicy.Change(SecretField.Certificate, s.Settings, Settings) is null;

    /// <summary>The stored service account key may be used with this form's settings.</summary>
    [JsonIgnore]
    public bool UsesStoredServiceAccountKey => Draft?.ServiceAccountKey is null
        && StoredOAuth is { Secrets.ServiceAccountKey: SecretState.Readable } s && SecretPolicy.Change(SecretField.ServiceAccountKey, s.Settings, Settings) is null;

    /// <summary>The certificate this form would sign in with, as shown (subject, thumbprint, expiry): the uploaded one, else the stored one.</summary>
    [JsonIgnore]
    public CredentialShown? Certificate => Draft?.Certificate is { } drafted
        ? new(drafted.Subject, drafted.Thumbprint, drafted.NotAfterUtc, Drafted: true)
        : UsesStoredCertificate ? new(StoredOAuth!.CertificateSubject ?? "", StoredOAuth.CertificateThumbprint ?? "", StoredOAuth.CertificateExpiresUtc, Drafted: false) : null;

    /// <summary>The service account key this form would sign in with, as shown (client e-mail, key id, client id).</summary>
    [JsonIgnore]
    public CredentialShown? ServiceAccountKey => Draft?.ServiceAccountKey is { } drafted
        ? new(drafted.ClientEmail, drafted.KeyId, null, Drafted: true) { ClientId = drafted.ClientId }
        : UsesStoredServiceAccountKey ? new(StoredOAuth!.ServiceAccountEmail ?? "", StoredOAuth.ServiceAccountKeyId ?? "", null, Drafted: false) { ClientId = StoredOAuth.ClientId } : null;

    [JsonIgnore]
    public bool HasAccessToken => !string.IsNullOrEmpty(TypedAccessToken) || KeepsAccessTokenUntyped;

    [JsonIgnore]
    public bool HasRefreshToken => !string.IsNullOrEmpty(TypedRefreshToken) || KeepsRefreshTokenUntyped;

    /// <summary>
    /// A token is kept when the field is left blank (stored and still allowed here, or in the draft): what the field's
    /// placeholder says. A typed token is never echoed back, so it does not count.
    /// </summary>
    [JsonIgnore]
    public bool KeepsAccessTokenUntyped => !string.IsNullOrEmpty(Draft?.Tokens?.AccessToken)
        || (StoredTokensKept && StoredOAuth!.Secrets.AccessToken == SecretState.Readable);

    [JsonIgnore]
    public bool KeepsRefreshTokenUntyped => !string.IsNullOrEmpty(Draft?.Tokens?.RefreshToken)
        || (StoredTokensKept && StoredOAuth!.Secrets.RefreshToken == SecretState.Readable);

    /// <summary>Tokens are pasted only where the provider accepts pasted tokens (Manual configuration).</summary>
    [JsonIgnore]
    public string? TypedAccessToken => ProviderDescriptor.AcceptsPastedTokens ? AccessToken : null;

    [JsonIgnore]
    public string? TypedRefreshToken => ProviderDescriptor.AcceptsPastedTokens ? RefreshToken : null;

    /// <summary>The settings this form would bind its secrets to.</summary>
    [JsonIgnore]
    public MailServerSettings Settings => ToValues(DateTime.UtcNow).Settings;

    public static MailServerInput From(MailServerDetails server) => new()
    {
        Id = server.Id,
        Stored = server,
        Name = server.Name,
        Host = server.Host,
        Port = server.Port,
        Security = server.Security,
        CertificatePin = server.CertificatePin,
        UserName = server.UserName,
        SenderEmail = server.SenderEmail,
        SenderName = server.SenderName,
        IsDefault = server.IsDefault,
        AuthenticationType = server.AuthenticationType,
        RequiresAuthentication = server.AuthenticationType == AuthenticationType.OAuth || server.RequiresAuthentication,
        Login = server.Login,
        Provider = server.Provider ?? OAuthProvider.Microsoft,
        Tenant = server.Tenant,
        ClientId = server.ClientId,
        AuthorizationUrl = server.AuthorizationUrl,
        TokenUrl = server.TokenUrl,
        RevocationUrl = server.RevocationUrl,
        Scopes = server.Scopes,
        ClientSecretExpiresOn = server.ClientSecretExpiresOn,
        Version = server.Version,
    };

    /// <summary>Fills the provider's defaults into empty fields (the form without script relies on this).</summary>
    public void ApplyDefaults()
    {
        if (!IsOAuth)
        {
            return;
        }

        var provider = ProviderDescriptor;
        var defaults = provider.Defaults;
        Tenant = provider.HasTenant ? NullIfEmpty(Tenant) ?? defaults.Tenant : null;
        AuthorizationUrl = NullIfEmpty(AuthorizationUrl) ?? defaults.AuthorizationUrl;
        TokenUrl = NullIfEmpty(TokenUrl) ?? defaults.TokenUrl;
        RevocationUrl = provider.SupportsRevocation ? NullIfEmpty(RevocationUrl) ?? defaults.RevocationUrl : null;
        Scopes = NullIfEmpty(Scopes) ?? defaults.Scopes;
        if (!string.IsNullOrEmpty(Scopes))
        {
            Scopes = string.Join(' ', OAuthSettings.SplitScopes(Scopes));
        }
    }

    /// <summary>The provider settings of this form, with the client secret to use (never rendered).</summary>
    public OAuthSettings ToOAuthSettings(string? clientSecret) => new(
        Provider, Tenant, ClientId ?? "", clientSecret, AuthorizationUrl, TokenUrl ?? "", RevocationUrl, Scopes);

    /// <summary>The form as values for the store; fields that failed validation become empty, not errors.</summary>
    public MailServerValues ToValues(DateTime now)
    {
        var oauth = IsOAuth;
        TokenSet? tokens = null;
        MailServerSettings? tokensFor = null;
        if (oauth && Draft?.Tokens is { } drafted)
        {
            tokens = drafted;
            tokensFor = Draft.ObtainedFor;
        }

        if (oauth && (!string.IsNullOrEmpty(TypedAccessToken) || !string.IsNullOrEmpty(TypedRefreshToken)))
        {
            // Pasted tokens (Manual configuration): what is typed replaces, what is left blank is kept.
            tokens = new TokenSet(
                TypedAccessToken ?? tokens?.AccessToken ?? "",
                TypedRefreshToken ?? tokens?.RefreshToken,
                AccessTokenExpiresUtc is { } expires ? DateTime.SpecifyKind(expires, DateTimeKind.Utc) : tokens?.ExpiresUtc,
                now,
                tokens?.Account);
            tokensFor = !string.IsNullOrEmpty(TypedAccessToken) && !string.IsNullOrEmpty(TypedRefreshToken) ? null : tokensFor;
        }

        var provider = ProviderDescriptor;
        var typedSecret = provider.HasClientSecret ? NullIfEmpty(ClientSecret) : null;
        if (oauth && provider.IsAppOnly && typedSecret is not null && typedSecret != Draft?.ClientSecret)
        {
            // An app-only token proves the credential it was obtained with, not one typed after it.
            tokens = null;
        }

        var draftSecret = provider.HasClientSecret ? NullIfEmpty(Draft?.ClientSecret) : null;
        var draftCertificate = provider.AcceptsCertificate ? Draft?.Certificate : null;
        var draftKey = provider.UsesServiceAccountKey ? Draft?.ServiceAccountKey : null;
        var fromDraft = typedSecret is null && (draftSecret is not null || draftCertificate is not null || draftKey is not null);
        return new MailServerValues(
            Name ?? "",
            HostName.Normalize(Host) ?? Host ?? "",
            Port ?? 0,
            Security,
            NullIfEmpty(UserName),
            SenderEmail ?? "",
            NullIfEmpty(SenderName),
            IsDefault,
            RequiresAuthentication,
            RequiresAuthentication ? EffectiveLogin : null,
            RequiresAuthentication ? NullIfEmpty(Password) : null,
            ClearPassword)
        {
            AuthenticationType = AuthenticationType,
            CertificatePin = CertificateFingerprint.Normalize(CertificatePin),
            OAuth = oauth
                ? new OAuthValues(Provider, NullIfEmpty(Tenant), NullIfEmpty(ClientId), NullIfEmpty(AuthorizationUrl), NullIfEmpty(TokenUrl), NullIfEmpty(RevocationUrl), NullIfEmpty(Scopes))
                {
                    NewClientSecret = typedSecret ?? draftSecret,
                    NewCertificate = draftCertificate,
                    NewServiceAccountKey = draftKey,
                    CredentialTypedFor = fromDraft ? Draft!.ObtainedFor : null,
                    ClientSecretExpiresOn = provider.ClientSecretExpires ? ClientSecretExpiresOn : null,
                    NewTokens = tokens,
                    TokensObtainedFor = tokensFor,
                }
                : null,
        };
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>
/// A form that came back from the provider: the client secret typed before leaving, the tokens, and the settings the
/// form had when they were used and obtained (they may only be saved with those settings).
/// </summary>
public sealed record MailServerDraft(string? ClientSecret, TokenSet? Tokens, MailServerSettings? ObtainedFor)
{
    /// <summary>An app-only server's certificate, uploaded with the form (not saved yet).</summary>
    public AppCertificate? Certificate { get; init; }

    /// <summary>A service account's key, uploaded with the form (not saved yet).</summary>
    public ServiceAccountKey? ServiceAccountKey { get; init; }

    /// <summary>The credential the draft carries (what Test sign-in used, when it has a token).</summary>
    public bool HasCredential => !string.IsNullOrEmpty(ClientSecret) || Certificate is not null || ServiceAccountKey is not null;
}

/// <summary>What the form shows of a certificate (subject, thumbprint, expiry) or a service account key (client e-mail, key id, client id).</summary>
public sealed record CredentialShown(string Name, string Id, DateTime? ExpiresUtc, bool Drafted)
{
    public string? ClientId { get; init; }
}
