using System.Text.Json;
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
/// is used only where <see cref="SecretPolicy"/> lets it go; what stops an action is put beside its field. App-only
/// providers have Test sign-in instead of Get Token: a token obtained with the form's credential, kept in the draft.
/// </summary>
public sealed partial class MailServerForm(
    MailServerStore store,
    IValidator<MailServerInput> validator,
    OAuthFlowStore flows,
    OAuthClients clients,
    AppOnlyTokens appOnly,
    RedirectUris redirectUris,
    TokenKeeper tokens,
    SmtpConnectionTester tester,
    SmtpMailSender sender,
    TimeProvider time,
    IStringLocalizer<SharedResource> localizer,
    ILogger<MailServerForm> logger)
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
                input.Draft = flow.ToDraft();
            }
            else
            {
                input.DraftId = null;
                modelState.Remove($"{Prefix}.{nameof(MailServerInput.DraftId)}");
                modelState.AddModelError(string.Empty, localizer[input.IsOAuth && input.ProviderDescriptor.IsAppOnly ? "Form_DraftExpired_AppOnly" : "Form_DraftExpired"]);
            }
        }

        input.ApplyDefaults();
        foreach (var field in new[] { nameof(MailServerInput.Tenant), nameof(MailServerInput.AuthorizationUrl), nameof(MailServerInput.TokenUrl), nameof(MailServerInput.RevocationUrl), nameof(MailServerInput.Scopes) })
        {
            // The form shows the filled-in defaults, not the blanks that were posted.
            modelState.Remove($"{Prefix}.{field}");
        }

        // With the defaults filled in: the draft binds an upload to the settings it is for.
        await KeepUploadsAsync(input, serverId, modelState, ct);

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
        input.Draft = flow.ToDraft();
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

        if (input.ProviderDescriptor.IsAppOnly)
        {
            modelState.AddModelError(string.Empty, localizer["Form_GetTokenNotForAppOnly"]);
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
                return (null, SmtpOutcome.Refused(
                    title, Of("Form_NoAccessToken"), Of(input.ProviderDescriptor.IsAppOnly ? "Form_NoAccessToken_AppOnly_Hint" : "Form_NoAccessToken_Hint")));
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

    /// <summary>
    /// Test sign-in (app-only providers): obtains a token with the form's credential (the one typed or uploaded, else the
    /// stored one where it may be used), and keeps the form, the credential and the token in a draft, unsaved. Null when
    /// a field stops it (said beside the field); else the draft to show and what happened.
    /// </summary>
    public async Task<SignInOutcome?> TestSignInAsync(MailServerInput input, int? serverId, ModelStateDictionary modelState, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(modelState);
        if (!input.IsOAuth || !input.ProviderDescriptor.IsAppOnly)
        {
            modelState.AddModelError(string.Empty, localizer["Form_TestSignInNeedsAppOnly"]);
            return null;
        }

        if (!(modelState.IsValid & await validator.ValidateIntoAsync(input, modelState, Prefix, ct, MailServerInputValidator.Authorize)))
        {
            return null;
        }

        var settings = input.Settings;
        var (credential, given) = await CredentialAsync(input, serverId, settings, modelState, ct);
        if (credential is null)
        {
            return null;
        }

        TokenSet? obtained = null;
        string? failure = null;
        try
        {
            obtained = await appOnly.AcquireAsync(input.ToOAuthSettings(credential.ClientSecret), credential, input.UserName!, ct);
            await store.RecordTokensObtainedAsync(serverId, input.Name, input.Provider, input.UserName, ct);
        }
        catch (OAuthException ex)
        {
            LogSignInFailed(logger, input.Provider, ex.Error);
            failure = localizer["Form_TestSignInFailed", ex.Error, localizer.Localize(ex.DescriptionText), localizer.Localize(ex.HintText)];
        }

        // The draft keeps the form, the credential given with it (a stored one stays where it is) and the token obtained
        // with it, for the settings the form has now; a failed sign-in keeps the upload too, for the next try.
        var draftId = await SaveDraftAsync(input, serverId, given, obtained, settings, ct);
        return new SignInOutcome(draftId, obtained is null ? null : SignedIn(obtained), failure);
    }

    /// <summary>
    /// "Switch to OAuth" on a Basic server whose host retires Basic authentication (Microsoft 365, Outlook.com, Gmail):
    /// the form becomes OAuth with that host's provider, keeping host, port, security and sender; the mailbox to send as
    /// is the user name, else the login. Nothing is saved. False when the form is not such a server.
    /// </summary>
    public static bool SwitchToOAuth(MailServerInput input, ModelStateDictionary modelState)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(modelState);
        var provider = OAuthProviderDescriptor.ForRetiringBasicHost(HostName.Normalize(input.Host) ?? input.Host);
        if (input.IsOAuth || provider is null)
        {
            return false;
        }

        input.UserName = NullIfEmpty(input.UserName) ?? NullIfEmpty(input.Login) ?? input.SenderEmail;
        input.AuthenticationType = AuthenticationType.OAuth;
        input.Provider = provider.Provider;
        input.Tenant = input.AuthorizationUrl = input.TokenUrl = input.RevocationUrl = input.Scopes = null;
        input.ApplyDefaults();
        input.SwitchedTo = provider;
        foreach (var field in new[]
        {
            nameof(MailServerInput.AuthenticationType), nameof(MailServerInput.Provider), nameof(MailServerInput.UserName), nameof(MailServerInput.Tenant),
            nameof(MailServerInput.AuthorizationUrl), nameof(MailServerInput.TokenUrl), nameof(MailServerInput.RevocationUrl), nameof(MailServerInput.Scopes),
        })
        {
            modelState.Remove($"{Prefix}.{field}");
        }

        return true;
    }

    /// <summary>
    /// The credential Test sign-in uses: the client secret typed now, else the one the draft carries (uploaded or typed
    /// before), else the stored one where it may follow the form's settings. <c>Given</c> is the part to keep in the draft.
    /// </summary>
    private async Task<(AppOnlyCredential? Credential, AppOnlyCredential? Given)> CredentialAsync(
        MailServerInput input, int? serverId, MailServerSettings settings, ModelStateDictionary modelState, CancellationToken ct)
    {
        var provider = input.ProviderDescriptor;
        if (provider.HasClientSecret && NullIfEmpty(input.ClientSecret) is { } typed)
        {
            var given = new AppOnlyCredential(typed, null, null);
            return (given, given);
        }

        if (input.Draft is { HasCredential: true } draft)
        {
            var given = new AppOnlyCredential(
                provider.HasClientSecret ? NullIfEmpty(draft.ClientSecret) : null,
                provider.AcceptsCertificate ? draft.Certificate : null,
                provider.UsesServiceAccountKey ? draft.ServiceAccountKey : null);
            if (!given.IsEmpty)
            {
                return (given, given);
            }
        }

        if (serverId is { } id)
        {
            // Each decrypts only for the settings it was saved with, which the Uses… checks have compared.
            SecretRead read;
            AppOnlyCredential? stored = null;
            if (provider.UsesServiceAccountKey && input.UsesStoredServiceAccountKey)
            {
                read = await store.GetServiceAccountKeyAsync(id, settings, ct);
                stored = read.Value is { } json ? new AppOnlyCredential(null, null, new ServiceAccountKey(json)) : null;
            }
            else if (provider.AcceptsCertificate && input.UsesStoredCertificate)
            {
                read = await store.GetCertificateAsync(id, settings, ct);
                stored = read.Value is { } pem ? new AppOnlyCredential(null, new AppCertificate(pem), null) : null;
            }
            else if (provider.HasClientSecret && input.UsesStoredClientSecret)
            {
                read = await store.GetClientSecretAsync(id, settings, ct);
                stored = read.Value is { } secret ? new AppOnlyCredential(secret, null, null) : null;
            }

            if (stored is not null)
            {
                return (stored, null);
            }
        }

        modelState.AddModelError(
            $"{Prefix}.{(provider.UsesServiceAccountKey ? nameof(MailServerInput.ServiceAccountKeyFile) : nameof(MailServerInput.ClientSecret))}",
            localizer[provider.UsesServiceAccountKey ? "Validation_ServiceAccountKeyRequired" : "Validation_AppCredentialRequired"]);
        return (null, null);
    }

    /// <summary>
    /// Reads an uploaded certificate or service account key and keeps it in a new draft of the form (encrypted, on the
    /// server, like Get Token's), so that it is not lost when the form is shown again; a file that cannot be used is
    /// said beside its field. The draft's token stays only when it was obtained with this very credential.
    /// </summary>
    private async Task KeepUploadsAsync(MailServerInput input, int? serverId, ModelStateDictionary modelState, CancellationToken ct)
    {
        if (!input.IsOAuth)
        {
            return;
        }

        var provider = input.ProviderDescriptor;
        var certificate = provider.AcceptsCertificate && input.CertificateFile is { Length: > 0 } certificateFile
            ? await ReadUploadAsync(certificateFile, bytes => AppCertificate.Parse(bytes, input.CertificatePassword), nameof(MailServerInput.CertificateFile), modelState, ct)
            : null;
        var key = provider.UsesServiceAccountKey && input.ServiceAccountKeyFile is { Length: > 0 } keyFile
            ? await ReadUploadAsync(keyFile, ServiceAccountKey.Parse, nameof(MailServerInput.ServiceAccountKeyFile), modelState, ct)
            : null;
        if (input.Draft?.ServiceAccountKey is { } draftedKey && provider.UsesServiceAccountKey)
        {
            input.ClientId = draftedKey.ClientId;
        }

        if (certificate is null && key is null)
        {
            return;
        }

        if (key is not null)
        {
            // A service account's client is the one its key names.
            input.ClientId = key.ClientId;
        }

        modelState.Remove($"{Prefix}.{nameof(MailServerInput.ClientId)}");
        var settings = input.Settings;
        var earlier = input.Draft;
        var sameCredential = (certificate is null || certificate.Thumbprint == earlier?.Certificate?.Thumbprint)
            && (key is null || (key.KeyId == earlier?.ServiceAccountKey?.KeyId && key.ClientEmail == earlier.ServiceAccountKey.ClientEmail));
        var tokens = sameCredential && earlier is { Tokens: { } kept, ObtainedFor: { } keptFor }
            && SecretPolicy.Change(SecretField.AccessToken, keptFor, settings) is null ? kept : null;
        // The upload replaces whatever credential the draft had (a client secret typed before it, an earlier file).
        var given = new AppOnlyCredential(null, certificate, key);
        input.DraftId = await SaveDraftAsync(input, serverId, given, tokens, settings, ct);
        input.Draft = new MailServerDraft(null, tokens, settings) { Certificate = given.Certificate, ServiceAccountKey = given.ServiceAccountKey };
        modelState.Remove($"{Prefix}.{nameof(MailServerInput.DraftId)}");
    }

    private async Task<T?> ReadUploadAsync<T>(IFormFile file, Func<byte[], T> parse, string field, ModelStateDictionary modelState, CancellationToken ct)
        where T : class
    {
        if (file.Length > AppCertificate.MaxFileBytes)
        {
            modelState.AddModelError($"{Prefix}.{field}", localizer["Validation_UploadTooLarge", AppCertificate.MaxFileBytes / 1024]);
            return null;
        }

        using var buffer = new MemoryStream();
        await file.CopyToAsync(buffer, ct);
        try
        {
            return parse(buffer.ToArray());
        }
        catch (CredentialFileException ex)
        {
            modelState.AddModelError($"{Prefix}.{field}", localizer.Localize(ex.Text));
            return null;
        }
    }

    /// <summary>Keeps the form (without what was typed into its secret fields), a credential and a token in a new draft; the one it replaces is deleted.</summary>
    private async Task<string> SaveDraftAsync(
        MailServerInput input, int? serverId, AppOnlyCredential? given, TokenSet? obtained, MailServerSettings settings, CancellationToken ct)
    {
        // A copy: the request goes on with what was typed.
        var kept = JsonSerializer.Deserialize<MailServerInput>(JsonSerializer.Serialize(input))!;
        kept.ClientSecret = kept.Password = kept.AccessToken = kept.RefreshToken = kept.DraftId = null;
        var draftId = OAuthTokens.NewState();
        await flows.SaveAsync(
            OAuthFlowKind.Draft, draftId, new FormFlow(serverId, kept, given?.ClientSecret, obtained, null, null, settings, given?.Certificate, given?.ServiceAccountKey), ct);
        if (!string.IsNullOrEmpty(input.DraftId))
        {
            await flows.DeleteAsync(input.DraftId, ct);
        }

        return draftId;
    }

    private string SignedIn(TokenSet token) => token.ExpiresUtc is { } expires
        ? localizer["Form_TestSignInPassed_Expires", token.Account ?? "", new UtcTime(expires)]
        : localizer["Form_TestSignInPassed", token.Account ?? ""];

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Test sign-in with {Provider} failed: {Error}")]
    private static partial void LogSignInFailed(ILogger logger, OAuthProvider provider, string error);
}

/// <summary>What Test sign-in did: the draft that holds the form and the token, and the message for the page.</summary>
public sealed record SignInOutcome(string DraftId, string? Status, string? Error);

/// <summary>
/// A Get Token round trip, or a Test sign-in: the form, the client secret typed for it, tokens, the PKCE verifier, the
/// settings the form had when it left (the client secret and the tokens belong to them), and an app-only server's
/// uploaded certificate or service account key.
/// </summary>
public sealed record FormFlow(
    int? ServerId, MailServerInput Input, string? ClientSecret, TokenSet? Tokens, string? CodeVerifier, string? RedirectUri,
    MailServerSettings? Settings, AppCertificate? Certificate = null, ServiceAccountKey? ServiceAccountKey = null)
{
    public MailServerDraft ToDraft() => new(ClientSecret, Tokens, Settings) { Certificate = Certificate, ServiceAccountKey = ServiceAccountKey };
}

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
