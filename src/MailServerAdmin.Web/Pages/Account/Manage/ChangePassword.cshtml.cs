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

/// <summary>The signed-in administrator changes their password; their other sessions end.</summary>
public sealed class ChangePasswordModel(
    UserManager<IdentityUser> users,
    SignInManager<IdentityUser> signIn,
    AccountSecurity security,
    IValidator<ChangePasswordInput> validator,
    IOptions<SignInSettings> settings,
    IStringLocalizer<SharedResource> localizer) : PageModel
{
    [BindProperty]
    public ChangePasswordInput Input { get; set; } = new();

    [TempData]
    public string? StatusMessage { get; set; }

    public async Task<IActionResult> OnGetAsync() => await UserWithPasswordAsync() is null ? NotFound() : Page();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var user = await UserWithPasswordAsync();
        if (user is null)
        {
            return NotFound();
        }

        if (!await validator.ValidateIntoAsync(Input, ModelState, nameof(Input), ct))
        {
            return Page();
        }

        var result = await security.ChangePasswordAsync(user, Input.CurrentPassword!, Input.NewPassword!, ct);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                var (field, message) = error.Code switch
                {
                    AccountSecurity.LockedOutCode => (string.Empty, localizer["ChangePassword_LockedOut"].Value),
                    nameof(IdentityErrorDescriber.PasswordMismatch) => ($"{nameof(Input)}.{nameof(Input.CurrentPassword)}", localizer["ChangePassword_WrongCurrent"].Value),
                    _ when error.Code.StartsWith("Password", StringComparison.Ordinal) => ($"{nameof(Input)}.{nameof(Input.NewPassword)}", error.Description),
                    _ => (string.Empty, error.Description),
                };
                ModelState.AddModelError(field, message);
            }

            return Page();
        }

        // The new security stamp ends every other session; this one is signed in again with it.
        await signIn.RefreshSignInAsync(user);
        StatusMessage = localizer["ChangePassword_Done"];
        return RedirectToPage("Index");
    }

    private async Task<IdentityUser?> UserWithPasswordAsync()
    {
        var user = settings.Value.LocalAccounts ? await users.GetUserAsync(User) : null;
        return user is not null && await users.HasPasswordAsync(user) ? user : null;
    }
}

public sealed class ChangePasswordInput
{
    [System.ComponentModel.DataAnnotations.Display(Name = "Field_CurrentPassword")]
    public string? CurrentPassword { get; set; }

    [System.ComponentModel.DataAnnotations.Display(Name = "Field_NewPassword")]
    public string? NewPassword { get; set; }

    [System.ComponentModel.DataAnnotations.Display(Name = "Field_ConfirmNewPassword")]
    public string? ConfirmPassword { get; set; }
}

public sealed class ChangePasswordInputValidator : AbstractValidator<ChangePasswordInput>
{
    public ChangePasswordInputValidator(IStringLocalizer<SharedResource> localizer)
    {
        RuleFor(x => x.CurrentPassword).NotEmpty().WithMessage(_ => localizer["ChangePassword_CurrentRequired"]);
        RuleFor(x => x.NewPassword).AdministratorPassword(localizer);
        RuleFor(x => x.ConfirmPassword).Equal(x => x.NewPassword).WithMessage(_ => localizer["Setup_PasswordsDiffer"]);
    }
}
