using MailServerAdmin.Web.Audit;
using MailServerAdmin.Web.Data;
using MailServerAdmin.Web.MailServers;
using MailServerAdmin.Web.OAuth;
using MailServerAdmin.Web.Pages.MailServers;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace MailServerAdmin.Web.Pages.OAuth;

/// <summary>
/// Where the provider sends the browser back. The state must be one this session started, unused and recent;
/// then the code is exchanged and the form comes back, unsaved, with the tokens in its draft.
/// </summary>
public sealed partial class CallbackModel(
    OAuthFlowStore flows, OAuthClients clients, MailServerStore store, AuditLog audit, AppDbContext db, ILogger<CallbackModel> logger)
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
                FlowStatus.Used => "This sign-in answer was already used. Each Get Token can be completed once: go back to the form and click Get Token again.",
                FlowStatus.Expired => "This sign-in took longer than 10 minutes, so its answer is no longer accepted. Go back to the form and click Get Token again.",
                FlowStatus.OtherSession => "This sign-in was started in another browser session, so it is not accepted here. Click Get Token in this browser.",
                _ => "This sign-in answer does not belong to any Get Token started here. Nothing was changed.",
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
            ErrorMessage = $"The provider answered “{explained.Error}”: {explained.Description} {explained.Hint}";
        }
        else if (string.IsNullOrEmpty(code))
        {
            ErrorMessage = "The provider sent neither a code nor an error. Click Get Token again.";
        }
        else
        {
            try
            {
                var secret = flow.ClientSecret ?? (flow.ServerId is { } id ? await store.GetClientSecretAsync(id, ct) : null);
                tokens = await clients.For(input.Provider).RedeemAsync(input.ToOAuthSettings(secret), flow.RedirectUri!, code, flow.CodeVerifier!, ct);
                StatusMessage = Obtained(tokens);
                WarningMessage = AccountWarning(tokens.Account, input);
                audit.Record(AuditAction.TokensObtained, flow.ServerId, input.Name, ["AccessToken", "RefreshToken"],
                    $"{OAuthProviderDefaults.Label(input.Provider)}{(tokens.Account is null ? "" : $", account {tokens.Account}")}; not saved yet");
                await db.SaveChangesAsync(ct);
            }
            catch (OAuthException ex)
            {
                LogExchangeFailed(logger, ex.Error);
                ErrorMessage = $"The token request failed: {ex.Description} {ex.Hint}";
            }
        }

        var draftId = OAuthTokens.NewState();
        await flows.SaveAsync(OAuthFlowKind.Draft, draftId, flow with { Tokens = tokens, CodeVerifier = null }, ct);
        return flow.ServerId is { } serverId
            ? RedirectToPage("/MailServers/Edit", new { id = serverId, draft = draftId })
            : RedirectToPage("/MailServers/Create", new { draft = draftId });
    }

    private static string Obtained(TokenSet tokens)
    {
        var account = tokens.Account is null ? "" : $" for {tokens.Account}";
        var expiry = tokens.ExpiresUtc is { } expires
            ? $", access token expires at {expires.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)} UTC"
            : "";
        var refresh = tokens.RefreshToken is null ? " The provider sent no refresh token." : "";
        return $"Tokens obtained{account}{expiry}. Save to keep them.{refresh}";
    }

    /// <summary>The mailbox that signed in should be the one that sends.</summary>
    private static string? AccountWarning(string? account, MailServerInput input)
    {
        if (string.IsNullOrEmpty(account)
            || string.Equals(account, input.UserName, StringComparison.OrdinalIgnoreCase)
            || string.Equals(account, input.SenderEmail, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return $"You signed in as {account}, but the user name is {input.UserName} and the sender is {input.SenderEmail}. " +
            "The SMTP server will likely refuse the token or the sender: sign in with that mailbox, or correct the user name.";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "OAuth callback refused: {Status}")]
    private static partial void LogRefused(ILogger logger, FlowStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OAuth code exchange failed: {Error}")]
    private static partial void LogExchangeFailed(ILogger logger, string error);
}
