using FluentValidation;
using MailServerAdmin.Web.MailServers;
using MailServerAdmin.Web.OAuth;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MailServerAdmin.Web.Pages.MailServers;

/// <summary>
/// What New and Edit share: the form, its drafts, and Get Token, which works on the unsaved form: the form is kept
/// on the server, encrypted, while the administrator signs in at the provider, and comes back with the tokens.
/// </summary>
public abstract class MailServerFormModel(MailServerFormServices services) : PageModel
{
    [BindProperty]
    public MailServerInput Input { get; set; } = new();

    [TempData]
    public string? StatusMessage { get; set; }

    [TempData]
    public string? ErrorMessage { get; set; }

    [TempData]
    public string? WarningMessage { get; set; }

    /// <summary>The redirect URI to register at the provider.</summary>
    public string RedirectUri => services.RedirectUris.Callback;

    protected MailServerFormServices Services => services;

    /// <summary>The server being edited, or null on New.</summary>
    protected abstract int? ServerId { get; }

    /// <summary>Get Token: checks what authorizing needs, keeps the draft, and sends the browser to the provider.</summary>
    public async Task<IActionResult> OnPostGetTokenAsync(CancellationToken ct)
    {
        if (!await PrepareAsync(ct))
        {
            return NotFoundRedirect();
        }

        if (!Input.IsOAuth)
        {
            ModelState.AddModelError(string.Empty, "Get Token is for OAuth authentication: choose OAuth first.");
            return await PageAsync(ct);
        }

        if (!await services.Validator.ValidateIntoAsync(
                Input, ModelState, nameof(Input), ct, MailServerInputValidator.Authorize, MailServerInputValidator.GetToken))
        {
            return await PageAsync(ct);
        }

        var state = OAuthTokens.NewState();
        var redirectUri = services.RedirectUris.Callback;
        var typedSecret = NullIfEmpty(Input.ClientSecret) ?? Input.Draft?.ClientSecret;
        AuthorizationStart start;
        try
        {
            var settings = Input.ToOAuthSettings(typedSecret ?? await StoredClientSecretAsync(ct));
            start = await services.Clients.For(Input.Provider).StartAsync(settings, redirectUri, state, Input.UserName, ct);
        }
        catch (OAuthException ex)
        {
            ModelState.AddModelError(string.Empty, $"{ex.Description} {ex.Hint}");
            return await PageAsync(ct);
        }

        var flow = new FormFlow(ServerId, Strip(Input), typedSecret, Input.Draft?.Tokens, start.CodeVerifier, redirectUri);
        await services.Flows.SaveAsync(OAuthFlowKind.Authorization, state, flow, ct);
        return Redirect(start.Url.AbsoluteUri);
    }

    /// <summary>Loads the stored server and the draft this form continues; false when the server is gone.</summary>
    protected async Task<bool> PrepareAsync(CancellationToken ct)
    {
        if (ServerId is { } id)
        {
            Input.Stored = await services.Store.GetDetailsAsync(id, ct);
            if (Input.Stored is null)
            {
                return false;
            }

            Input.Id = id;
        }

        if (!string.IsNullOrEmpty(Input.DraftId))
        {
            var draft = await services.Flows.ReadAsync<FormFlow>(OAuthFlowKind.Draft, Input.DraftId, consume: false, ct);
            if (draft.Payload is { } flow && flow.ServerId == ServerId)
            {
                Input.Draft = new MailServerDraft(flow.ClientSecret, flow.Tokens);
            }
            else
            {
                Input.DraftId = null;
                ModelState.Remove($"{nameof(Input)}.{nameof(Input.DraftId)}");
                ModelState.AddModelError(string.Empty,
                    "The tokens from Get Token are no longer available (they are kept for 60 minutes, unsaved): click Get Token again.");
            }
        }

        Input.ApplyDefaults();
        foreach (var field in new[] { nameof(Input.Tenant), nameof(Input.AuthorizationUrl), nameof(Input.TokenUrl), nameof(Input.RevocationUrl), nameof(Input.Scopes) })
        {
            // The form shows the filled-in defaults, not the blanks that were posted.
            ModelState.Remove($"{nameof(Input)}.{field}");
        }

        return true;
    }

    /// <summary>GET with ?draft=: the form as it was when the administrator left for the provider, with the tokens.</summary>
    protected async Task<bool> RestoreDraftAsync(string draftId, CancellationToken ct)
    {
        var result = await services.Flows.ReadAsync<FormFlow>(OAuthFlowKind.Draft, draftId, consume: false, ct);
        if (result.Payload is not { } flow || flow.ServerId != ServerId)
        {
            ErrorMessage = "That Get Token result has expired or belongs to another session: the form shows the saved values.";
            return false;
        }

        var stored = Input.Stored;
        Input = flow.Input;
        Input.Id = ServerId;
        Input.Stored = stored;
        Input.DraftId = draftId;
        Input.Draft = new MailServerDraft(flow.ClientSecret, flow.Tokens);
        return true;
    }

    /// <summary>After a successful save the draft is spent.</summary>
    protected async Task ForgetDraftAsync(CancellationToken ct)
    {
        if (!string.IsNullOrEmpty(Input.DraftId))
        {
            await services.Flows.DeleteAsync(Input.DraftId, ct);
        }
    }

    protected virtual Task<IActionResult> PageAsync(CancellationToken ct) => Task.FromResult<IActionResult>(Page());

    protected IActionResult NotFoundRedirect()
    {
        StatusMessage = "That mail server no longer exists: another administrator deleted it.";
        return RedirectToPage("Index");
    }

    private async Task<string?> StoredClientSecretAsync(CancellationToken ct) =>
        ServerId is { } id && Input.UsesStoredClientSecret ? await services.Store.GetClientSecretAsync(id, ct) : null;

    /// <summary>The form as kept in a draft: secrets travel apart, and Basic's password is not needed.</summary>
    private static MailServerInput Strip(MailServerInput input)
    {
        var copy = System.Text.Json.JsonSerializer.Deserialize<MailServerInput>(System.Text.Json.JsonSerializer.Serialize(input))!;
        copy.ClientSecret = null;
        copy.Password = null;
        copy.DraftId = null;
        return copy;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>A Get Token round trip: the form, the client secret typed for it, tokens, and the PKCE verifier.</summary>
public sealed record FormFlow(
    int? ServerId, MailServerInput Input, string? ClientSecret, TokenSet? Tokens, string? CodeVerifier, string? RedirectUri);

/// <summary>The services New and Edit use.</summary>
public sealed class MailServerFormServices(
    MailServerStore store,
    IValidator<MailServerInput> validator,
    OAuthFlowStore flows,
    OAuthClients clients,
    RedirectUris redirectUris,
    TimeProvider time)
{
    public MailServerStore Store => store;

    public IValidator<MailServerInput> Validator => validator;

    public OAuthFlowStore Flows => flows;

    public OAuthClients Clients => clients;

    public RedirectUris RedirectUris => redirectUris;

    public TimeProvider Time => time;
}
