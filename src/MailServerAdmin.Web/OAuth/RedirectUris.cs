namespace MailServerAdmin.Web.OAuth;

/// <summary>The address the app is reached at from browsers, as set in configuration (<c>PublicBaseUrl</c>).</summary>
public sealed class PublicUrlOptions
{
    /// <summary>For example https://mail-admin.example.com (behind a proxy, where the request does not tell).</summary>
    public string? PublicBaseUrl { get; set; }
}

/// <summary>The exact redirect URI to register at a provider and to send in requests.</summary>
public sealed class RedirectUris(Microsoft.Extensions.Options.IOptions<PublicUrlOptions> options, IHttpContextAccessor http)
{
    public const string CallbackPath = "/oauth/callback";

    public string Callback
    {
        get
        {
            if (!string.IsNullOrWhiteSpace(options.Value.PublicBaseUrl))
            {
                return options.Value.PublicBaseUrl.TrimEnd('/') + CallbackPath;
            }

            var request = http.HttpContext?.Request
                ?? throw new InvalidOperationException("The redirect URI needs a request or the PublicBaseUrl setting.");
            return $"{request.Scheme}://{request.Host}{request.PathBase}{CallbackPath}";
        }
    }
}

public static class GetTokenFlowRegistration
{
    /// <summary>What Get Token needs in the admin app: its encrypted state and drafts, and the redirect URI.</summary>
    public static IServiceCollection AddGetTokenFlow(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<PublicUrlOptions>(configuration);
        services.AddHttpContextAccessor();
        services.AddScoped<OAuthFlowStore>();
        services.AddScoped<RedirectUris>();
        return services;
    }
}
