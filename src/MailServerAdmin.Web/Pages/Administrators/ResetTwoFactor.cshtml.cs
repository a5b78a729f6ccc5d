using MailServerAdmin.Web.Administrators;
using MailServerAdmin.Resources;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Pages.Administrators;

/// <summary>Another administrator lost their authenticator app and recovery codes: their two-factor sign-in is turned off.</summary>
public sealed class ResetTwoFactorModel(
    AdministratorService administrators, CurrentAdministrator current, IStringLocalizer<SharedResource> localizer) : PageModel
{
    [TempData]
    public string? StatusMessage { get; set; }

    public AdministratorItem Administrator { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        if (await administrators.FindAsync(id, ct) is not { } admin)
        {
            return NotFound();
        }

        if (admin.Id == current.UserId)
        {
            StatusMessage = localizer["Admins_ResetSelf"];
            return RedirectToPage("Index");
        }

        Administrator = admin;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string id, CancellationToken ct)
    {
        var admin = await administrators.FindAsync(id, ct);
        StatusMessage = await administrators.ResetTwoFactorAsync(id, ct) switch
        {
            ResetResult.Done => localizer["Admins_TwoFactorReset", admin!.Email],
            ResetResult.Self => localizer["Admins_ResetSelf"],
            _ => localizer["Admins_AlreadyRemoved"],
        };
        return RedirectToPage("Index");
    }
}
