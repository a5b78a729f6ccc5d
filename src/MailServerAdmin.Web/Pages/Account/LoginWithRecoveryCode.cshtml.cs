using FluentValidation;
using MailServerAdmin.Web.Validation;
using MailServerAdmin.Resources;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Pages.Account;

/// <summary>The second step of signing in without the authenticator app: one of the recovery codes, each usable once.</summary>
[AllowAnonymous]
public sealed partial class LoginWithRecoveryCodeModel(
    SignInManager<IdentityUser> signIn,
    IValidator<RecoveryCodeInput> validator,
    IStringLocalizer<SharedResource> localizer,
    ILogger<LoginWithRecoveryCodeModel> logger) : PageModel
{
    [BindProperty]
    public RecoveryCodeInput Input { get; set; } = new();

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
        var user = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (user is null)
        {
            return StartAgain();
        }

        if (!await validator.ValidateIntoAsync(Input, ModelState, nameof(Input), ct))
        {
            return Page();
        }

        var code = Input.Code!.Replace(" ", "", StringComparison.Ordinal).Trim();
        var result = await signIn.TwoFactorRecoveryCodeSignInAsync(code);
        if (result.Succeeded)
        {
            LogRecoveryCodeUsed(logger, user.Id);
            return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/MailServers");
        }

        ModelState.AddModelError(string.Empty, localizer["LoginRecovery_Wrong"]);
        return Page();
    }

    private RedirectToPageResult StartAgain()
    {
        StatusMessage = localizer["Login2fa_StartAgain"];
        return RedirectToPage("Login", new { returnUrl = Url.IsLocalUrl(ReturnUrl) ? ReturnUrl : null });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Administrator {UserId} signed in with a recovery code")]
    private static partial void LogRecoveryCodeUsed(ILogger logger, string userId);
}

public sealed class RecoveryCodeInput
{
    [System.ComponentModel.DataAnnotations.Display(Name = "Field_RecoveryCode")]
    public string? Code { get; set; }
}

public sealed class RecoveryCodeInputValidator : AbstractValidator<RecoveryCodeInput>
{
    public RecoveryCodeInputValidator(IStringLocalizer<SharedResource> localizer) =>
        RuleFor(x => x.Code).NotEmpty().WithMessage(_ => localizer["LoginRecovery_CodeRequired"]);
}
