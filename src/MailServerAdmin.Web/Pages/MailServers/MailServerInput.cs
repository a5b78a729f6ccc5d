using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using MailServerAdmin.Web.MailServers;
using MailServerAdmin.Web.OAuth;
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

    /// <summary>The login used: the one typed, else the user name.</summary>
    [JsonIgnore]
    public string? EffectiveLogin => string.IsNullOrEmpty(Login) ? UserName : Login;

    [JsonIgnore]
    public bool HasStoredPassword => Stored?.HasPassword == true;

    /// <summary>The form points the server at another host, port or security mode than the stored one.</summary>
    [JsonIgnore]
    public bool DestinationChanged =>
        Stored is { } stored && (HostName.Normalize(Host) != stored.Host || Port != stored.Port || Security != stored.Security);

    /// <summary>The stored password would go to another host, port or security mode than the one it was typed for.</summary>
    [JsonIgnore]
    public bool MovesStoredPassword =>
        HasStoredPassword && !IsOAuth && RequiresAuthentication && !ClearPassword && string.IsNullOrEmpty(Password) && DestinationChanged;

    /// <summary>The stored OAuth settings this form started from, when the server was already OAuth.</summary>
    [JsonIgnore]
    public MailServerDetails? StoredOAuth => Stored is { AuthenticationType: AuthenticationType.OAuth } s ? s : null;

    /// <summary>Tokens belong to a provider, client and token endpoint: changing any of them drops stored tokens.</summary>
    [JsonIgnore]
    public bool TokenIssuerChanged => StoredOAuth is { } s
        && (s.Provider != Provider || !Same(s.ClientId, ClientId) || !Same(s.Tenant, Tenant) || !Same(s.TokenUrl, TokenUrl));

    /// <summary>The stored client secret may only go to the endpoints it was typed for.</summary>
    [JsonIgnore]
    public bool EndpointsChanged => StoredOAuth is { } s && (!Same(s.AuthorizationUrl, AuthorizationUrl) || !Same(s.TokenUrl, TokenUrl));

    [JsonIgnore]
    public bool UsesStoredClientSecret => string.IsNullOrEmpty(ClientSecret) && string.IsNullOrEmpty(Draft?.ClientSecret)
        && StoredOAuth is { HasClientSecret: true } && !EndpointsChanged && !TokenIssuerChanged;

    [JsonIgnore]
    public bool HasClientSecret => !string.IsNullOrEmpty(ClientSecret) || !string.IsNullOrEmpty(Draft?.ClientSecret) || UsesStoredClientSecret;

    /// <summary>Whether the stored client secret is what stops Get Token or Save (it must be typed again).</summary>
    [JsonIgnore]
    public bool ClientSecretMustBeRetyped => !HasClientSecret && StoredOAuth is { HasClientSecret: true } && EndpointsChanged;

    /// <summary>
    /// Stored tokens stay only while they belong to the same issuer and go to the same SMTP destination: a token is a
    /// bearer credential, so pointing the server elsewhere needs a new Get Token (as a password must be typed again).
    /// </summary>
    [JsonIgnore]
    public bool StoredTokensKept => StoredOAuth is not null && !TokenIssuerChanged && !DestinationChanged;

    [JsonIgnore]
    public bool HasAccessToken => !string.IsNullOrEmpty(TypedAccessToken) || Draft?.Tokens is not null
        || (StoredTokensKept && StoredOAuth!.HasAccessToken);

    [JsonIgnore]
    public bool HasRefreshToken => !string.IsNullOrEmpty(TypedRefreshToken) || !string.IsNullOrEmpty(Draft?.Tokens?.RefreshToken)
        || (StoredTokensKept && StoredOAuth!.HasRefreshToken);

    /// <summary>Tokens are pasted only with Manual configuration.</summary>
    [JsonIgnore]
    public string? TypedAccessToken => Provider == OAuthProvider.Manual ? AccessToken : null;

    [JsonIgnore]
    public string? TypedRefreshToken => Provider == OAuthProvider.Manual ? RefreshToken : null;

    public static MailServerInput From(MailServerDetails server) => new()
    {
        Id = server.Id,
        Stored = server,
        Name = server.Name,
        Host = server.Host,
        Port = server.Port,
        Security = server.Security,
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
        Version = server.Version,
    };

    /// <summary>Fills the provider's defaults into empty fields (the form without script relies on this).</summary>
    public void ApplyDefaults()
    {
        if (!IsOAuth)
        {
            return;
        }

        var defaults = OAuthProviderDefaults.For(Provider);
        Tenant = Provider == OAuthProvider.Microsoft ? NullIfEmpty(Tenant) ?? defaults.Tenant : null;
        AuthorizationUrl = NullIfEmpty(AuthorizationUrl) ?? defaults.AuthorizationUrl;
        TokenUrl = NullIfEmpty(TokenUrl) ?? defaults.TokenUrl;
        RevocationUrl = Provider == OAuthProvider.Microsoft ? null : NullIfEmpty(RevocationUrl) ?? defaults.RevocationUrl;
        Scopes = NullIfEmpty(Scopes) ?? defaults.Scopes;
        if (!string.IsNullOrEmpty(Scopes))
        {
            Scopes = string.Join(' ', OAuthSettings.SplitScopes(Scopes));
        }
    }

    /// <summary>The provider settings of this form, with the client secret to use (never rendered).</summary>
    public OAuthSettings ToOAuthSettings(string? clientSecret) => new(
        Provider, Tenant, ClientId ?? "", clientSecret, AuthorizationUrl, TokenUrl ?? "", RevocationUrl, Scopes);

    public MailServerValues ToValues(DateTime now)
    {
        var oauth = IsOAuth;
        TokenSet? tokens = null;
        if (oauth && Draft?.Tokens is { } drafted)
        {
            tokens = drafted;
        }

        if (oauth && (!string.IsNullOrEmpty(TypedAccessToken) || !string.IsNullOrEmpty(TypedRefreshToken)))
        {
            // Pasted tokens (Manual configuration): what is typed replaces, what is left blank is kept.
            tokens = new TokenSet(
                TypedAccessToken ?? tokens?.AccessToken ?? "",
                TypedRefreshToken ?? tokens?.RefreshToken,
                AccessTokenExpiresUtc is { } expires ? DateTime.SpecifyKind(expires, DateTimeKind.Utc) : null,
                now,
                tokens?.Account);
        }

        return new MailServerValues(
            Name!,
            HostName.Normalize(Host)!,
            Port!.Value,
            Security,
            NullIfEmpty(UserName),
            SenderEmail!,
            NullIfEmpty(SenderName),
            IsDefault,
            RequiresAuthentication,
            RequiresAuthentication ? EffectiveLogin : null,
            RequiresAuthentication ? NullIfEmpty(Password) : null,
            ClearPassword)
        {
            AuthenticationType = AuthenticationType,
            OAuth = oauth
                ? new OAuthValues(
                    Provider,
                    Tenant,
                    ClientId!,
                    NullIfEmpty(ClientSecret) ?? NullIfEmpty(Draft?.ClientSecret),
                    AuthorizationUrl,
                    TokenUrl!,
                    RevocationUrl,
                    Scopes,
                    tokens,
                    DropStoredTokens: StoredOAuth is not null && !StoredTokensKept,
                    DropStoredClientSecret: TokenIssuerChanged || EndpointsChanged)
                : null,
        };
    }

    private static bool Same(string? a, string? b) => string.Equals(a ?? "", b ?? "", StringComparison.Ordinal);

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>A form that came back from the provider: the client secret typed before leaving, and the tokens.</summary>
public sealed record MailServerDraft(string? ClientSecret, TokenSet? Tokens);
