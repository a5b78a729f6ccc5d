using FluentValidation;
using MailServerAdmin.Web.MailServers;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MailServerAdmin.Web.Pages.MailServers;

public sealed class CreateModel(MailServerStore store, IValidator<MailServerInput> validator) : PageModel
{
    [BindProperty]
    public MailServerInput Input { get; set; } = new();

    [TempData]
    public string? StatusMessage { get; set; }

    /// <summary>No server is the default yet, so this one will become it.</summary>
    public bool WillBecomeDefault { get; private set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!await validator.ValidateIntoAsync(Input, ModelState, nameof(Input), ct))
        {
            await LoadAsync(ct);
            return Page();
        }

        var result = await store.CreateAsync(Input.ToValues(), ct);
        if (result.Status == SaveStatus.NameTaken)
        {
            ModelState.AddModelError($"{nameof(Input)}.{nameof(Input.Name)}", $"A server named '{Input.Name}' already exists (names are compared ignoring case).");
            await LoadAsync(ct);
            return Page();
        }

        StatusMessage = MailServerPageExtensions.SavedMessage(Input.Name!, "created", result, wasDefaultBefore: false);
        return RedirectToPage("Index");
    }

    private async Task LoadAsync(CancellationToken ct) =>
        WillBecomeDefault = !(await store.GetSummaryAsync(ct)).AnyDefault;
}
