using MailServerAdmin.Web.Administrators;
using MailServerAdmin.Resources;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Pages.Administrators;

public sealed class RemoveModel(AdministratorService administrators, IStringLocalizer<SharedResource> localizer) : PageModel
{
    public AdministratorItem Administrator { get; private set; } = null!;

    [TempData]
    public string? StatusMessage { get; set; }

    public async Task<IActionResult> OnGetAsync([FromRoute] string id, CancellationToken ct)
    {
        var admin = await administrators.FindAsync(id, ct);
        if (admin is null)
        {
            return NotFound();
        }

        Administrator = admin;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync([FromRoute] string id, CancellationToken ct)
    {
        var admin = await administrators.FindAsync(id, ct);
        var result = await administrators.RemoveAsync(id, ct);
        StatusMessage = result switch
        {
            RemoveResult.Removed => localizer["Admins_Removed", admin!.Email],
            RemoveResult.Self => localizer["Admins_RemoveSelf"],
            RemoveResult.Last => localizer["Admins_RemoveLast"],
            _ => localizer["Admins_AlreadyRemoved"],
        };
        return RedirectToPage("Index");
    }
}
