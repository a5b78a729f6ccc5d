using System.Diagnostics;
using MailServerAdmin.Web.Faults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MailServerAdmin.Web.Pages;

[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
[IgnoreAntiforgeryToken]
[Microsoft.AspNetCore.Authorization.AllowAnonymous]
public sealed class ErrorModel : PageModel
{
    public string? RequestId { get; set; }

    public bool ShowRequestId => !string.IsNullOrEmpty(RequestId);

    /// <summary>Set when the database could not be written or read: the page says so instead of the generic text.</summary>
    public StorageFaultFeature? Storage { get; private set; }

    public void OnGet()
    {
        Storage = HttpContext.Features.Get<StorageFaultFeature>();
        RequestId = Activity.Current?.Id ?? HttpContext.TraceIdentifier;
    }
}
