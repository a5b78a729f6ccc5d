using MailServerAdmin.Web.Administrators;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace MailServerAdmin.Web.Pages.Account.Manage;

/// <summary>The signed-in administrator's own account: password and two-factor sign-in.</summary>
public sealed class IndexModel(UserManager<IdentityUser> users, IOptions<SignInSettings> settings) : PageModel
{
    [TempData]
    public string? StatusMessage { get; set; }

    public string Email { get; private set; } = "";

    public bool HasPassword { get; private set; }

    public bool TwoFactorEnabled { get; private set; }

    public int RecoveryCodesLeft { get; private set; }

    public bool LocalAccounts => settings.Value.LocalAccounts;

    public bool TwoFactorRequired => settings.Value.RequireTwoFactor;

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return NotFound();
        }

        Email = user.Email ?? user.UserName ?? "";
        HasPassword = await users.HasPasswordAsync(user);
        TwoFactorEnabled = await users.GetTwoFactorEnabledAsync(user);
        RecoveryCodesLeft = TwoFactorEnabled ? await users.CountRecoveryCodesAsync(user) : 0;
        return Page();
    }
}
