namespace MailServerAdmin.Audit;

/// <summary>One thing an administrator did. Holds names of changed fields, never their secret values.</summary>
public sealed class AuditEntry
{
    public long Id { get; set; }

    public DateTime TimeUtc { get; set; }

    /// <summary>The administrator's e-mail.</summary>
    public string Administrator { get; set; } = "";

    public AuditAction Action { get; set; }

    /// <summary>The server concerned; kept after the server is deleted, so not a foreign key.</summary>
    public int? ServerId { get; set; }

    public string? ServerName { get; set; }

    /// <summary>Comma-separated names of the fields that changed.</summary>
    public string? Fields { get; set; }

    /// <summary>A short, non-secret note (for example who else was concerned).</summary>
    public string? Detail { get; set; }
}

public enum AuditAction
{
    ServerCreated,
    ServerUpdated,
    ServerDeleted,
    DefaultSet,
    DefaultRemoved,
    AdministratorAdded,
    AdministratorRemoved,
    TokensObtained,

    /// <summary>An administrator refreshed the tokens (Refresh now); routine refreshes are not recorded.</summary>
    TokensRefreshed,

    /// <summary>Refreshing the tokens started failing (they had worked until then); recorded once, not at every attempt.</summary>
    TokenRefreshFailed,

    TokensRevoked,
    PasswordChanged,
    PasswordReset,
    TwoFactorEnabled,
    TwoFactorDisabled,
    TwoFactorReset,
    RecoveryCodesGenerated,
    SingleSignOn,
    SingleSignOnLinked,

    /// <summary>Refreshing works again after failing.</summary>
    TokenRefreshRecovered,

    /// <summary>The provider refused the refresh token: only a new Get Token helps, and no refresh is tried until then.</summary>
    TokensNeedAuthorization,
}
