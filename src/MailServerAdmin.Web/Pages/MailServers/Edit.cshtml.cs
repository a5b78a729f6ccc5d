using FluentValidation;
using MailServerAdmin.Web.MailServers;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MailServerAdmin.Web.Pages.MailServers;

public sealed class EditModel(MailServerStore store, IValidator<MailServerInput> validator) : PageModel
{
    [BindProperty]
    public MailServerInput Input { get; set; } = new();

    [TempData]
    public string? StatusMessage { get; set; }

    /// <summary>Set when another administrator saved the server meanwhile: its values as they are now.</summary>
    public MailServerDetails? Current { get; private set; }

    public async Task<IActionResult> OnGetAsync(int id, CancellationToken ct)
    {
        var server = await store.GetDetailsAsync(id, ct);
        if (server is null)
        {
            return NotFound();
        }

        Input = MailServerInput.From(server);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(int id, CancellationToken ct)
    {
        var stored = await store.GetDetailsAsync(id, ct);
        if (stored is null)
        {
            StatusMessage = "That mail server no longer exists: another administrator deleted it.";
            return RedirectToPage("Index");
        }

        Input.Id = id;
        Input.Stored = stored;
        if (!await validator.ValidateIntoAsync(Input, ModelState, nameof(Input), ct))
        {
            return Page();
        }

        var result = await store.UpdateAsync(id, Input.Version, Input.ToValues(), ct);
        switch (result.Status)
        {
            case SaveStatus.NotFound:
                StatusMessage = "That mail server no longer exists: another administrator deleted it.";
                return RedirectToPage("Index");
            case SaveStatus.NameTaken:
                ModelState.AddModelError($"{nameof(Input)}.{nameof(Input.Name)}", $"A server named '{Input.Name}' already exists (names are compared ignoring case).");
                return Page();
            case SaveStatus.Conflict:
                return await ConflictAsync(id, ct);
            default:
                StatusMessage = MailServerPageExtensions.SavedMessage(Input.Name!, "saved", result, stored.IsDefault);
                return RedirectToPage("Index");
        }
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
            StatusMessage = "That mail server no longer exists: another administrator deleted it.";
            return RedirectToPage("Index");
        }

        Input.Stored = Current;
        Input.Version = Current.Version;
        ModelState.Remove($"{nameof(Input)}.{nameof(Input.Version)}");
        ModelState.AddModelError(string.Empty,
            "Another administrator changed this server after you opened it, so your changes were not saved. " +
            "Your input is kept below and the values saved meanwhile are listed: Save again to replace them with yours.");
        return Page();
    }
}
