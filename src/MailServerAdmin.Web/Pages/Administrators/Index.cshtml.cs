using MailServerAdmin.Web.Administrators;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Options;

namespace MailServerAdmin.Web.Pages.Administrators;

public sealed class IndexModel(
    AdministratorService administrators, CurrentAdministrator current, TimeProvider time, IOptions<SignInSettings> settings) : PageModel
{
    public IReadOnlyList<AdministratorItem> Items { get; private set; } = [];

    public string? CurrentUserId => current.UserId;

    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>Passwords can be reset only while administrators sign in with them.</summary>
    public bool LocalAccounts => settings.Value.LocalAccounts;

    [Microsoft.AspNetCore.Mvc.TempData]
    public string? StatusMessage { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => Items = await administrators.ListAsync(ct);
}
