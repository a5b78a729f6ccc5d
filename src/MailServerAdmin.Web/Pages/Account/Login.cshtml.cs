using FluentValidation;
using MailServerAdmin.Web.Administrators;
using MailServerAdmin.Web.Pages.MailServers;
using MailServerAdmin.Resources;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Pages.Account;

[AllowAnonymous]
public sealed class LoginModel(
    SignInManager<IdentityUser> signIn,
    SetupCode setupCode,
    IValidator<LoginInput> validator,
    TimeProvider time,
    IStringLocalizer<SharedResource> localizer) : PageModel
{
    [BindProperty]
    public LoginInput Input { get; set; } = new();

    [TempData]
    public string? StatusMessage { get; set; }

    /// <summary>No administrator exists yet: point to the set-up page.</summary>
    public bool SetupPending { get; private set; }

    public override async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(next);
        SetupPending = await setupCode.IsPendingAsync(HttpContext.RequestAborted);
        await next();
    }

    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync(string? returnUrl, CancellationToken ct)
    {
        if (!await validator.ValidateIntoAsync(Input, ModelState, nameof(Input), ct))
        {
            return Page();
        }

        var result = await signIn.PasswordSignInAsync(Input.Email!, Input.Password!, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/MailServers");
        }

        if (result.IsLockedOut)
        {
            var user = await signIn.UserManager.FindByEmailAsync(Input.Email!);
            var until = user?.LockoutEnd;
            var minutes = until is null ? 0 : Math.Max(1, (int)Math.Ceiling((until.Value - time.GetUtcNow()).TotalMinutes));
            ModelState.AddModelError(string.Empty, minutes == 1 ? localizer["Login_LockedOut_OneMinute"] : localizer["Login_LockedOut", minutes]);
            return Page();
        }

        ModelState.AddModelError(string.Empty, localizer["Login_Wrong"]);
        return Page();
    }
}

public sealed class LoginInput
{
    [System.ComponentModel.DataAnnotations.Display(Name = "Field_Email")]
    public string? Email { get; set => field = value?.Trim(); }

    [System.ComponentModel.DataAnnotations.Display(Name = "Field_Password")]
    public string? Password { get; set; }
}

public sealed class LoginInputValidator : AbstractValidator<LoginInput>
{
    public LoginInputValidator(IStringLocalizer<SharedResource> localizer)
    {
        RuleFor(x => x.Email).NotEmpty().WithMessage(_ => localizer["Login_EmailRequired"]);
        RuleFor(x => x.Password).NotEmpty().WithMessage(_ => localizer["Login_PasswordRequired"]);
    }
}
