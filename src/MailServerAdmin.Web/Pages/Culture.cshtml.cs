using MailServerAdmin.Web.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MailServerAdmin.Web.Pages;

/// <summary>The language picker of the layout: remembers the chosen language and goes back to the page it was on.</summary>
[AllowAnonymous]
public sealed class CultureModel(TimeProvider time) : PageModel
{
    public IActionResult OnGet(string? returnUrl) => Back(returnUrl);

    public IActionResult OnPost(string? culture, string? returnUrl)
    {
        if (AppLocalization.Supported(culture) is { } supported)
        {
            Response.RememberCulture(supported, time.GetUtcNow());
        }

        return Back(returnUrl);
    }

    private LocalRedirectResult Back(string? returnUrl) => LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl : "/");
}
