using MailServerAdmin.Web.Administrators;
using MailServerAdmin.Web.Audit;
using MailServerAdmin.Web.Data;
using MailServerAdmin.Web.MailServers;
using MailServerAdmin.Web.OAuth;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MailServerAdmin.Web.Sending;

public static class MailDeliveryRegistration
{
    /// <summary>
    /// Everything <see cref="MailDelivery"/> needs: the database and key ring (the same settings as the admin app), the
    /// OAuth clients with token refresh (and its background job), and SMTP sending. The admin app calls it; so does an
    /// application that sends its mail through the configured servers.
    /// </summary>
    public static IHostApplicationBuilder AddMailDelivery(this IHostApplicationBuilder builder)
    {
        builder.AddAppDatabase();
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();
        services.TryAddScoped<CurrentAdministrator>();
        services.TryAddScoped<AuditLog>();
        services.TryAddSingleton<SecretVault>();
        services.TryAddScoped<MailServerStore>();
        services.AddOAuth(builder.Configuration);
        services.AddSmtpSending(builder.Configuration);
        services.TryAddScoped<MailDelivery>();
        return builder;
    }
}
