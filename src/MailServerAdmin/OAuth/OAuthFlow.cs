namespace MailServerAdmin.OAuth;

/// <summary>
/// A step of Get Token kept on the server, encrypted: an authorization in progress (keyed by its one-time state) or a
/// form draft that came back from the provider (keyed by a random id). Bound to the administrator and their
/// browser session.
/// </summary>
public sealed class OAuthFlow
{
    public string Id { get; set; } = "";

    public OAuthFlowKind Kind { get; set; }

    public string UserId { get; set; } = "";

    /// <summary>SHA-256 of the browser session's binding cookie.</summary>
    public string BindingHash { get; set; } = "";

    public DateTime CreatedUtc { get; set; }

    public DateTime ExpiresUtc { get; set; }

    public DateTime? UsedUtc { get; set; }

    /// <summary>The payload as JSON, protected with Data Protection.</summary>
    public string Payload { get; set; } = "";
}

public enum OAuthFlowKind
{
    Authorization = 0,
    Draft = 1,
}
