using MailServerAdmin.Audit;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MailServerAdmin.Web.Pages.Audit;

public sealed class IndexModel(AuditLog audit) : PageModel
{
    public const int PageSize = 50;

    public AuditPage Entries { get; private set; } = null!;

    public IReadOnlyList<AuditedServer> Servers { get; private set; } = [];

    public int? ServerId { get; private set; }

    public async Task OnGetAsync(int? server, int p = 1, CancellationToken ct = default)
    {
        ServerId = server;
        Entries = await audit.ListAsync(server, p, PageSize, ct);
        Servers = await audit.ServersAsync(ct);
    }
}
