using MailServerAdmin.MailServers;
using MailServerAdmin.Resources;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Pages.MailServers;

/// <summary>Edits the server named in the route (never an id posted in the form).</summary>
public sealed class EditModel(MailServerForm form, MailServerStore store, IStringLocalizer<SharedResource> localizer) : PageModel, IMailServerFormPage
{
    [BindProperty]
    public MailServerInput Input { get; set; } = new();

    [BindProperty]
    [System.ComponentModel.DataAnnotations.Display(Name = "Field_TestRecipient")]
    public string? TestRecipient { get; set => field = value?.Trim(); }

    [TempData]
    public string? StatusMessage { get; set; }

    [TempData]
    public string? ErrorMessage { get; set; }

    [TempData]
    public string? WarningMessage { get; set; }

    public SmtpOutcome? Outcome { get; private set; }

    public string RedirectUri => form.RedirectUri;

    /// <summary>Set when another administrator saved the server meanwhile: its values as they are now.</summary>
    public MailServerDetails? Current { get; private set; }

    /// <param name="id">The server, from the route.</param>
    /// <param name="draft">The Get Token draft the form continues.</param>
    /// <param name="pin">A certificate fingerprint the Check page offered to trust: filled in, unsaved.</param>
    /// <param name="ct">The request's cancellation.</param>
    public async Task<IActionResult> OnGetAsync([FromRoute] int id, string? draft, string? pin, CancellationToken ct)
    {
        var server = await store.GetDetailsAsync(id, ct);
        if (server is null)
        {
            return NotFound();
        }

        Input = MailServerInput.From(server);
        if (!string.IsNullOrEmpty(draft))
        {
            if (await form.RestoreDraftAsync(draft, id, server, ct) is { } restored)
            {
                Input = restored;
            }
            else
            {
                ErrorMessage = localizer["Form_DraftNotFound"];
            }
        }

        if (pin is not null)
        {
            form.TrustCertificate(Input, pin, ModelState);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync([FromRoute] int id, CancellationToken ct)
    {
        if (!await form.PrepareAsync(Input, id, ModelState, ct))
        {
            return Gone();
        }

        var wasDefault = Input.Stored!.IsDefault;
        if (!await form.ValidateForSaveAsync(Input, ModelState, ct))
        {
            return Page();
        }

        var result = await form.UpdateAsync(id, Input, ct);
        switch (result.Status)
        {
            case SaveStatus.NotFound:
                return Gone();
            case SaveStatus.Conflict:
                return await ConflictAsync(id, ct);
            case SaveStatus.Saved:
                await form.ForgetDraftAsync(Input, ct);
                StatusMessage = form.SavedMessage("Status_ServerSaved", Input.Name!, result, wasDefault);
                return RedirectToPage("Index");
            default:
                form.AddRefusal(result, Input, ModelState);
                return Page();
        }
    }

    public async Task<IActionResult> OnPostGetTokenAsync([FromRoute] int id, CancellationToken ct)
    {
        if (!await form.PrepareAsync(Input, id, ModelState, ct))
        {
            return Gone();
        }

        return await form.StartGetTokenAsync(Input, id, ModelState, ct) is { } url ? Redirect(url.AbsoluteUri) : Page();
    }

    public async Task<IActionResult> OnPostTestConnectionAsync([FromRoute] int id, CancellationToken ct)
    {
        if (!await form.PrepareAsync(Input, id, ModelState, ct))
        {
            return Gone();
        }

        Outcome = await form.TestConnectionAsync(Input, id, ModelState, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostSendTestMessageAsync([FromRoute] int id, CancellationToken ct)
    {
        if (!await form.PrepareAsync(Input, id, ModelState, ct))
        {
            return Gone();
        }

        Outcome = await form.SendTestMessageAsync(Input, id, TestRecipient, nameof(TestRecipient), ModelState, ct);
        return Page();
    }

    /// <summary>"Trust this certificate for this server" on a test result: fills in the pin, unsaved.</summary>
    public async Task<IActionResult> OnPostTrustCertificateAsync([FromRoute] int id, string? pin, CancellationToken ct)
    {
        if (!await form.PrepareAsync(Input, id, ModelState, ct))
        {
            return Gone();
        }

        form.TrustCertificate(Input, pin, ModelState);
        return Page();
    }

    /// <summary>The server was deleted meanwhile: back to the list, which says so.</summary>
    private RedirectToPageResult Gone()
    {
        StatusMessage = localizer["Status_ServerGone"];
        return RedirectToPage("Index");
    }

    /// <summary>
    /// Keeps everything typed, shows the values saved meanwhile, and moves the form to the current version:
    /// saving again is then a deliberate overwrite.
    /// </summary>
    private async Task<IActionResult> ConflictAsync(int id, CancellationToken ct)
    {
        Current = await store.GetDetailsAsync(id, ct);
        if (Current is null)
        {
            return Gone();
        }

        Input.Stored = Current;
        Input.Version = Current.Version;
        ModelState.Remove($"{MailServerForm.Prefix}.{nameof(Input.Version)}");
        ModelState.AddModelError(string.Empty, localizer["Edit_Conflict_Error"]);
        return Page();
    }
}
