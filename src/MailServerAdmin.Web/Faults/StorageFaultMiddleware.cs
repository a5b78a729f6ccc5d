using MailServerAdmin.Resources;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Faults;

/// <summary>
/// A request that meets a storage fault anywhere (signing in, a page, rendering it) is answered 503 with the message
/// inside the layout (the error page in its storage form), never with the generic error page or a 500. The page is run
/// again in a fresh service scope, so that nothing of the failed request (its database context, its sign-in check)
/// is reused; if even that fails, a plain-text 503 carries the message.
/// </summary>
public sealed partial class StorageFaultMiddleware(RequestDelegate next, ILogger<StorageFaultMiddleware> logger)
{
    /// <summary>The page that shows the message.</summary>
    public const string PagePath = "/Error";

    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (Exception exception) when (!context.Response.HasStarted && Recognise(context, exception) is not null)
        {
            await ShowPageAsync(context, context.Features.GetRequiredFeature<StorageFaultFeature>());
        }
    }

    /// <summary>A storage fault, or any failure after one (the page shown again could not be rendered).</summary>
    private StorageFaultFeature? Recognise(HttpContext context, Exception exception)
    {
        var fault = StorageFault.Find(exception);
        if (context.Features.Get<StorageFaultFeature>() is { } known)
        {
            if (fault is null)
            {
                LogPageNotShownAgain(logger, exception);
            }

            return known;
        }

        return fault is null ? null : StorageFaultFeature.Record(context, fault, logger);
    }

    private async Task ShowPageAsync(HttpContext context, StorageFaultFeature feature)
    {
        var request = context.Request;
        var (path, query, method, services) = (request.Path, request.QueryString, request.Method, context.RequestServices);
        await using var scope = services.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        try
        {
            context.Response.Clear();
            context.SetEndpoint(null);
            context.Features.Get<IRouteValuesFeature>()?.RouteValues.Clear();
            request.Path = PagePath;
            request.QueryString = QueryString.Empty;
            request.Method = HttpMethods.Get;
            context.RequestServices = scope.ServiceProvider;
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            await next(context);
        }
        catch (Exception exception) when (!context.Response.HasStarted)
        {
            LogPageNotShown(logger, exception);
            var localizer = services.GetRequiredService<IStringLocalizer<SharedResource>>();
            context.Response.Clear();
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(localizer[feature.MessageKey(inputKept: false)]);
        }
        finally
        {
            request.Path = path;
            request.QueryString = query;
            request.Method = method;
            context.RequestServices = services;
        }
    }

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "After the database fault the page could not be shown again; the 503 page is shown instead.")]
    private static partial void LogPageNotShownAgain(ILogger logger, Exception error);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "The 503 page could not be shown; the message is sent as plain text.")]
    private static partial void LogPageNotShown(ILogger logger, Exception error);
}
