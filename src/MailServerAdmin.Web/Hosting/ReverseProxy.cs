using System.Globalization;
using System.Net;
using MailServerAdmin.Resources;
using MailServerAdmin.Web.OAuth;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace MailServerAdmin.Web.Hosting;

/// <summary>
/// Running behind a reverse proxy that ends TLS: the client's address, the scheme and the host come from the proxy's
/// <c>X-Forwarded-*</c> headers when the proxy is a configured one, so that the app knows it is served over HTTPS (its
/// cookies are HTTPS-only outside Development) and builds the OAuth redirect URI from the public address. A request that
/// still reaches a production app over plain HTTP gets a page that explains what to set, not an error.
/// </summary>
public static partial class ReverseProxy
{
    /// <summary>Registers the trusted proxies; <paramref name="settings"/> were checked at start.</summary>
    public static void AddReverseProxySupport(this IServiceCollection services, ForwardedHeadersSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        services.AddSingleton(settings);
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            options.ForwardLimit = settings.ForwardLimit;
            // Only the configured proxies: not even this machine is trusted by default (ASP.NET Core trusts loopback).
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in settings.Proxies)
            {
                options.KnownProxies.Add(proxy);
            }

            foreach (var network in settings.Networks)
            {
                options.KnownIPNetworks.Add(network);
            }
        });
    }

    /// <summary>
    /// Outside Development, answers a request that is not over HTTPS (after the forwarded headers and the HTTPS redirect,
    /// which needs a known HTTPS port) with 403 and a page that says why and what to set; Development serves plain HTTP.
    /// </summary>
    public static IApplicationBuilder UseHttpsOnlyExplained(this IApplicationBuilder app) => app.UseMiddleware<PlainHttpAnswer>();

    /// <summary>Once the app listens: says at start whether pages can be served, and if not, what to set.</summary>
    public static void LogProxyAtStart(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ReverseProxy));
            var settings = app.Services.GetRequiredService<ForwardedHeadersSettings>();
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            if (settings.AnyTrusted)
            {
                var proxies = settings.Describe();
                LogTrustedProxies(logger, proxies);
            }
            else if (!app.Environment.IsDevelopment() && !addresses.Any(a => a.StartsWith("https:", StringComparison.OrdinalIgnoreCase)))
            {
                var listening = addresses.Count == 0 ? "(none known)" : string.Join(", ", addresses);
                LogNoHttps(logger, app.Environment.EnvironmentName, listening, ForwardedHeadersSettings.KnownProxiesSetting, ForwardedHeadersSettings.KnownNetworksSetting);
            }
        });
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Forwarded headers (X-Forwarded-For, -Proto, -Host) are honoured from the reverse proxies {Proxies} only.")]
    private static partial void LogTrustedProxies(ILogger logger, string proxies);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message =
        "In the {Environment} environment the app serves its pages over HTTPS only, but it listens on plain HTTP ({Addresses}) and trusts no reverse proxy, "
        + "so every page answers with an explanation instead. Behind a reverse proxy that ends TLS (nginx, Caddy, a load balancer), set {KnownProxies} "
        + "to the proxy's IP addresses (or {KnownNetworks} to its networks, in CIDR notation), comma-separated, and have the proxy send X-Forwarded-Proto; "
        + "otherwise give the app an HTTPS endpoint (Urls=https://… with a Kestrel certificate). See docs/deployment.md.")]
    private static partial void LogNoHttps(ILogger logger, string environment, string addresses, string knownProxies, string knownNetworks);

    /// <summary>The page for a request over plain HTTP outside Development.</summary>
    private sealed partial class PlainHttpAnswer(
        RequestDelegate next, IWebHostEnvironment environment, IStringLocalizer<SharedResource> localizer, IOptions<PublicUrlOptions> publicUrl,
        ILogger<PlainHttpAnswer> logger)
    {
        public async Task InvokeAsync(HttpContext context)
        {
            if (context.Request.IsHttps || environment.IsDevelopment())
            {
                await next(context);
                return;
            }

            LogRefused(logger, context.Request.Method, context.Request.Path, context.Connection.RemoteIpAddress);
            var title = WebUtility.HtmlEncode(localizer["Https_Title"]);
            var link = publicUrl.Value.PublicBaseUrl is { Length: > 0 } url && url.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
                ? $"<p><a href=\"{WebUtility.HtmlEncode(url)}\" data-testid=\"https-public-link\">{WebUtility.HtmlEncode(localizer["Https_OpenPublic", url])}</a></p>"
                : "";
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            context.Response.ContentType = "text/html; charset=utf-8";
            context.Response.Headers.CacheControl = "no-store";
            await context.Response.WriteAsync(
                $"""
                <!DOCTYPE html>
                <html lang="{CultureInfo.CurrentUICulture.Name}">
                <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title></head>
                <body>
                <main data-testid="https-required">
                <h1>{title}</h1>
                <p>{WebUtility.HtmlEncode(localizer["Https_Explanation"])}</p>
                <p>{WebUtility.HtmlEncode(localizer["Https_Administrators"])}</p>
                {link}
                </main>
                </body>
                </html>
                """, context.RequestAborted);
        }

        [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "{Method} {Path} from {Client} reached the app over plain HTTP: answered with the HTTPS explanation (403).")]
        private static partial void LogRefused(ILogger logger, string method, PathString path, IPAddress? client);
    }
}
