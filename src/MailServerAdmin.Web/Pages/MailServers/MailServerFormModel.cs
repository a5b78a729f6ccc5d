using MailServerAdmin.Web.OAuth;
using FluentValidation;
using MailServerAdmin.MailServers;
using MailServerAdmin.Localization;
using MailServerAdmin.OAuth;
using MailServerAdmin.Resources;
using MailServerAdmin.Sending;
using MailServerAdmin.Validation;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;
using static MailServerAdmin.Localization.LocalizableText;

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

    /// <summary>Where "Send test message" sends to.</summary>
    [BindProperty]
    [System.ComponentModel.DataAnnotations.Display(Name = "Field_TestRecipient")]
    public string? TestRecipient { get; set => field = value?.Trim(); }

    /// <summary>The result of Test connection or Send test message, shown above the form.</summary>
    public SmtpOutcome? Outcome { get; private set; }

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
            ModelState.AddModelError(string.Empty, services.Localizer["Form_GetTokenNeedsOAuth"]);
            return await PageAsync(ct);
        }

        if (!await services.Validator.ValidateIntoAsync(
                Input, ModelState, nameof(Input), ct, MailServerInputValidator.Authorize, MailServerInputValidator.GetToken))
        {
            return await PageAsync(ct);
        }

        var state = OAuthTokens.NewState();
        var redirectUri = services.RedirectUris.Callback;
        var settings = Input.Settings;
        var typedSecret = NullIfEmpty(Input.ClientSecret) ?? Input.Draft?.ClientSecret;
        string? secret = typedSecret;
        if (secret is null && ServerId is { } id && Input.UsesStoredClientSecret)
        {
            // Readable only for the settings it was saved with, which UsesStoredClientSecret has checked.
            var stored = await services.Store.GetClientSecretAsync(id, settings, ct);
            if (stored.State != SecretState.Readable)
            {
                ModelState.AddModelError($"{nameof(Input)}.{nameof(Input.ClientSecret)}", services.Localizer["Validation_ClientSecretUnreadable"]);
                return await PageAsync(ct);
            }

            secret = stored.Value;
        }

        AuthorizationStart start;
        try
        {
            start = await services.Clients.For(Input.Provider).StartAsync(Input.ToOAuthSettings(secret), redirectUri, state, Input.UserName, ct);
        }
        catch (OAuthException ex)
        {
            ModelState.AddModelError(string.Empty, $"{services.Localizer.Localize(ex.DescriptionText)} {services.Localizer.Localize(ex.HintText)}");
            return await PageAsync(ct);
        }

        // Tokens of an earlier Get Token stay in the draft only while they belong to these settings.
        var keptTokens = Input.Draft is { Tokens: { } earlier, ObtainedFor: { } earlierFor }
            && SecretPolicy.Change(SecretField.AccessToken, earlierFor, settings) is null ? earlier : null;

        // The draft keeps the form; its secrets travel apart (the client secret) or are not needed (password, pasted tokens).
        Input.ClientSecret = Input.Password = Input.AccessToken = Input.RefreshToken = Input.DraftId = null;
        var flow = new FormFlow(ServerId, Input, typedSecret, keptTokens, start.CodeVerifier, redirectUri, settings);
        await services.Flows.SaveAsync(OAuthFlowKind.Authorization, state, flow, ct);
        return Redirect(start.Url.AbsoluteUri);
    }

    /// <summary>Test connection with the form's current, unsaved values.</summary>
    public async Task<IActionResult> OnPostTestConnectionAsync(CancellationToken ct)
    {
        if (!await PrepareAsync(ct))
        {
            return NotFoundRedirect();
        }

        var endpoint = await FormEndpointAsync(SmtpOutcome.ConnectionTest, ct);
        if (endpoint is not null)
        {
            Outcome = SmtpOutcome.From(await services.Tester.TestAsync(endpoint, Input.SenderEmail!, null, ct));
        }

        return await PageAsync(ct);
    }

    /// <summary>Sends a real message with the form's current values, through the application's sending code.</summary>
    public async Task<IActionResult> OnPostSendTestMessageAsync(CancellationToken ct)
    {
        if (!await PrepareAsync(ct))
        {
            return NotFoundRedirect();
        }

        if (!Mailbox.IsValid(TestRecipient))
        {
            ModelState.AddModelError(nameof(TestRecipient), services.Localizer["Form_TestRecipientRequired"]);
        }

        var endpoint = await FormEndpointAsync(SmtpOutcome.TestMessage, ct);
        if (endpoint is not null && ModelState.IsValid)
        {
            var message = TestMessage.Create(
                Input.Name ?? services.Localizer["Form_ThisServer"], Input.SenderName, Input.SenderEmail!, TestRecipient!, services.Time, services.Localizer);
            Outcome = SmtpOutcome.From(await services.Sender.SendAsync(endpoint, message, ct), TestRecipient!);
        }

        return await PageAsync(ct);
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
                Input.Draft = new MailServerDraft(flow.ClientSecret, flow.Tokens, flow.Settings);
            }
            else
            {
                Input.DraftId = null;
                ModelState.Remove($"{nameof(Input)}.{nameof(Input.DraftId)}");
                ModelState.AddModelError(string.Empty, services.Localizer["Form_DraftExpired"]);
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
            ErrorMessage = services.Localizer["Form_DraftNotFound"];
            return false;
        }

        var stored = Input.Stored;
        Input = flow.Input;
        Input.Id = ServerId;
        Input.Stored = stored;
        Input.DraftId = draftId;
        Input.Draft = new MailServerDraft(flow.ClientSecret, flow.Tokens, flow.Settings);
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

    /// <summary>The store refused the write (the server changed between the check and the write): each reason beside its field.</summary>
    protected Task<IActionResult> RefusedAsync(SaveResult result, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(result);
        foreach (var problem in result.Problems)
        {
            var field = problem.Field switch
            {
                RequiredField.Login => nameof(Input.Login),
                RequiredField.Password => nameof(Input.Password),
                RequiredField.UserName => nameof(Input.UserName),
                RequiredField.Tenant => nameof(Input.Tenant),
                RequiredField.ClientId => nameof(Input.ClientId),
                RequiredField.ClientSecret => nameof(Input.ClientSecret),
                RequiredField.AuthorizationUrl => nameof(Input.AuthorizationUrl),
                RequiredField.TokenUrl => nameof(Input.TokenUrl),
                RequiredField.RevocationUrl => nameof(Input.RevocationUrl),
                RequiredField.Scopes => nameof(Input.Scopes),
                RequiredField.AccessToken => nameof(Input.AccessToken),
                _ => nameof(Input.RefreshToken),
            };
            ModelState.AddModelError($"{nameof(Input)}.{field}", MailServerInputValidator.Message(Input, problem, services.Localizer));
        }

        return PageAsync(ct);
    }

    protected IActionResult NotFoundRedirect()
    {
        StatusMessage = services.Localizer["Status_ServerGone"];
        return RedirectToPage("Index");
    }

    /// <summary>
    /// The endpoint of the form as it is now. A stored secret is used only where it is allowed to go; what is missing
    /// is said beside the field.
    /// </summary>
    private async Task<SmtpEndpoint?> FormEndpointAsync(LocalizableText title, CancellationToken ct)
    {
        var host = HostName.Normalize(Input.Host);
        if (host is null)
        {
            ModelState.AddModelError($"{nameof(Input)}.{nameof(Input.Host)}", services.Localizer["Validation_HostInvalid"]);
        }

        if (Input.Port is not (>= 1 and <= 65535))
        {
            ModelState.AddModelError($"{nameof(Input)}.{nameof(Input.Port)}", services.Localizer["Validation_PortRange"]);
        }

        if (!Mailbox.IsValid(Input.SenderEmail))
        {
            ModelState.AddModelError($"{nameof(Input)}.{nameof(Input.SenderEmail)}", services.Localizer["Validation_EmailInvalid"]);
        }

        if (!ModelState.IsValid)
        {
            return null;
        }

        SmtpCredential? credential = null;
        if (Input.IsOAuth)
        {
            var settings = Input.Settings;
            string? token = Input.Draft is { Tokens.AccessToken: { Length: > 0 } drafted, ObtainedFor: { } draftFor }
                && SecretPolicy.Change(SecretField.AccessToken, draftFor, settings) is null ? drafted : null;
            token ??= NullIfEmpty(Input.TypedAccessToken);
            try
            {
                // The stored tokens are used only while they belong to the form's settings (the keeper uses the stored ones).
                token ??= Input.StoredTokensKept && Input.StoredOAuth!.HasAccessToken ? await services.Tokens.GetAccessTokenAsync(ServerId!.Value, ct) : null;
            }
            catch (TokenUnavailableException ex)
            {
                Outcome = SmtpOutcome.Refused(title, ex.MessageText, ex.HintText);
                return null;
            }

            if (token is null || string.IsNullOrEmpty(Input.UserName))
            {
                Outcome = SmtpOutcome.Refused(title, Of("Form_NoAccessToken"), Of("Form_NoAccessToken_Hint"));
                return null;
            }

            credential = new OAuth2Credential(Input.UserName, token);
        }
        else if (Input.RequiresAuthentication)
        {
            var password = NullIfEmpty(Input.Password);
            string? problem = null;
            if (password is null && Input.HasStoredPassword && !Input.ClearPassword)
            {
                if (Input.MovesStoredPassword)
                {
                    problem = services.Localizer["Validation_PasswordMoves"].Value;
                }
                else
                {
                    // Decrypts only for the destination it was saved with.
                    var stored = await services.Store.GetPasswordAsync(ServerId!.Value, Input.Settings, ct);
                    password = stored.Value;
                    problem = stored.State == SecretState.Unreadable ? services.Localizer["Validation_PasswordUnreadable"].Value : null;
                }
            }

            if (password is null || string.IsNullOrEmpty(Input.EffectiveLogin))
            {
                ModelState.AddModelError($"{nameof(Input)}.{nameof(Input.Password)}", problem ?? services.Localizer["Form_TestCredentialsRequired"].Value);
                return null;
            }

            credential = new BasicCredential(Input.EffectiveLogin, password);
        }

        return new SmtpEndpoint(host!, Input.Port!.Value, Input.Security, credential);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>
/// A Get Token round trip: the form, the client secret typed for it, tokens, the PKCE verifier, and the settings the
/// form had when it left (the client secret and the tokens belong to them).
/// </summary>
public sealed record FormFlow(
    int? ServerId, MailServerInput Input, string? ClientSecret, TokenSet? Tokens, string? CodeVerifier, string? RedirectUri,
    MailServerSettings? Settings);

/// <summary>The services New and Edit use.</summary>
public sealed class MailServerFormServices(
    MailServerStore store,
    IValidator<MailServerInput> validator,
    OAuthFlowStore flows,
    OAuthClients clients,
    RedirectUris redirectUris,
    TokenKeeper tokens,
    SmtpConnectionTester tester,
    SmtpMailSender sender,
    TimeProvider time,
    IStringLocalizer<SharedResource> localizer)
{
    public IStringLocalizer<SharedResource> Localizer => localizer;

    public TokenKeeper Tokens => tokens;

    public SmtpConnectionTester Tester => tester;

    public SmtpMailSender Sender => sender;

    public MailServerStore Store => store;

    public IValidator<MailServerInput> Validator => validator;

    public OAuthFlowStore Flows => flows;

    public OAuthClients Clients => clients;

    public RedirectUris RedirectUris => redirectUris;

    public TimeProvider Time => time;
}
