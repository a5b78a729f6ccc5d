using MailServerAdmin.MailServers;
using Microsoft.AspNetCore.Mvc;

namespace MailServerAdmin.Web.Pages.MailServers;

public sealed class EditModel(MailServerFormServices services) : MailServerFormModel(services)
{
    /// <summary>Set when another administrator saved the server meanwhile: its values as they are now.</summary>
    public MailServerDetails? Current { get; private set; }

    protected override int? ServerId => RouteData.Values.TryGetValue("id", out var id) && int.TryParse(id?.ToString(), out var value) ? value : null;

    public async Task<IActionResult> OnGetAsync([FromRoute] int id, string? draft, CancellationToken ct)
    {
        var server = await Services.Store.GetDetailsAsync(id, ct);
        if (server is null)
        {
            return NotFound();
        }

        Input = MailServerInput.From(server);
        if (!string.IsNullOrEmpty(draft))
        {
            await RestoreDraftAsync(draft, ct);
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync([FromRoute] int id, CancellationToken ct)
    {
        if (!await PrepareAsync(ct))
        {
            return NotFoundRedirect();
        }

        var stored = Input.Stored!;
        if (!ModelState.IsValid | !await Services.Validator.ValidateIntoAsync(Input, ModelState, nameof(Input), ct, MailServerInputValidator.Save))
        {
            return Page();
        }

        var result = await Services.Store.UpdateAsync(id, Input.Version, Input.ToValues(Services.Time.GetUtcNow().UtcDateTime), ct);
        switch (result.Status)
        {
            case SaveStatus.NotFound:
                return NotFoundRedirect();
            case SaveStatus.NameTaken:
                ModelState.AddModelError($"{nameof(Input)}.{nameof(Input.Name)}", Services.Localizer["Validation_NameTaken", Input.Name!]);
                return Page();
            case SaveStatus.Conflict:
                return await ConflictAsync(id, ct);
            case SaveStatus.Refused:
                return await RefusedAsync(result, ct);
            default:
                await ForgetDraftAsync(ct);
                StatusMessage = MailServerPageExtensions.SavedMessage(Services.Localizer, "Status_ServerSaved", Input.Name!, result, stored.IsDefault);
                return RedirectToPage("Index");
        }
    }

    /// <summary>
    /// Keeps everything typed, shows the values saved meanwhile, and moves the form to the current version:
    /// saving again is then a deliberate overwrite.
    /// </summary>
    private async Task<IActionResult> ConflictAsync(int id, CancellationToken ct)
    {
        Current = await Services.Store.GetDetailsAsync(id, ct);
        if (Current is null)
        {
            return NotFoundRedirect();
        }

        Input.Stored = Current;
        Input.Version = Current.Version;
        ModelState.Remove($"{nameof(Input)}.{nameof(Input.Version)}");
        ModelState.AddModelError(string.Empty, Services.Localizer["Edit_Conflict_Error"]);
        return Page();
    }
}
