using MailServerAdmin.Web.Administrators;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MailServerAdmin.Web.Pages.Administrators;

public sealed class RemoveModel(AdministratorService administrators) : PageModel
{
    public AdministratorItem Administrator { get; private set; } = null!;

    [TempData]
    public string? StatusMessage { get; set; }

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        var admin = await administrators.FindAsync(id, ct);
        if (admin is null)
        {
            return NotFound();
        }

        Administrator = admin;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string id, CancellationToken ct)
    {
        var admin = await administrators.FindAsync(id, ct);
        var result = await administrators.RemoveAsync(id, ct);
        StatusMessage = result switch
        {
            RemoveResult.Removed => $"{admin!.Email} is no longer an administrator.",
            RemoveResult.Self => "You cannot remove yourself: ask another administrator to do it.",
            RemoveResult.Last => "The last administrator cannot be removed.",
            _ => "That administrator was already removed.",
        };
        return RedirectToPage("Index");
    }
}
