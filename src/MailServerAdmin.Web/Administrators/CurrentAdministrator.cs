using MailServerAdmin.Audit;

namespace MailServerAdmin.Web.Administrators;

/// <summary>The signed-in administrator of the current request.</summary>
public sealed class CurrentAdministrator(IHttpContextAccessor accessor) : IAuditActor
{
    public string Name => accessor.HttpContext?.User.Identity?.Name ?? SystemAuditActor.SystemName;

    public string? UserId => accessor.HttpContext?.User.FindFirst(System.Security.Claims.ClaimTypes.NameIdentifier)?.Value;
}
