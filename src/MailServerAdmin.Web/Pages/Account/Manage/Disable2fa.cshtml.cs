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

/// <summary>Turns two-factor sign-in off, with the administrator's password or a code from their app.</summary>
public sealed class Disable2faModel(
    UserManager<IdentityUser> users,
    SignInManager<IdentityUser> signIn,
    AccountSecurity security,
    IValidator<DisableTwoFactorInput> validator,
    IOptions<SignInSettings> settings,
    IStringLocalizer<SharedResource> localizer) : PageModel
{
    [BindProperty]
    public DisableTwoFactorInput Input { get; set; } = new();

    [TempData]
    public string? StatusMessage { get; set; }

    /// <summary>With <c>Admin:RequireTwoFactor</c>, turning it off leads straight to setting it up again.</summary>
    public bool Required => settings.Value.RequireTwoFactor;

    public async Task<IActionResult> OnGetAsync()
    {
        var user = await users.GetUserAsync(User);
        return user is null ? NotFound() : await users.GetTwoFactorEnabledAsync(user) ? Page() : RedirectToPage("Index");
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
            return RedirectToPage("Index");
        }

        if (!await validator.ValidateIntoAsync(Input, ModelState, nameof(Input), ct))
        {
            return Page();
        }

        switch (await security.DisableTwoFactorAsync(user, Input.PasswordOrCode!, ct))
        {
            case SecretCheck.Passed:
                await signIn.RefreshSignInAsync(user);
                StatusMessage = localizer["DisableTwoFactor_Done"];
                return RedirectToPage(Required ? "EnableAuthenticator" : "Index");
            case SecretCheck.LockedOut:
                ModelState.AddModelError(string.Empty, localizer["ChangePassword_LockedOut"]);
                return Page();
            default:
                ModelState.AddModelError($"{nameof(Input)}.{nameof(Input.PasswordOrCode)}", localizer["DisableTwoFactor_Wrong"]);
                return Page();
        }
    }
}

public sealed class DisableTwoFactorInput
{
    [System.ComponentModel.DataAnnotations.Display(Name = "Field_PasswordOrCode")]
    public string? PasswordOrCode { get; set; }
}

public sealed class DisableTwoFactorInputValidator : AbstractValidator<DisableTwoFactorInput>
{
    public DisableTwoFactorInputValidator(IStringLocalizer<SharedResource> localizer) =>
        RuleFor(x => x.PasswordOrCode).NotEmpty().WithMessage(_ => localizer["DisableTwoFactor_Required"]);
}
