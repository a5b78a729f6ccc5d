using FluentValidation;
using MailServerAdmin.Web.Administrators;
using MailServerAdmin.Web.Validation;
using MailServerAdmin.Resources;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Pages.Account;

/// <summary>The second step of signing in: a code from the administrator's authenticator app.</summary>
[AllowAnonymous]
public sealed class LoginWith2faModel(
    SignInManager<IdentityUser> signIn, IValidator<TwoFactorCodeInput> validator, IStringLocalizer<SharedResource> localizer) : PageModel
{
    [BindProperty]
    public TwoFactorCodeInput Input { get; set; } = new();

    [TempData]
    public string? StatusMessage { get; set; }

    public string? ReturnUrl { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? returnUrl)
    {
        ReturnUrl = returnUrl;
        return await signIn.GetTwoFactorAuthenticationUserAsync() is null ? StartAgain() : Page();
    }

    public async Task<IActionResult> OnPostAsync(string? returnUrl, CancellationToken ct)
    {
        ReturnUrl = returnUrl;
        if (await signIn.GetTwoFactorAuthenticationUserAsync() is null)
        {
            return StartAgain();
        }

        if (!await validator.ValidateIntoAsync(Input, ModelState, nameof(Input), ct))
        {
            return Page();
        }

        var result = await signIn.TwoFactorAuthenticatorSignInAsync(AccountSecurity.Normalize(Input.Code), isPersistent: false, rememberClient: false);
        if (result.Succeeded)
        {
            return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/MailServers");
        }

        // A wrong code counts towards the lockout; a locked account is refused with the same words.
        ModelState.AddModelError(string.Empty, localizer["Login2fa_Wrong"]);
        return Page();
    }

    private RedirectToPageResult StartAgain()
    {
        StatusMessage = localizer["Login2fa_StartAgain"];
        return RedirectToPage("Login", new { returnUrl = Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : null });
    }
}

public sealed class TwoFactorCodeInput
{
    [System.ComponentModel.DataAnnotations.Display(Name = "Field_AuthenticatorCode")]
    public string? Code { get; set; }
}

public sealed class TwoFactorCodeInputValidator : AbstractValidator<TwoFactorCodeInput>
{
    public TwoFactorCodeInputValidator(IStringLocalizer<SharedResource> localizer)
    {
        RuleFor(x => x.Code).NotEmpty().WithMessage(_ => localizer["Login2fa_CodeRequired"])
            .Must(code => AccountSecurity.Normalize(code) is { Length: 6 } digits && digits.All(char.IsAsciiDigit))
            .When(x => !string.IsNullOrWhiteSpace(x.Code))
            .WithMessage(_ => localizer["Login2fa_CodeFormat"]);
    }
}
