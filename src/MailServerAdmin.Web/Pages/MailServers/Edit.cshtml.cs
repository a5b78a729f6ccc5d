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
    /// <param name="draft">The draft the form continues (after Get Token or Test sign-in).</param>
    /// <param name="pin">A certificate fingerprint the Check page offered to trust: filled in, unsaved.</param>
    /// <param name="switchTo">"oauth": the list's "Switch to OAuth" on a Basic server whose provider retires Basic authentication.</param>
    /// <param name="ct">Cancelled when the request is.</param>
    public async Task<IActionResult> OnGetAsync([FromRoute] int id, string? draft, string? pin, [FromQuery(Name = "switch")] string? switchTo, CancellationToken ct)
    {
        var server = await store.GetDetailsAsync(id, ct);
        if (server is null)
        {
            return NotFound();
        }

        Input = MailServerInput.From(server);
        if (string.Equals(switchTo, "oauth", StringComparison.OrdinalIgnoreCase) && string.IsNullOrEmpty(draft))
        {
            MailServerForm.SwitchToOAuth(Input, ModelState);
        }

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

    /// <summary>Test sign-in (app-only providers): a token with the form's credential, kept with the form in its draft.</summary>
    public async Task<IActionResult> OnPostTestSignInAsync([FromRoute] int id, CancellationToken ct)
    {
        if (!await form.PrepareAsync(Input, id, ModelState, ct))
        {
            return Gone();
        }

        if (await form.TestSignInAsync(Input, id, ModelState, ct) is not { } outcome)
        {
            return Page();
        }

        (StatusMessage, ErrorMessage) = (outcome.Status, outcome.Error);
        return RedirectToPage(new { id, draft = outcome.DraftId });
    }

    /// <summary>"Switch to OAuth" on a Basic server whose provider retires Basic authentication; nothing is saved.</summary>
    public async Task<IActionResult> OnPostSwitchToOAuthAsync([FromRoute] int id, CancellationToken ct)
    {
        if (!await form.PrepareAsync(Input, id, ModelState, ct))
        {
            return Gone();
        }

        MailServerForm.SwitchToOAuth(Input, ModelState);
        return Page();
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
