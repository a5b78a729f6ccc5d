using FluentValidation;
using MailServerAdmin.Web.Administrators;
using MailServerAdmin.Web.Validation;
using MailServerAdmin.Resources;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace MailServerAdmin.Web.Pages.Administrators;

/// <summary>
/// Another administrator forgot their password: this one types a new one for them (the same rules as a new
/// administrator's), which also lifts a lockout and ends their sessions. Nobody resets their own password here.
/// </summary>
public sealed class ResetPasswordModel(
    AdministratorService administrators,
    CurrentAdministrator current,
    IValidator<ResetPasswordInput> validator,
    IOptions<SignInSettings> settings,
    IStringLocalizer<SharedResource> localizer) : PageModel
{
    [BindProperty]
    public ResetPasswordInput Input { get; set; } = new();

    [TempData]
    public string? StatusMessage { get; set; }

    public AdministratorItem Administrator { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(string id, CancellationToken ct)
    {
        if (await FindAsync(id, ct) is not { } admin)
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
        if (await FindAsync(id, ct) is not { } admin)
        {
            StatusMessage = localizer["Admins_AlreadyRemoved"];
            return RedirectToPage("Index");
        }

        Administrator = admin;
        if (!await validator.ValidateIntoAsync(Input, ModelState, nameof(Input), ct))
        {
            return Page();
        }

        var (result, identity) = await administrators.ResetPasswordAsync(id, Input.Password!, ct);
        switch (result)
        {
            case ResetResult.Invalid:
                foreach (var error in identity.Errors)
                {
                    ModelState.AddModelError(AdministratorRules.FieldFor(error, nameof(Input)), error.Description);
                }

                return Page();
            case ResetResult.Done:
                StatusMessage = localizer["Admins_PasswordReset", admin.Email];
                break;
            case ResetResult.Self:
                StatusMessage = localizer["Admins_ResetSelf"];
                break;
            default:
                StatusMessage = localizer["Admins_AlreadyRemoved"];
                break;
        }

        return RedirectToPage("Index");
    }

    private async Task<AdministratorItem?> FindAsync(string id, CancellationToken ct) =>
        settings.Value.LocalAccounts ? await administrators.FindAsync(id, ct) : null;
}

public sealed class ResetPasswordInput
{
    [System.ComponentModel.DataAnnotations.Display(Name = "Field_NewPassword")]
    public string? Password { get; set; }

    [System.ComponentModel.DataAnnotations.Display(Name = "Field_ConfirmNewPassword")]
    public string? ConfirmPassword { get; set; }
}

public sealed class ResetPasswordInputValidator : AbstractValidator<ResetPasswordInput>
{
    public ResetPasswordInputValidator(IStringLocalizer<SharedResource> localizer)
    {
        RuleFor(x => x.Password).AdministratorPassword(localizer);
        RuleFor(x => x.ConfirmPassword).Equal(x => x.Password).WithMessage(_ => localizer["Setup_PasswordsDiffer"]);
    }
}
