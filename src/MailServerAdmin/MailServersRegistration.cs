using MailServerAdmin.Audit;
using MailServerAdmin.Data;
using MailServerAdmin.MailServers;
using MailServerAdmin.OAuth;
using MailServerAdmin.Sending;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MailServerAdmin;

public static class MailServersRegistration
{
    /// <summary>
    /// Registers the mail servers with one call: the database and the Data Protection key ring (settings
    /// <c>Database:Provider</c>, <c>ConnectionStrings:MailServerAdmin</c> and <c>DataProtection:*</c>, the same as the admin
    /// app's; unusable values throw an <see cref="InvalidSettingsException"/> that names them),
    /// the store and its secret policy, the OAuth provider clients and token keeper, SMTP sending and
    /// <see cref="MailDelivery"/> with its warm-up at start (<see cref="SendingWarmUp"/>). The background token refresher is opt-in (<see cref="MailServersBuilder.WithTokenRefresher"/>),
    /// so that only the process meant to run it does.
    /// </summary>
    public static MailServersBuilder AddMailServers(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddAppDatabase();
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddScoped<IAuditActor, SystemAuditActor>();
        services.TryAddScoped<AuditLog>();
        services.TryAddSingleton<SecretVault>();
        services.TryAddScoped<MailServerStore>();
        services.TryAddScoped<CredentialExpiry>();
        services.TryAddScoped(sp => ServerSearch.For(sp.GetRequiredService<AppDbContext>()));
        services.TryAddSingleton<SecretReadability>();
        services.TryAddScoped<MailServerList>();
        services.AddOAuthClients(builder.Configuration);
        services.AddSmtpSending(builder.Configuration);
        services.TryAddSingleton<SendingTargets>();
        services.TryAddScoped<MailDelivery>();
        // At start (awaited, or in the background once started), bounded, never failing it: the first send then finds its
        // queries compiled and its server read.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SendingWarmUp>());
        return new MailServersBuilder(services);
    }
}

/// <summary>What <see cref="MailServersRegistration.AddMailServers"/> registered, and the options on top of it.</summary>
public sealed class MailServersBuilder(IServiceCollection services)
{
    public IServiceCollection Services => services;

    /// <summary>
    /// Runs the background job that refreshes OAuth tokens ahead of expiry and keeps refresh tokens alive
    /// (<c>OAuth:RefreshCheckMinutes</c>).
    /// </summary>
    public MailServersBuilder WithTokenRefresher()
    {
        services.TryAddSingleton<TokenRefreshWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<TokenRefreshWorker>());
        return this;
    }

    /// <summary>
    /// Warms up sending in the background once the app has started, instead of as part of its start: for an app whose first
    /// answers do not send mail, so that they do not wait for it.
    /// </summary>
    public MailServersBuilder WithWarmUpAfterStart()
    {
        services.Configure<SendingWarmUpOptions>(options => options.AfterStart = true);
        return this;
    }
}
