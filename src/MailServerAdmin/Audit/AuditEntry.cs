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
    TokensRefreshed,
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
}
