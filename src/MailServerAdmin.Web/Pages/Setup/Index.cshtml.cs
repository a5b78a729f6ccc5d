using FluentValidation;
using MailServerAdmin.Web.Administrators;
using MailServerAdmin.Resources;
using MailServerAdmin.Web.Validation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Pages.Setup;

/// <summary>First run: creates the first administrator with the one-time code from the log.</summary>
[AllowAnonymous]
public sealed class IndexModel(
    SetupCode setupCode,
    UserManager<IdentityUser> users,
    SignInManager<IdentityUser> signIn,
    AdministratorService administrators,
    IValidator<SetupInput> validator,
    IStringLocalizer<SharedResource> localizer) : PageModel
{
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);

    [BindProperty]
    public SetupInput Input { get; set; } = new();

    [TempData]
    public string? StatusMessage { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct) =>
        await users.Users.AnyAsync(ct) ? NotFound() : Page();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await OneAtATime.WaitAsync(ct);
        try
        {
            if (await users.Users.AnyAsync(ct))
            {
                return NotFound();
            }

            if (!await validator.ValidateIntoAsync(Input, ModelState, nameof(Input), ct))
            {
                return Page();
            }

            if (!setupCode.Matches(Input.Code))
            {
                ModelState.AddModelError($"{nameof(Input)}.{nameof(Input.Code)}", localizer["Setup_WrongCode"]);
                return Page();
            }

            var result = await administrators.AddAsync(Input.Email!, Input.Password!, addedBy: Input.Email, ct);
            if (!result.Succeeded)
            {
                foreach (var error in result.Errors)
                {
                    ModelState.AddModelError(AdministratorRules.FieldFor(error, nameof(Input)), error.Description);
                }

                return Page();
            }

            setupCode.Spend();
            var user = await users.FindByEmailAsync(Input.Email!);
            await signIn.SignInAsync(user!, isPersistent: false);
            StatusMessage = localizer["Setup_Welcome", Input.Email!];
            return Redirect("/MailServers");
        }
        finally
        {
            OneAtATime.Release();
        }
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
