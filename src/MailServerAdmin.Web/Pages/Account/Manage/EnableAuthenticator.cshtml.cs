using FluentValidation;
using MailServerAdmin.Web.Administrators;
using MailServerAdmin.Web.Validation;
using MailServerAdmin.Resources;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace MailServerAdmin.Web.Pages.Account.Manage;

/// <summary>
/// Sets up two-factor sign-in: the key as a QR code and as text, and a code from the app to prove it has the key before
/// two-factor is turned on. Then the recovery codes are shown, once.
/// </summary>
[AllowedBeforeTwoFactor]
public sealed class EnableAuthenticatorModel(
    UserManager<IdentityUser> users,
    SignInManager<IdentityUser> signIn,
    AccountSecurity security,
    IValidator<TwoFactorCodeInput> validator,
    IOptions<SignInSettings> settings,
    IStringLocalizer<SharedResource> localizer) : PageModel
{
    [BindProperty]
    public TwoFactorCodeInput Input { get; set; } = new();

    [TempData]
    public string? StatusMessage { get; set; }

    /// <summary>Recovery codes for <see cref="ShowRecoveryCodesModel"/>, shown once.</summary>
    [TempData]
    public string[]? RecoveryCodes { get; set; }

    [TempData]
    public string? RecoveryCodesReturnUrl { get; set; }

    public AuthenticatorSetup Setup { get; private set; } = null!;

    /// <summary>Where <c>Admin:RequireTwoFactor</c> sent the administrator here.</summary>
    public bool Required => settings.Value.RequireTwoFactor;

    public string? ReturnUrl { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? returnUrl)
    {
        ReturnUrl = returnUrl;
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return NotFound();
        }

        if (await users.GetTwoFactorEnabledAsync(user))
        {
            StatusMessage = localizer["EnableTwoFactor_AlreadyOn"];
            return RedirectToPage("Index");
        }

        await LoadAsync(user);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string? returnUrl, CancellationToken ct)
    {
        ReturnUrl = returnUrl;
        var user = await users.GetUserAsync(User);
        if (user is null)
        {
            return NotFound();
        }

        if (await users.GetTwoFactorEnabledAsync(user))
        {
            StatusMessage = localizer["EnableTwoFactor_AlreadyOn"];
            return RedirectToPage("Index");
        }

        if (!await validator.ValidateIntoAsync(Input, ModelState, nameof(Input), ct))
        {
            await LoadAsync(user);
            return Page();
        }

        var codes = await security.EnableTwoFactorAsync(user, Input.Code!, ct);
        if (codes is null)
        {
            ModelState.AddModelError($"{nameof(Input)}.{nameof(Input.Code)}", localizer["EnableTwoFactor_WrongCode"]);
            await LoadAsync(user);
            return Page();
        }

        await signIn.RefreshSignInAsync(user);
        RecoveryCodes = [.. codes];
        RecoveryCodesReturnUrl = Url.IsLocalUrl(returnUrl) ? returnUrl : null;
        StatusMessage = localizer["EnableTwoFactor_Done"];
        return RedirectToPage("ShowRecoveryCodes");
    }

    private async Task LoadAsync(IdentityUser user)
    {
        Setup = await security.AuthenticatorSetupAsync(user);
        if (Setup.NewKey)
        {
            // Making a key renews the security stamp: this session carries the new one.
            await signIn.RefreshSignInAsync(user);
        }
    }
}
