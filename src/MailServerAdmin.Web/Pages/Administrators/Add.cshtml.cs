using FluentValidation;
using MailServerAdmin.Web.Administrators;
using MailServerAdmin.Web.Pages.MailServers;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MailServerAdmin.Web.Pages.Administrators;

public sealed class AddModel(AdministratorService administrators, IValidator<AddAdministratorInput> validator) : PageModel
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
                    ? $"{Input.Email} is already an administrator."
                    : error.Description;
                ModelState.AddModelError(AdministratorRules.FieldFor(error, nameof(Input)), message);
            }

            return Page();
        }

        StatusMessage = $"{Input.Email} is now an administrator. Give them their password through a safe channel.";
        return RedirectToPage("Index");
    }
}

public sealed class AddAdministratorInput
{
    [System.ComponentModel.DataAnnotations.Display(Name = "E-mail")]
    public string? Email { get; set => field = value?.Trim(); }

    [System.ComponentModel.DataAnnotations.Display(Name = "Initial password")]
    public string? Password { get; set; }
}

public sealed class AddAdministratorInputValidator : AbstractValidator<AddAdministratorInput>
{
    public AddAdministratorInputValidator()
    {
        RuleFor(x => x.Email).AdministratorEmail();
        RuleFor(x => x.Password).AdministratorPassword();
    }
}
