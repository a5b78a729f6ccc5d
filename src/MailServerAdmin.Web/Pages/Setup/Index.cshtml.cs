using FluentValidation;
using MailServerAdmin.Web.Administrators;
using MailServerAdmin.Resources;
using MailServerAdmin.Web.Validation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Pages.Setup;

/// <summary>First run: creates the first administrator with a one-time code from the log of any instance.</summary>
[AllowAnonymous]
public sealed class IndexModel(
    SetupCode setupCode,
    UserManager<IdentityUser> users,
    SignInManager<IdentityUser> signIn,
    AdministratorService administrators,
    IValidator<SetupInput> validator,
    IStringLocalizer<SharedResource> localizer) : PageModel
{
    [BindProperty]
    public SetupInput Input { get; set; } = new();

    [TempData]
    public string? StatusMessage { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) =>
        await setupCode.IsPendingAsync(ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await setupCode.IsPendingAsync(ct))
        {
            return NotFound();
        }

        if (!await validator.ValidateIntoAsync(Input, ModelState, nameof(Input), ct))
        {
            return Page();
        }

        // The code is spent before the administrator is created, so that two requests (on any instances) cannot both
        // create a first administrator; it works again if the creation fails.
        var redemption = await setupCode.RedeemAsync(Input.Code, ct);
        if (redemption.Done)
        {
            return NotFound();
        }

        if (!redemption.Succeeded)
        {
            ModelState.AddModelError($"{nameof(Input)}.{nameof(Input.Code)}", localizer["Setup_WrongCode"]);
            return Page();
        }

        var result = await administrators.AddAsync(Input.Email!, Input.Password!, addedBy: Input.Email, CancellationToken.None);
        if (!result.Succeeded)
        {
            await setupCode.RestoreAsync(redemption, CancellationToken.None);
            foreach (var error in result.Errors)
            {
                ModelState.AddModelError(AdministratorRules.FieldFor(error, nameof(Input)), error.Description);
            }

            return Page();
        }

        var user = await users.FindByEmailAsync(Input.Email!);
        await signIn.SignInAsync(user!, isPersistent: false);
        StatusMessage = localizer["Setup_Welcome", Input.Email!];
        return Redirect("/MailServers");
    }
}

public sealed class SetupInput
{
    [System.ComponentModel.DataAnnotations.Display(Name = "Field_SetupCode")]
    public string? Code { get; set => field = value?.Trim(); }

    [System.ComponentModel.DataAnnotations.Display(Name = "Field_YourEmail")]
    public string? Email { get; set => field = value?.Trim(); }

    [System.ComponentModel.DataAnnotations.Display(Name = "Field_Password")]
    public string? Password { get; set; }

    [System.ComponentModel.DataAnnotations.Display(Name = "Field_ConfirmPassword")]
    public string? ConfirmPassword { get; set; }
}

public sealed class SetupInputValidator : AbstractValidator<SetupInput>
{
    public SetupInputValidator(IStringLocalizer<SharedResource> localizer)
    {
        RuleFor(x => x.Code).NotEmpty().WithMessage(_ => localizer["Setup_CodeRequired"]);
        RuleFor(x => x.Email).Cascade(CascadeMode.Stop).SingleLine(localizer).AdministratorEmail(localizer);
        RuleFor(x => x.Password).AdministratorPassword(localizer);
        RuleFor(x => x.ConfirmPassword)
            .Equal(x => x.Password).WithMessage(_ => localizer["Setup_PasswordsDiffer"]);
    }
}
