namespace MailServerAdmin.Data;

/// <summary>
/// A first-run set-up code that an instance wrote to its log at start while no administrator existed. Only its hash is
/// stored (ASP.NET Core Identity's password hasher), so that the code works on every instance and a copy of the
/// database does not reveal it. All of them are deleted when the first administrator is created.
/// </summary>
public sealed class PendingSetupCode
{
    public int Id { get; set; }

    public string Hash { get; set; } = "";

    public DateTime CreatedUtc { get; set; }
}
