namespace MailServerAdmin.OAuth;

/// <summary>Picks the client of a provider.</summary>
public sealed class OAuthClients(IEnumerable<IOAuthProviderClient> clients)
{
    private readonly Dictionary<OAuthProvider, IOAuthProviderClient> _byProvider = clients.ToDictionary(c => c.Provider);

    public IOAuthProviderClient For(OAuthProvider provider) => _byProvider[provider];
}

public static class OAuthServiceCollectionExtensions
{
    /// <summary>The provider clients (app-only ones included) and the token keeper (the background refresher is opt-in: <see cref="MailServersBuilder.WithTokenRefresher"/>).</summary>
    public static IServiceCollection AddOAuthClients(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<OAuthOptions>(configuration.GetSection(OAuthOptions.Section));
        services.AddHttpClient(ManualOAuthClient.HttpClientName);
        services.AddSingleton<IOAuthProviderClient, MicrosoftOAuthClient>();
        services.AddSingleton<IOAuthProviderClient, GoogleOAuthClient>();
        services.AddSingleton<IOAuthProviderClient, ManualOAuthClient>();
        services.AddSingleton<OAuthClients>();
        services.AddSingleton<IAppOnlyTokenClient, MicrosoftAppOnlyClient>();
        services.AddSingleton<IAppOnlyTokenClient, GoogleServiceAccountClient>();
        services.AddSingleton<AppOnlyTokens>();
        services.AddSingleton<TokenKeeper>();
        services.AddHostedService<TokenKeeperLifetime>();
        return services;
    }
}
