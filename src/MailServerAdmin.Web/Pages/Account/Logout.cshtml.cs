using MailServerAdmin.Resources;
using MailServerAdmin.Web.Administrators;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Pages.Account;

[AllowedBeforeTwoFactor]
public sealed class LogoutModel(SignInManager<IdentityUser> signIn, IStringLocalizer<SharedResource> localizer) : PageModel
{
    [TempData]
    public string? StatusMessage { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        await signIn.SignOutAsync();
        StatusMessage = localizer["Logout_Done"];
        return RedirectToPage("Login");
    }
}
