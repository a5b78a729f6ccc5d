using FluentValidation;
using MailServerAdmin.Web.Administrators;
using MailServerAdmin.Resources;
using MailServerAdmin.Web.Validation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace MailServerAdmin.Web.Pages.Account;

/// <summary>
/// Sign-in with an e-mail and a password, and with single sign-on where it is configured. A refusal says the same
/// whatever was wrong (unknown e-mail, wrong password, locked account).
/// </summary>
[AllowAnonymous]
public sealed class LoginModel(
    PasswordSignIn passwordSignIn,
    SetupCode setupCode,
    IValidator<LoginInput> validator,
    IOptions<SignInSettings> settings,
    IOptions<SingleSignOnSettings> singleSignOn,
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

    public bool LocalAccounts => settings.Value.LocalAccounts;

    public bool SingleSignOnEnabled => singleSignOn.Value.IsConfigured;

    /// <summary>The provider's name on the single sign-on button, when one is configured.</summary>
    public string? SingleSignOnName => string.IsNullOrWhiteSpace(singleSignOn.Value.DisplayName) ? null : singleSignOn.Value.DisplayName.Trim();

    public string? ReturnUrl { get; private set; }

    public void OnGet(string? returnUrl) => ReturnUrl = returnUrl;

    public async Task<IActionResult> OnPostAsync(string? returnUrl, CancellationToken ct)
    {
        ReturnUrl = returnUrl;
        if (!LocalAccounts)
        {
            return NotFound();
        }

        if (!await validator.ValidateIntoAsync(Input, ModelState, nameof(Input), ct))
        {
            return Page();
        }

        switch (await passwordSignIn.SignInAsync(Input.Email!, Input.Password!))
        {
            case PasswordSignInResult.SignedIn:
                return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/MailServers");
            case PasswordSignInResult.TwoFactorRequired:
                return RedirectToPage("LoginWith2fa", new { returnUrl = Url.IsLocalUrl(returnUrl) ? returnUrl : null });
            default:
                ModelState.AddModelError(string.Empty, localizer["Login_Wrong"]);
                return Page();
        }
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
