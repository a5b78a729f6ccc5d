using MailServerAdmin.MailServers;
using MailServerAdmin.Resources;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Pages.MailServers;

public sealed class IndexModel(MailServerStore store, TimeProvider time, IStringLocalizer<SharedResource> localizer) : PageModel
{
    public const int PageSize = 25;

    public MailServerPage Servers { get; private set; } = null!;

    public string? Search { get; private set; }

    public bool AnyServer { get; private set; }

    public DateTime Now => time.GetUtcNow().UtcDateTime;

    public bool AnyDefault { get; private set; }

    [TempData]
    public string? StatusMessage { get; set; }

    public async Task OnGetAsync(string? q, int p = 1, CancellationToken ct = default)
    {
        Search = string.IsNullOrWhiteSpace(q) ? null : q.Trim();
        Servers = await store.ListAsync(Search, p, PageSize, ct);
        (AnyServer, AnyDefault) = await store.GetSummaryAsync(ct);
    }

    public async Task<IActionResult> OnPostMakeDefaultAsync(int id, string? q, int p = 1, CancellationToken ct = default)
    {
        var change = await store.MakeDefaultAsync(id, ct);
        StatusMessage = change switch
        {
            null => localizer["Status_ServerGone"],
            { PreviousDefault: null } => localizer["Status_IsDefault", change.Name],
            _ => localizer["Status_NowDefault", change.Name, change.PreviousDefault],
        };
        return RedirectToPage(new { q, p });
    }
}
