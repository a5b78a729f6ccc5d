using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MailServerAdmin.Sending;

public static class SmtpSendingServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="SmtpConnectionTester"/> and <see cref="SmtpMailSender"/>, the <c>Smtp</c> options, and
    /// MailKit's own certificate validation as the <see cref="ServerCertificateValidation"/> (a registration made
    /// before this call wins).
    /// </summary>
    public static IServiceCollection AddSmtpSending(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<SmtpOptions>()
            .Bind(configuration.GetSection(SmtpOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        ServerCertificateValidation systemValidation = SmtpSessionClient.ValidateAsMailKitDoes;
        services.TryAddSingleton(systemValidation);
        services.TryAddSingleton<SmtpConnectionTester>();
        services.TryAddSingleton<SmtpMailSender>();
        return services;
    }
}
