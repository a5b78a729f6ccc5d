namespace MailServerAdmin.MailServers;

/// <summary>An outgoing SMTP server the application can send its mail through.</summary>
public sealed class MailServer
{
    public int Id { get; set; }

    public string Name { get; set; } = "";

    /// <summary>Upper-case invariant form of <see cref="Name"/>; unique, so names are unique ignoring case.</summary>
    public string NormalizedName { get; set; } = "";

    /// <summary>Host name (lower case) or IP literal, without brackets.</summary>
    public string Host { get; set; } = "";

    public int Port { get; set; }

    public SmtpSecurity Security { get; set; }

    /// <summary>
    /// The SHA-256 fingerprint of the one certificate this server is trusted with (upper-case hex, colon-separated), or
    /// null for the usual checks. Part of where the secrets may go (see <see cref="SecretPolicy"/>).
    /// </summary>
    public string? CertificatePin { get; set; }

    /// <summary>The mailbox login the server knows the sender by.</summary>
    public string? UserName { get; set; }

    public string SenderEmail { get; set; } = "";

    public string? SenderName { get; set; }

    /// <summary>At most one server is the default: a filtered unique index guarantees it.</summary>
    public bool IsDefault { get; set; }

    public AuthenticationType AuthenticationType { get; set; }

    public bool RequiresAuthentication { get; set; }

    public string? Login { get; set; }

    /// <summary>The password, encrypted by <see cref="SecretVault"/>; never sent to the browser.</summary>
    public string? ProtectedPassword { get; set; }

    public OAuth.OAuthProvider? OAuthProvider { get; set; }

    /// <summary>Microsoft's tenant (common, organizations, a domain or a GUID).</summary>
    public string? Tenant { get; set; }

    public string? ClientId { get; set; }

    /// <summary>The client secret, encrypted by <see cref="SecretVault"/>; never sent to the browser.</summary>
    public string? ProtectedClientSecret { get; set; }

    /// <summary>When the client secret expires, as the administrator entered it (optional; Entra shows it).</summary>
    public DateOnly? ClientSecretExpiresOn { get; set; }

    /// <summary>An app-only server's certificate and private key (PEM), encrypted by <see cref="SecretVault"/>; never sent to the browser.</summary>
    public string? ProtectedCertificate { get; set; }

    /// <summary>The stored certificate's subject (no secret: shown).</summary>
    public string? CertificateSubject { get; set; }

    /// <summary>The stored certificate's SHA-1 thumbprint, as Entra shows it.</summary>
    public string? CertificateThumbprint { get; set; }

    public DateTime? CertificateExpiresUtc { get; set; }

    /// <summary>A Google service account's JSON key, encrypted by <see cref="SecretVault"/>; never sent to the browser.</summary>
    public string? ProtectedServiceAccountKey { get; set; }

    /// <summary>The stored key's service account e-mail (no secret: shown).</summary>
    public string? ServiceAccountEmail { get; set; }

    /// <summary>The stored key's id (no secret: shown).</summary>
    public string? ServiceAccountKeyId { get; set; }

    /// <summary>May hold the {tenant} placeholder.</summary>
    public string? AuthorizationUrl { get; set; }

    public string? TokenUrl { get; set; }

    public string? RevocationUrl { get; set; }

    /// <summary>Space-separated.</summary>
    public string? Scopes { get; set; }

    /// <summary>The access token, encrypted by <see cref="SecretVault"/>; never sent to the browser.</summary>
    public string? ProtectedAccessToken { get; set; }

    /// <summary>The refresh token, encrypted by <see cref="SecretVault"/>; never sent to the browser.</summary>
    public string? ProtectedRefreshToken { get; set; }

    public DateTime? AccessTokenExpiresUtc { get; set; }

    public DateTime? TokensObtainedUtc { get; set; }

    /// <summary>The account the provider said signed in, when it said.</summary>
    public string? TokenAccount { get; set; }

    /// <summary>When the tokens were last refreshed at the provider.</summary>
    public DateTime? TokensRefreshedUtc { get; set; }

    /// <summary>The last refresh failure, in words, until a refresh succeeds or new tokens are saved.</summary>
    public string? TokenError { get; set; }

    public DateTime? TokenErrorUtc { get; set; }

    /// <summary>The provider refused the refresh token itself: only a new Get Token helps.</summary>
    public bool TokenNeedsAuthorization { get; set; }

    /// <summary>Changes whenever the tokens change, so that a stale refresh never overwrites newer tokens.</summary>
    public Guid TokenVersion { get; set; }

    /// <summary>
    /// Refresh failures in a row (transient or not) since the tokens last worked; the back-off grows with it.
    /// </summary>
    public int TokenFailureCount { get; set; }

    /// <summary>After a failed refresh: no new refresh is tried before this time (exponential back-off with jitter).</summary>
    public DateTime? TokenRetryAfterUtc { get; set; }

    /// <summary>
    /// The refresh lease: set (with a conditional update) by the one process that may redeem the refresh token now,
    /// cleared when its answer or its failure is stored. Null when nobody is refreshing.
    /// </summary>
    public Guid? TokenLeaseId { get; set; }

    /// <summary>When the lease expires, so that a holder that died cannot block the refresh for ever.</summary>
    public DateTime? TokenLeaseUntilUtc { get; set; }

    /// <summary>When the lease was taken (told in the health when its answer was lost).</summary>
    public DateTime? TokenLeaseTakenUtc { get; set; }

    /// <summary>Which process holds the lease (host name, process id), for the log and the health.</summary>
    public string? TokenLeaseHolder { get; set; }

    /// <summary>Changes on every write, so that a save based on an old read is refused.</summary>
    public Guid Version { get; set; }

    /// <summary>How the secrets are encrypted: 1 for rows written before <see cref="SecretVault"/>, upgraded at start.</summary>
    public int SecretScheme { get; set; } = SecretVault.Scheme;

    public DateTime CreatedUtc { get; set; }

    public DateTime UpdatedUtc { get; set; }

    /// <summary>The key that keeps names unique: names that read the same have the same key (see <see cref="NameKeys.For"/>).</summary>
    public static string NormalizeName(string name) => NameKeys.For(name);
}

public enum SmtpSecurity
{
    None = 0,
    SslOnConnect = 1,
    StartTls = 2,
    Auto = 3,
}

public enum AuthenticationType
{
    Basic = 0,
    OAuth = 1,
}
