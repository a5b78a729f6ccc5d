using MailServerAdmin.Web.Administrators;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MailServerAdmin.Web.Pages.Account.Manage;

/// <summary>The new recovery codes, shown once: they come in temp data and are gone after this page.</summary>
[AllowedBeforeTwoFactor]
public sealed class ShowRecoveryCodesModel : PageModel
{
    [TempData]
    public string[]? RecoveryCodes { get; set; }

    [TempData]
    public string? RecoveryCodesReturnUrl { get; set; }

    [TempData]
    public string? StatusMessage { get; set; }

    public string ContinueUrl { get; private set; } = "/MailServers";

    public IActionResult OnGet()
    {
        if (RecoveryCodes is not { Length: > 0 })
        {
            return RedirectToPage("Index");
        }

        ContinueUrl = Url.IsLocalUrl(RecoveryCodesReturnUrl) ? RecoveryCodesReturnUrl : "/MailServers";
        Response.Headers.CacheControl = "no-store";
        return Page();
    }
}
