using MailServerAdmin.MailServers;
using MailServerAdmin.Resources;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Pages.MailServers;

public sealed class CreateModel(MailServerForm form, IStringLocalizer<SharedResource> localizer) : PageModel, IMailServerFormPage
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

    /// <summary>No server is the default yet, so this one will become it.</summary>
    public bool WillBecomeDefault { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? draft, CancellationToken ct)
    {
        // While no server is the default, the new one becomes it: the box says so from the start.
        Input.IsDefault = await form.WillBecomeDefaultAsync(ct);
        if (!string.IsNullOrEmpty(draft))
        {
            if (await form.RestoreDraftAsync(draft, null, null, ct) is { } restored)
            {
                Input = restored;
            }
            else
            {
                ErrorMessage = localizer["Form_DraftNotFound"];
            }
        }

        return await PageAsync(ct);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await form.PrepareAsync(Input, null, ModelState, ct);
        if (!await form.ValidateForSaveAsync(Input, ModelState, ct))
        {
            return await PageAsync(ct);
        }

        var result = await form.CreateAsync(Input, ct);
        if (result.Status != SaveStatus.Saved)
        {
            form.AddRefusal(result, Input, ModelState);
            return await PageAsync(ct);
        }

        await form.ForgetDraftAsync(Input, ct);
        StatusMessage = form.SavedMessage("Status_ServerCreated", Input.Name!, result, wasDefaultBefore: false);
        return RedirectToPage("Index");
    }

    public async Task<IActionResult> OnPostGetTokenAsync(CancellationToken ct)
    {
        await form.PrepareAsync(Input, null, ModelState, ct);
        return await form.StartGetTokenAsync(Input, null, ModelState, ct) is { } url ? Redirect(url.AbsoluteUri) : await PageAsync(ct);
    }

    /// <summary>Test sign-in (app-only providers): a token with the form's credential, kept with the form in its draft.</summary>
    public async Task<IActionResult> OnPostTestSignInAsync(CancellationToken ct)
    {
        await form.PrepareAsync(Input, null, ModelState, ct);
        if (await form.TestSignInAsync(Input, null, ModelState, ct) is not { } outcome)
        {
            return await PageAsync(ct);
        }

        (StatusMessage, ErrorMessage) = (outcome.Status, outcome.Error);
        return RedirectToPage(new { draft = outcome.DraftId });
    }

    /// <summary>"Switch to OAuth" on a Basic server whose provider retires Basic authentication; nothing is saved.</summary>
    public async Task<IActionResult> OnPostSwitchToOAuthAsync(CancellationToken ct)
    {
        await form.PrepareAsync(Input, null, ModelState, ct);
        MailServerForm.SwitchToOAuth(Input, ModelState);
        return await PageAsync(ct);
    }

    public async Task<IActionResult> OnPostTestConnectionAsync(CancellationToken ct)
    {
        await form.PrepareAsync(Input, null, ModelState, ct);
        Outcome = await form.TestConnectionAsync(Input, null, ModelState, ct);
        return await PageAsync(ct);
    }

    public async Task<IActionResult> OnPostSendTestMessageAsync(CancellationToken ct)
    {
        await form.PrepareAsync(Input, null, ModelState, ct);
        Outcome = await form.SendTestMessageAsync(Input, null, TestRecipient, nameof(TestRecipient), ModelState, ct);
        return await PageAsync(ct);
    }

    /// <summary>"Trust this certificate for this server" on a test result: fills in the pin, unsaved.</summary>
    public async Task<IActionResult> OnPostTrustCertificateAsync(string? pin, CancellationToken ct)
    {
        await form.PrepareAsync(Input, null, ModelState, ct);
        form.TrustCertificate(Input, pin, ModelState);
        return await PageAsync(ct);
    }

    private async Task<IActionResult> PageAsync(CancellationToken ct)
    {
        WillBecomeDefault = await form.WillBecomeDefaultAsync(ct);
        return Page();
    }
}
