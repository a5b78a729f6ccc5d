using MailServerAdmin.Web.MailServers;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MailServerAdmin.Web.Pages.MailServers;

public sealed class DeleteModel(MailServerStore store) : PageModel
{
    public MailServerDetails Server { get; private set; } = null!;

    [TempData]
    public string? StatusMessage { get; set; }

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken ct)
    {
        var server = await store.GetDetailsAsync(id, ct);
        if (server is null)
        {
            return NotFound();
        }

        Server = server;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int id, CancellationToken ct)
    {
        var deleted = await store.DeleteAsync(id, ct);
        StatusMessage = deleted switch
        {
            null => "That mail server was already deleted.",
            { WasDefault: true } => $"Mail server '{deleted.Name}' deleted. It was the default server: make another server the default.",
            _ => $"Mail server '{deleted.Name}' deleted.",
        };
        return RedirectToPage("Index");
    }
}
