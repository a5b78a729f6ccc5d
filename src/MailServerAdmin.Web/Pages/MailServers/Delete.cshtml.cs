using MailServerAdmin.MailServers;
using MailServerAdmin.Resources;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Pages.MailServers;

public sealed class DeleteModel(MailServerStore store, IStringLocalizer<SharedResource> localizer) : PageModel
{
    public MailServerDetails Server { get; private set; } = null!;

    [TempData]
    public string? StatusMessage { get; set; }

    public async Task<IActionResult> OnGetAsync([FromRoute] int id, CancellationToken ct)
    {
        var server = await store.GetDetailsAsync(id, ct);
        if (server is null)
        {
            return NotFound();
        }

        Server = server;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync([FromRoute] int id, CancellationToken ct)
    {
        var deleted = await store.DeleteAsync(id, ct);
        StatusMessage = deleted switch
        {
            null => localizer["Status_AlreadyDeleted"],
            { WasDefault: true } => localizer["Status_DeletedDefault", deleted.Name],
            _ => localizer["Status_Deleted", deleted.Name],
        };
        return RedirectToPage("Index");
    }
}
