using MailServerAdmin.MailServers;
using Microsoft.AspNetCore.Mvc;

namespace MailServerAdmin.Web.OAuth;

/// <summary>
/// The banner on every admin page that announces, before the mail stops, that the default server's tokens cannot be
/// refreshed: the server, the reason and when its current access token expires. It never breaks a page: when the
/// database cannot be read, there is no banner (the page says what is wrong).
/// </summary>
public sealed partial class TokenBannerViewComponent(MailServerStore store, TimeProvider time, ILogger<TokenBannerViewComponent> logger)
    : ViewComponent
{
    public async Task<IViewComponentResult> InvokeAsync()
    {
        try
        {
            var alert = await store.GetDefaultTokenAlertAsync(HttpContext.RequestAborted);
            return alert is null ? Content("") : View(new TokenBannerModel(alert, time.GetUtcNow().UtcDateTime));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogUnavailable(logger, ex);
            return Content("");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The token banner could not read the default server")]
    private static partial void LogUnavailable(ILogger logger, Exception exception);
}

/// <summary>The banner's alert, and the time it is shown at.</summary>
public sealed record TokenBannerModel(MailServerAdmin.OAuth.TokenAlert Alert, DateTime NowUtc);
