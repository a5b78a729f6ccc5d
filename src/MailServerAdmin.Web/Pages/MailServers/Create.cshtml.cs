using MailServerAdmin.MailServers;
using Microsoft.AspNetCore.Mvc;

namespace MailServerAdmin.Web.Pages.MailServers;

public sealed class CreateModel(MailServerFormServices services) : MailServerFormModel(services)
{
    /// <summary>No server is the default yet, so this one will become it.</summary>
    public bool WillBecomeDefault { get; private set; }

    protected override int? ServerId => null;

    public async Task<IActionResult> OnGetAsync(string? draft, CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(draft))
        {
            await RestoreDraftAsync(draft, ct);
        }

        return await PageAsync(ct);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await PrepareAsync(ct);
        if (!ModelState.IsValid | !await Services.Validator.ValidateIntoAsync(Input, ModelState, nameof(Input), ct, MailServerInputValidator.Save))
        {
            return await PageAsync(ct);
        }

        var result = await Services.Store.CreateAsync(Input.ToValues(Services.Time.GetUtcNow().UtcDateTime), ct);
        if (result.Status == SaveStatus.Refused)
        {
            return await RefusedAsync(result, ct);
        }

        if (result.Status == SaveStatus.NameTaken)
        {
            ModelState.AddModelError($"{nameof(Input)}.{nameof(Input.Name)}", Services.Localizer["Validation_NameTaken", Input.Name!]);
            return await PageAsync(ct);
        }

        await ForgetDraftAsync(ct);
        StatusMessage = MailServerPageExtensions.SavedMessage(Services.Localizer, "Status_ServerCreated", Input.Name!, result, wasDefaultBefore: false);
        return RedirectToPage("Index");
    }

    protected override async Task<IActionResult> PageAsync(CancellationToken ct)
    {
        WillBecomeDefault = !(await Services.Store.GetSummaryAsync(ct)).AnyDefault;
        return Page();
    }
}
