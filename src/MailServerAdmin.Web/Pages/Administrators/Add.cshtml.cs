using FluentValidation;
using MailServerAdmin.Web.Administrators;
using MailServerAdmin.Resources;
using MailServerAdmin.Web.Validation;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Pages.Administrators;

public sealed class AddModel(
    AdministratorService administrators, IValidator<AddAdministratorInput> validator, IStringLocalizer<SharedResource> localizer) : PageModel
{
    [BindProperty]
    public AddAdministratorInput Input { get; set; } = new();

    [TempData]
    public string? StatusMessage { get; set; }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await validator.ValidateIntoAsync(Input, ModelState, nameof(Input), ct))
        {
            return Page();
        }

        var result = await administrators.AddAsync(Input.Email!, Input.Password!, ct: ct);
        if (!result.Succeeded)
        {
            foreach (var error in result.Errors)
            {
                var message = error.Code is "DuplicateUserName" or "DuplicateEmail"
                    ? localizer["Admins_AlreadyAdmin", Input.Email!]
                    : error.Description;
                ModelState.AddModelError(AdministratorRules.FieldFor(error, nameof(Input)), message);
            }

            return Page();
        }

        StatusMessage = localizer["Admins_Added", Input.Email!];
        return RedirectToPage("Index");
    }
}

public sealed class AddAdministratorInput
{
    [System.ComponentModel.DataAnnotations.Display(Name = "Field_Email")]
    public string? Email { get; set => field = value?.Trim(); }

    [System.ComponentModel.DataAnnotations.Display(Name = "Field_InitialPassword")]
    public string? Password { get; set; }
}

public sealed class AddAdministratorInputValidator : AbstractValidator<AddAdministratorInput>
{
    public AddAdministratorInputValidator(IStringLocalizer<SharedResource> localizer)
    {
        RuleFor(x => x.Email).Cascade(CascadeMode.Stop).SingleLine(localizer).AdministratorEmail(localizer);
        RuleFor(x => x.Password).AdministratorPassword(localizer);
    }
}
