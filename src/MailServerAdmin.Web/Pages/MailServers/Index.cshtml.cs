using MailServerAdmin.MailServers;
using MailServerAdmin.Resources;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Pages.MailServers;

public sealed class IndexModel(
    MailServerStore store, CredentialExpiry expiry, TimeProvider time, IStringLocalizer<SharedResource> localizer, LinkGenerator links) : PageModel
{
    public const int PageSize = 25;

    public MailServerPage Servers { get; private set; } = null!;

    public string? Search { get; private set; }

    public bool AnyServer { get; private set; }

    public DateTime Now => time.GetUtcNow().UtcDateTime;

    public bool AnyDefault { get; private set; }

    /// <summary>Client secrets and certificates that expire within 30 days or have expired, by server.</summary>
    public ILookup<int, ExpiringCredential> Expiring { get; private set; } = Enumerable.Empty<ExpiringCredential>().ToLookup(c => c.ServerId);

    [TempData]
    public string? StatusMessage { get; set; }

    /// <summary>The list; the id in the route is only for the buttons that act on one server.</summary>
    public async Task<IActionResult> OnGetAsync([FromRoute] int? id, string? q, int p = 1, CancellationToken ct = default)
    {
        if (id is not null)
        {
            return NotFound();
        }

        Search = string.IsNullOrWhiteSpace(q) ? null : q.Trim();
        Servers = await store.ListAsync(Search, p, PageSize, ct);
        (AnyServer, AnyDefault) = await store.GetSummaryAsync(ct);
        Expiring = (await expiry.ListAsync(ct: ct)).ToLookup(c => c.ServerId);
        return Page();
    }

    /// <summary>Make default: the server is the one in the route (<c>/MailServers/5?handler=MakeDefault</c>), never a posted value.</summary>
    public async Task<IActionResult> OnPostMakeDefaultAsync([FromRoute] int id, string? q, int p = 1, CancellationToken ct = default)
    {
        var change = await store.MakeDefaultAsync(id, ct);
        StatusMessage = change switch
        {
            null => localizer["Status_ServerGone"],
            { PreviousDefault: null } => localizer["Status_IsDefault", change.Name],
            _ => localizer["Status_NowDefault", change.Name, change.PreviousDefault],
        };
        // Back to the list itself: a link made from this request would keep the server's id in the path.
        return LocalRedirect(links.GetPathByPage("/MailServers/Index", handler: null, values: new { q, p }, pathBase: Request.PathBase)!);
    }
}
