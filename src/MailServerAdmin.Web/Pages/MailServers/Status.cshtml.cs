using MailServerAdmin.Localization;
using MailServerAdmin.MailServers;
using MailServerAdmin.OAuth;
using MailServerAdmin.Resources;
using MailServerAdmin.Sending;
using MailServerAdmin.Validation;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Pages.MailServers;

/// <summary>A saved server at work: its token health, a connection test, a test message, refresh and revoke.</summary>
public sealed class StatusModel(
    MailServerStore store, CredentialExpiry expiry, MailDelivery delivery, TokenKeeper tokens, TimeProvider time, IStringLocalizer<SharedResource> localizer) : PageModel
{
    public MailServerDetails Server { get; private set; } = null!;

    /// <summary>This server's client secret or certificate, when it expires within 30 days or has expired.</summary>
    public IReadOnlyList<ExpiringCredential> Expiring { get; private set; } = [];

    public SmtpOutcome? Outcome { get; private set; }

    public DateTime Now => time.GetUtcNow().UtcDateTime;

    [BindProperty]
    [System.ComponentModel.DataAnnotations.Display(Name = "Field_TestRecipient")]
    public string? TestRecipient { get; set => field = value?.Trim(); }

    [TempData]
    public string? StatusMessage { get; set; }

    [TempData]
    public string? ErrorMessage { get; set; }

    public async Task<IActionResult> OnGetAsync([FromRoute] int id, CancellationToken ct) => await LoadAsync(id, ct) ? Page() : NotFound();

    public async Task<IActionResult> OnPostTestAsync([FromRoute] int id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        Outcome = SmtpOutcome.From(await delivery.TestAsync(id, null, ct)) with { TrustOnEditOf = id };
        await LoadAsync(id, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostSendAsync([FromRoute] int id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }

        if (!Mailbox.IsValid(TestRecipient))
        {
            ModelState.AddModelError(nameof(TestRecipient), localizer["Form_TestRecipientRequired"]);
            return Page();
        }

        var message = TestMessage.Create(Server.Name, Server.SenderName, Server.SenderEmail, TestRecipient!, time, localizer);
        Outcome = SmtpOutcome.From(await delivery.SendAsync(message, Server.Name, ct), TestRecipient!) with { TrustOnEditOf = id };
        await LoadAsync(id, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostRefreshAsync([FromRoute] int id, CancellationToken ct)
    {
        try
        {
            await tokens.RefreshAsync(id, force: true, ct);
            StatusMessage = localizer["Status_TokensRefreshed"];
        }
        catch (TokenUnavailableException ex)
        {
            ErrorMessage = $"{localizer.Localize(ex.MessageText)} {localizer.Localize(ex.HintText)}".Trim();
        }

        return RedirectToPage(new { id });
    }

    public async Task<IActionResult> OnPostRevokeAsync([FromRoute] int id, CancellationToken ct)
    {
        try
        {
            await tokens.RevokeAsync(id, ct);
            StatusMessage = localizer["Status_TokensRevoked"];
        }
        catch (TokenUnavailableException ex)
        {
            ErrorMessage = $"{localizer.Localize(ex.MessageText)} {localizer.Localize(ex.HintText)}".Trim();
        }

        return RedirectToPage(new { id });
    }

    private async Task<bool> LoadAsync(int id, CancellationToken ct)
    {
        var server = await store.GetDetailsAsync(id, ct);
        if (server is null)
        {
            return false;
        }

        Server = server;
        Expiring = await expiry.ListAsync(id, ct);
        return true;
    }
}
