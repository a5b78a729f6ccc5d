using MailServerAdmin.Web.OAuth;
using MailServerAdmin.Localization;
using MailServerAdmin.MailServers;
using MailServerAdmin.OAuth;
using MailServerAdmin.Web.Pages.MailServers;
using MailServerAdmin.Resources;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Pages.OAuth;

/// <summary>
/// Where the provider sends the browser back. The state must be one this session started, unused and recent;
/// then the code is exchanged and the form comes back, unsaved, with the tokens in its draft.
/// </summary>
public sealed partial class CallbackModel(
    OAuthFlowStore flows,
    OAuthClients clients,
    MailServerStore store,
    IStringLocalizer<SharedResource> localizer,
    ILogger<CallbackModel> logger)
    : PageModel
{
    public string? Problem { get; private set; }

    [TempData]
    public string? StatusMessage { get; set; }

    [TempData]
    public string? ErrorMessage { get; set; }

    [TempData]
    public string? WarningMessage { get; set; }

    public async Task<IActionResult> OnGetAsync(
        string? state, string? code, string? error,
        [FromQuery(Name = "error_description")] string? errorDescription,
        CancellationToken ct)
    {
        var started = await flows.ReadAsync<FormFlow>(OAuthFlowKind.Authorization, state, consume: true, ct);
        if (started.Payload is not { } flow)
        {
            Problem = started.Status switch
            {
                FlowStatus.Used => localizer["Callback_Used"],
                FlowStatus.Expired => localizer["Callback_Expired"],
                FlowStatus.OtherSession => localizer["Callback_OtherSession"],
                _ => localizer["Callback_Unknown"],
            };
            LogRefused(logger, started.Status);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }

        var tokens = flow.Tokens;
        var input = flow.Input;
        if (!string.IsNullOrEmpty(error))
        {
            var explained = OAuthErrors.Explain(error, errorDescription, flow.RedirectUri);
            ErrorMessage = localizer["Callback_ProviderError", explained.Error, localizer.Localize(explained.DescriptionText), localizer.Localize(explained.HintText)];
        }
        else if (string.IsNullOrEmpty(code))
        {
            ErrorMessage = localizer["Callback_NoCode"];
        }
        else
        {
            try
            {
                // A stored client secret decrypts only for the provider settings it was saved with.
                var secret = flow.ClientSecret
                    ?? (flow.ServerId is { } id ? (await store.GetClientSecretAsync(id, flow.Settings ?? input.Settings, ct)).Value : null);
                tokens = await clients.For(input.Provider).RedeemAsync(input.ToOAuthSettings(secret), flow.RedirectUri!, code, flow.CodeVerifier!, ct);
                StatusMessage = Obtained(tokens);
                WarningMessage = AccountWarning(tokens.Account, input);
                await store.RecordTokensObtainedAsync(flow.ServerId, input.Name, input.Provider, tokens.Account, ct);
            }
            catch (OAuthException ex)
            {
                LogExchangeFailed(logger, ex.Error);
                ErrorMessage = localizer["Callback_TokenRequestFailed", localizer.Localize(ex.DescriptionText), localizer.Localize(ex.HintText)];
            }
        }

        var draftId = OAuthTokens.NewState();
        await flows.SaveAsync(OAuthFlowKind.Draft, draftId, flow with { Tokens = tokens, CodeVerifier = null }, ct);
        return flow.ServerId is { } serverId
            ? RedirectToPage("/MailServers/Edit", new { id = serverId, draft = draftId })
            : RedirectToPage("/MailServers/Create", new { draft = draftId });
    }

    private string Obtained(TokenSet tokens)
    {
        string obtained = (tokens.Account, tokens.ExpiresUtc) switch
        {
            (null, null) => localizer["Callback_Obtained"],
            (null, { } expires) => localizer["Callback_Obtained_Expires", new UtcTime(expires)],
            ({ } account, null) => localizer["Callback_Obtained_Account", account],
            ({ } account, { } expires) => localizer["Callback_Obtained_Account_Expires", account, new UtcTime(expires)],
        };
        return tokens.RefreshToken is null ? $"{obtained} {localizer["Callback_NoRefreshToken"]}" : obtained;
    }

    /// <summary>The mailbox that signed in should be the one that sends.</summary>
    private string? AccountWarning(string? account, MailServerInput input)
    {
        if (string.IsNullOrEmpty(account)
            || string.Equals(account, input.UserName, StringComparison.OrdinalIgnoreCase)
            || string.Equals(account, input.SenderEmail, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return localizer["Callback_AccountMismatch", account, input.UserName ?? "", input.SenderEmail ?? ""];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "OAuth callback refused: {Status}")]
    private static partial void LogRefused(ILogger logger, FlowStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OAuth code exchange failed: {Error}")]
    private static partial void LogExchangeFailed(ILogger logger, string error);
}
