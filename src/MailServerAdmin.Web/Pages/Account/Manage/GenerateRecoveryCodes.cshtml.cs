using MailServerAdmin.Web.Administrators;
using MailServerAdmin.Resources;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Pages.Account.Manage;

/// <summary>New recovery codes replace the old ones (after a confirmation).</summary>
public sealed class GenerateRecoveryCodesModel(
    UserManager<IdentityUser> users, AccountSecurity security, IStringLocalizer<SharedResource> localizer) : PageModel
{
    [TempData]
    public string[]? RecoveryCodes { get; set; }

    [TempData]
    public string? StatusMessage { get; set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await users.GetUserAsync(User);
        return user is null ? NotFound() : await users.GetTwoFactorEnabledAsync(user) ? Page() : RedirectToPage("EnableAuthenticator");
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return NotFound();
        }

        if (!await users.GetTwoFactorEnabledAsync(user))
        {
            return RedirectToPage("EnableAuthenticator");
        }

        RecoveryCodes = [.. await security.NewRecoveryCodesAsync(user, ct)];
        StatusMessage = localizer["RecoveryCodes_Generated"];
        return RedirectToPage("ShowRecoveryCodes");
    }
}
