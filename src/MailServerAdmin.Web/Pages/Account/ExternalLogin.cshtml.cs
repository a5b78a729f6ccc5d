using MailServerAdmin.Web.Administrators;
using MailServerAdmin.Resources;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace MailServerAdmin.Web.Pages.Account;

/// <summary>
/// Single sign-on: sends the browser to the OpenID Connect provider, and signs the administrator in when it comes back
/// with an identity on the allow-list. Every other outcome is a page that says what happened.
/// </summary>
[AllowAnonymous]
public sealed class ExternalLoginModel(
    SignInManager<IdentityUser> signIn,
    SingleSignOn singleSignOn,
    IOptions<SingleSignOnSettings> settings,
    IStringLocalizer<SharedResource> localizer) : PageModel
{
    /// <summary>Why single sign-on did not sign the administrator in.</summary>
    public string Message { get; private set; } = "";

    public IActionResult OnGet() => RedirectToPage("Login");

    public IActionResult OnPost(string? returnUrl)
    {
        if (!settings.Value.IsConfigured)
        {
            return NotFound();
        }

        var callback = Url.Page("./ExternalLogin", pageHandler: "Callback", values: new { returnUrl = Url.IsLocalUrl(returnUrl) ? returnUrl : null });
        var properties = signIn.ConfigureExternalAuthenticationProperties(SingleSignOnSettings.Scheme, callback);
        return Challenge(properties, SingleSignOnSettings.Scheme);
    }

    public async Task<IActionResult> OnGetCallbackAsync(string? returnUrl, CancellationToken ct)
    {
        var info = settings.Value.IsConfigured ? await signIn.GetExternalLoginInfoAsync() : null;
        if (info is null)
        {
            return Refused(localizer["Sso_Failed"], StatusCodes.Status400BadRequest);
        }

        var outcome = await singleSignOn.SignInAsync(info, ct);
        // The provider's answer has served its purpose.
        await HttpContext.SignOutAsync(IdentityConstants.ExternalScheme);
        return outcome.Result switch
        {
            SingleSignOnResult.SignedIn => LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/MailServers"),
            SingleSignOnResult.NotAllowed => Refused(localizer["Sso_NotAllowed", outcome.Email!], StatusCodes.Status403Forbidden),
            SingleSignOnResult.Unverified => Refused(localizer["Sso_Unverified", outcome.Email!], StatusCodes.Status403Forbidden),
            SingleSignOnResult.LockedOut => Refused(localizer["Sso_LockedOut"], StatusCodes.Status403Forbidden),
            _ => Refused(localizer["Sso_NoEmail"], StatusCodes.Status403Forbidden),
        };
    }

    /// <summary>The provider's answer could not be used (a bad signature or nonce, a denied consent, an old link).</summary>
    public IActionResult OnGetFailed() => Refused(localizer["Sso_Failed"], StatusCodes.Status400BadRequest);

    private PageResult Refused(string message, int status)
    {
        Message = message;
        Response.StatusCode = status;
        return Page();
    }
}
