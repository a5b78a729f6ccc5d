using MailServerAdmin.Web.Administrators;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MailServerAdmin.Web.Pages.Administrators;

public sealed class IndexModel(AdministratorService administrators, CurrentAdministrator current, TimeProvider time) : PageModel
{
    public IReadOnlyList<AdministratorItem> Items { get; private set; } = [];

    public string? CurrentUserId => current.UserId;

    public DateTimeOffset Now => time.GetUtcNow();

    [Microsoft.AspNetCore.Mvc.TempData]
    public string? StatusMessage { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => Items = await administrators.ListAsync(ct);
}
