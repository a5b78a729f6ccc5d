namespace MailServerAdmin.Web.OAuth;

/// <summary>Picks the client of a provider.</summary>
public sealed class OAuthClients(IEnumerable<IOAuthProviderClient> clients)
{
    private readonly Dictionary<OAuthProvider, IOAuthProviderClient> _byProvider = clients.ToDictionary(c => c.Provider);

    public IOAuthProviderClient For(OAuthProvider provider) => _byProvider[provider];
}

public static class OAuthServiceCollectionExtensions
{
    public static IServiceCollection AddOAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<OAuthOptions>(configuration.GetSection(OAuthOptions.Section));
        services.Configure<PublicUrlOptions>(configuration);
        services.AddHttpClient(ManualOAuthClient.HttpClientName);
        services.AddSingleton<IOAuthProviderClient, MicrosoftOAuthClient>();
        services.AddSingleton<IOAuthProviderClient, GoogleOAuthClient>();
        services.AddSingleton<IOAuthProviderClient, ManualOAuthClient>();
        services.AddSingleton<OAuthClients>();
        services.AddScoped<OAuthFlowStore>();
        services.AddScoped<RedirectUris>();
        services.AddSingleton<TokenKeeper>();
        services.AddSingleton<TokenRefreshWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<TokenRefreshWorker>());
        return services;
    }
}
