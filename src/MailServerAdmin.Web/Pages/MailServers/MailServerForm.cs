using FluentValidation;
using MailServerAdmin.Localization;
using MailServerAdmin.MailServers;
using MailServerAdmin.OAuth;
using MailServerAdmin.Resources;
using MailServerAdmin.Sending;
using MailServerAdmin.Validation;
using MailServerAdmin.Web.OAuth;
using MailServerAdmin.Web.Validation;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Localization;
using static MailServerAdmin.Localization.LocalizableText;

namespace MailServerAdmin.Web.Pages.MailServers;

/// <summary>
/// What the New and Edit pages do with the form, in one place: load what it continues (the stored server, a Get
/// Token draft), validate and save it, start Get Token on the unsaved form (the form is kept on the server, encrypted,
/// while the administrator signs in at the provider), and test or send with its unsaved values. Every stored secret
/// is used only where <see cref="SecretPolicy"/> lets it go; what stops an action is put beside its field.
/// </summary>
public sealed class MailServerForm(
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
    /// <summary>The form's fields are bound under this prefix.</summary>
    public const string Prefix = "Input";

    /// <summary>The redirect URI to register at the provider.</summary>
    public string RedirectUri => redirectUris.Callback;

    /// <summary>Loads the stored server and the draft the form continues; false when the server is gone.</summary>
    public async Task<bool> PrepareAsync(MailServerInput input, int? serverId, ModelStateDictionary modelState, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(modelState);
        if (serverId is { } id)
        {
            input.Stored = await store.GetDetailsAsync(id, ct);
            if (input.Stored is null)
            {
                return false;
            }

            input.Id = id;
        }

        if (!string.IsNullOrEmpty(input.DraftId))
        {
            var draft = await flows.ReadAsync<FormFlow>(OAuthFlowKind.Draft, input.DraftId, consume: false, ct);
            if (draft.Payload is { } flow && flow.ServerId == serverId)
            {
                input.Draft = new MailServerDraft(flow.ClientSecret, flow.Tokens, flow.Settings);
            }
            else
            {
                input.DraftId = null;
                modelState.Remove($"{Prefix}.{nameof(MailServerInput.DraftId)}");
                modelState.AddModelError(string.Empty, localizer["Form_DraftExpired"]);
            }
        }

        input.ApplyDefaults();
        foreach (var field in new[] { nameof(MailServerInput.Tenant), nameof(MailServerInput.AuthorizationUrl), nameof(MailServerInput.TokenUrl), nameof(MailServerInput.RevocationUrl), nameof(MailServerInput.Scopes) })
        {
            // The form shows the filled-in defaults, not the blanks that were posted.
            modelState.Remove($"{Prefix}.{field}");
        }

        return true;
    }

    /// <summary>GET with ?draft=: the form as it was when the administrator left for the provider, with the tokens; null when gone.</summary>
    public async Task<MailServerInput?> RestoreDraftAsync(string draftId, int? serverId, MailServerDetails? stored, CancellationToken ct)
    {
        var result = await flows.ReadAsync<FormFlow>(OAuthFlowKind.Draft, draftId, consume: false, ct);
        if (result.Payload is not { } flow || flow.ServerId != serverId)
        {
            return null;
        }

        var input = flow.Input;
        input.Id = serverId;
        input.Stored = stored;
        input.DraftId = draftId;
        input.Draft = new MailServerDraft(flow.ClientSecret, flow.Tokens, flow.Settings);
        return input;
    }

    /// <summary>Every rule of Save, the verdict of <see cref="SecretPolicy"/> included, into the model state.</summary>
    public async Task<bool> ValidateForSaveAsync(MailServerInput input, ModelStateDictionary modelState, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(modelState);
        return modelState.IsValid & await validator.ValidateIntoAsync(input, modelState, Prefix, ct, MailServerInputValidator.Save);
    }

    public Task<SaveResult> CreateAsync(MailServerInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        return store.CreateAsync(input.ToValues(time.GetUtcNow().UtcDateTime), ct);
    }

    public Task<SaveResult> UpdateAsync(int id, MailServerInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        return store.UpdateAsync(id, input.Version, input.ToValues(time.GetUtcNow().UtcDateTime), ct);
    }

    /// <summary>
    /// Puts a refused save beside the fields: the name taken, or what the store's policy refused (the server changed
    /// between the check and the write).
    /// </summary>
    public void AddRefusal(SaveResult result, MailServerInput input, ModelStateDictionary modelState)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(modelState);
        if (result.Status == SaveStatus.NameTaken)
        {
            modelState.AddModelError($"{Prefix}.{nameof(MailServerInput.Name)}", localizer["Validation_NameTaken", input.Name ?? ""]);
        }

        foreach (var problem in result.Problems)
        {
            modelState.AddModelError($"{Prefix}.{MailServerInputValidator.PropertyOf(problem.Field)}", MailServerInputValidator.Message(input, problem, localizer));
        }
    }

    /// <summary>After a successful save the draft is spent.</summary>
    public async Task ForgetDraftAsync(MailServerInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!string.IsNullOrEmpty(input.DraftId))
        {
            await flows.DeleteAsync(input.DraftId, ct);
        }
    }

    /// <summary>The status line after a successful save, naming any server that lost the default.</summary>
    /// <param name="savedKey">The resource key of the first sentence ("Mail server '{0}' created."), with the name as {0}.</param>
    /// <param name="name">The server's name.</param>
    /// <param name="result">The outcome of the save.</param>
    /// <param name="wasDefaultBefore">Whether the server was the default before this save.</param>
    public string SavedMessage(string savedKey, string name, SaveResult result, bool wasDefaultBefore)
    {
        ArgumentNullException.ThrowIfNull(result);
        string message = localizer[savedKey, name];
        if (result.PreviousDefault is not null)
        {
            return $"{message} {localizer["Status_Saved_NowDefault", result.PreviousDefault]}";
        }

        return result.IsDefault && !wasDefaultBefore ? $"{message} {localizer["Status_Saved_IsDefault"]}" : message;
    }

    /// <summary>Whether a new server will become the default (none is the default yet).</summary>
    public async Task<bool> WillBecomeDefaultAsync(CancellationToken ct) => !(await store.GetSummaryAsync(ct)).AnyDefault;

    /// <summary>
    /// Get Token: checks what authorizing needs, keeps the draft, and returns the provider's authorization URL; null
    /// when something stops it (said in the model state).
    /// </summary>
    public async Task<Uri?> StartGetTokenAsync(MailServerInput input, int? serverId, ModelStateDictionary modelState, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(modelState);
        if (!input.IsOAuth)
        {
            modelState.AddModelError(string.Empty, localizer["Form_GetTokenNeedsOAuth"]);
            return null;
        }

        if (!await validator.ValidateIntoAsync(input, modelState, Prefix, ct, MailServerInputValidator.Authorize, MailServerInputValidator.GetToken))
        {
            return null;
        }

        var state = OAuthTokens.NewState();
        var redirectUri = redirectUris.Callback;
        var settings = input.Settings;
        var typedSecret = NullIfEmpty(input.ClientSecret) ?? input.Draft?.ClientSecret;
        string? secret = typedSecret;
        if (secret is null && serverId is { } id && input.UsesStoredClientSecret)
        {
            // Readable only for the settings it was saved with, which UsesStoredClientSecret has checked.
            var stored = await store.GetClientSecretAsync(id, settings, ct);
            if (stored.State != SecretState.Readable)
            {
                modelState.AddModelError($"{Prefix}.{nameof(MailServerInput.ClientSecret)}", localizer["Validation_ClientSecretUnreadable"]);
                return null;
            }

            secret = stored.Value;
        }

        AuthorizationStart start;
        try
        {
            start = await clients.For(input.Provider).StartAsync(input.ToOAuthSettings(secret), redirectUri, state, input.UserName, ct);
        }
        catch (OAuthException ex)
        {
            modelState.AddModelError(string.Empty, $"{localizer.Localize(ex.DescriptionText)} {localizer.Localize(ex.HintText)}");
            return null;
        }

        // Tokens of an earlier Get Token stay in the draft only while they belong to these settings.
        var keptTokens = input.Draft is { Tokens: { } earlier, ObtainedFor: { } earlierFor }
            && SecretPolicy.Change(SecretField.AccessToken, earlierFor, settings) is null ? earlier : null;

        // The draft keeps the form; its secrets travel apart (the client secret) or are not needed (password, pasted tokens).
        input.ClientSecret = input.Password = input.AccessToken = input.RefreshToken = input.DraftId = null;
        var flow = new FormFlow(serverId, input, typedSecret, keptTokens, start.CodeVerifier, redirectUri, settings);
        await flows.SaveAsync(OAuthFlowKind.Authorization, state, flow, ct);
        return start.Url;
    }

    /// <summary>Test connection with the form's current, unsaved values; null when a field stops it (said beside it).</summary>
    public async Task<SmtpOutcome?> TestConnectionAsync(MailServerInput input, int? serverId, ModelStateDictionary modelState, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (endpoint, refusal) = await EndpointAsync(input, serverId, modelState, SmtpOutcome.ConnectionTest, ct);
        return endpoint is null ? refusal : SmtpOutcome.From(await tester.TestAsync(endpoint, input.SenderEmail!, null, ct));
    }

    /// <summary>Sends a real message with the form's current values, through the application's sending code.</summary>
    public async Task<SmtpOutcome?> SendTestMessageAsync(
        MailServerInput input, int? serverId, string? recipient, string recipientField, ModelStateDictionary modelState, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(modelState);
        if (!Mailbox.IsValid(recipient))
        {
            modelState.AddModelError(recipientField, localizer["Form_TestRecipientRequired"]);
        }

        var (endpoint, refusal) = await EndpointAsync(input, serverId, modelState, SmtpOutcome.TestMessage, ct);
        if (endpoint is null || !modelState.IsValid)
        {
            return refusal;
        }

        var message = TestMessage.Create(input.Name ?? localizer["Form_ThisServer"], input.SenderName, input.SenderEmail!, recipient!, time, localizer);
        return SmtpOutcome.From(await sender.SendAsync(endpoint, message, ct), recipient!);
    }

    /// <summary>
    /// "Trust this certificate for this server": puts the fingerprint of a certificate a test was shown into the form's
    /// pin field. Nothing is saved: saving the form is the confirmation (with the password typed again, or a new Get
    /// Token, as <see cref="SecretPolicy"/> asks when the pin changes).
    /// </summary>
    public void TrustCertificate(MailServerInput input, string? fingerprint, ModelStateDictionary modelState)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(modelState);
        var field = $"{Prefix}.{nameof(MailServerInput.CertificatePin)}";
        if (CertificateFingerprint.Normalize(fingerprint) is not { } pin)
        {
            modelState.AddModelError(field, localizer["Validation_CertificatePinInvalid"]);
            return;
        }

        input.CertificatePin = pin;
        modelState.Remove(field);
    }

    /// <summary>
    /// The endpoint of the form as it is now. A stored secret is used only where it is allowed to go; what is missing
    /// is said beside the field, or as a refusal for the result box.
    /// </summary>
    private async Task<(SmtpEndpoint? Endpoint, SmtpOutcome? Refusal)> EndpointAsync(MailServerInput input, int? serverId, ModelStateDictionary modelState, LocalizableText title, CancellationToken ct)
    {
        var host = HostName.Normalize(input.Host);
        if (host is null)
        {
            modelState.AddModelError($"{Prefix}.{nameof(MailServerInput.Host)}", localizer["Validation_HostInvalid"]);
        }

        if (input.Port is not (>= 1 and <= 65535))
        {
            modelState.AddModelError($"{Prefix}.{nameof(MailServerInput.Port)}", localizer["Validation_PortRange"]);
        }

        if (!Mailbox.IsValid(input.SenderEmail))
        {
            modelState.AddModelError($"{Prefix}.{nameof(MailServerInput.SenderEmail)}", localizer["Validation_EmailInvalid"]);
        }

        var pin = CertificateFingerprint.Normalize(input.CertificatePin);
        if (pin is null && !string.IsNullOrEmpty(input.CertificatePin))
        {
            modelState.AddModelError($"{Prefix}.{nameof(MailServerInput.CertificatePin)}", localizer["Validation_CertificatePinInvalid"]);
        }

        if (!modelState.IsValid)
        {
            return (null, null);
        }

        SmtpCredential? credential = null;
        if (input.IsOAuth)
        {
            var settings = input.Settings;
            string? token = input.Draft is { Tokens.AccessToken: { Length: > 0 } drafted, ObtainedFor: { } draftFor }
                && SecretPolicy.Change(SecretField.AccessToken, draftFor, settings) is null ? drafted : null;
            token ??= NullIfEmpty(input.TypedAccessToken);
            try
            {
                // The stored tokens are used only while they belong to the form's settings (the keeper uses the stored ones).
                token ??= input.StoredTokensKept && input.StoredOAuth!.HasAccessToken ? await tokens.GetAccessTokenAsync(serverId!.Value, ct) : null;
            }
            catch (TokenUnavailableException ex)
            {
                return (null, SmtpOutcome.Refused(title, ex.MessageText, ex.HintText));
            }

            if (token is null || string.IsNullOrEmpty(input.UserName))
            {
                return (null, SmtpOutcome.Refused(title, Of("Form_NoAccessToken"), Of("Form_NoAccessToken_Hint")));
            }

            credential = new OAuth2Credential(input.UserName, token);
        }
        else if (input.RequiresAuthentication)
        {
            var password = NullIfEmpty(input.Password);
            string? problem = null;
            if (password is null && input.HasStoredPassword && !input.ClearPassword)
            {
                if (input.Verdict.Problems.FirstOrDefault(p => p is { Field: RequiredField.Password, Kind: ProblemKind.MustBeRetyped }) is { } moves)
                {
                    problem = MailServerInputValidator.Message(input, moves, localizer);
                }
                else
                {
                    // Decrypts only for the destination it was saved with.
                    var stored = await store.GetPasswordAsync(serverId!.Value, input.Settings, ct);
                    password = stored.Value;
                    problem = stored.State == SecretState.Unreadable ? localizer["Validation_PasswordUnreadable"].Value : null;
                }
            }

            if (password is null || string.IsNullOrEmpty(input.EffectiveLogin))
            {
                modelState.AddModelError($"{Prefix}.{nameof(MailServerInput.Password)}", problem ?? localizer["Form_TestCredentialsRequired"].Value);
                return (null, null);
            }

            credential = new BasicCredential(input.EffectiveLogin, password);
        }

        return (new SmtpEndpoint(host!, input.Port!.Value, input.Security, credential, pin), null);
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

/// <summary>What the New and Edit pages show around the form (the shared partials read it).</summary>
public interface IMailServerFormPage
{
    MailServerInput Input { get; }

    string? StatusMessage { get; }

    string? ErrorMessage { get; }

    string? WarningMessage { get; }

    /// <summary>Where "Send test message" sends to.</summary>
    [System.ComponentModel.DataAnnotations.Display(Name = "Field_TestRecipient")]
    string? TestRecipient { get; }

    /// <summary>The result of Test connection or Send test message, shown above the form.</summary>
    SmtpOutcome? Outcome { get; }

    string RedirectUri { get; }
}
