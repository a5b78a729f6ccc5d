namespace MailServerAdmin.Audit;

/// <summary>Who the audit log names for a change: the signed-in administrator in the admin app, else the system.</summary>
public interface IAuditActor
{
    string Name { get; }
}

/// <summary>The actor of changes made without a person: the background refresher, the business application.</summary>
public sealed class SystemAuditActor : IAuditActor
{
    public const string SystemName = "system";

    public string Name => SystemName;
}
