using MailServerAdmin.Data;
using MailServerAdmin.Sending;
using MailServerAdmin.Tests.Faults;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Tests.Infrastructure.Delivery;
using MailServerAdmin.Tests.Infrastructure.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace MailServerAdmin.Tests.Sending;

/// <summary>The warm-up an application's start does for its first send: it never sends, and never stops the start.</summary>
public sealed class WarmUpTests(DeliveryFixture delivery) : IClassFixture<DeliveryFixture>
{
    [SmtpPeerFact]
    public async Task Starting_an_application_sends_nothing_and_its_first_send_then_goes_through()
    {
        var client = await delivery.App.CreateBrowserAsync();
        await client.CreateServerAsync(delivery.BasicValues($"Warm default {Guid.NewGuid():N}").With("Input.IsDefault", "true"));
        var logs = new CapturedLogs();
        using var host = Application(delivery.App, logs, services =>
            services.AddSingleton<ServerCertificateValidation>(delivery.Peer.ValidateServerCertificate));
        var connections = Connections();
        var messages = delivery.Peer.Messages.Count;

        await host.StartAsync();

        Assert.Contains("Sending warmed up", logs.All, StringComparison.Ordinal);
        Assert.Equal(connections, Connections());
        Assert.Equal(messages, delivery.Peer.Messages.Count);
        var recipient = $"{Guid.NewGuid():N}@example.net";
        await using var scope = host.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<MailDelivery>().SendAsync(
            new MimeMessage { To = { MailboxAddress.Parse(recipient) }, Subject = "After the warm-up", Body = new TextPart("plain") { Text = "x" } });
        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Single(delivery.Peer.Messages, m => m.RcptTos.Contains(recipient));
        await host.StopAsync();

        int Connections() => delivery.Peer.Events.Count(e => e.Kind == "connect");
    }

    [Fact]
    public async Task The_admin_app_warms_up_sending_in_the_background_once_it_has_started()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();

        // It answers, and the warm-up (which runs after the start, not as part of it) is done soon after.
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync(new Uri("/MailServers", UriKind.Relative))).StatusCode);
        await Eventually.TrueAsync(() => app.Logs.Lines.Any(l => l.Contains("Sending warmed up", StringComparison.Ordinal)), TimeSpan.FromSeconds(20), "the warm-up");
        Assert.True(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SendingWarmUpOptions>>().Value.AfterStart);
    }

    [SqliteFact("makes SQLite itself unreadable")]
    [Trait("Database", "Sqlite")]
    public async Task A_database_that_cannot_be_opened_at_start_is_logged_and_the_application_starts()
    {
        var sick = new SickDatabase { Sickness = Sickness.Unreadable };
        var logs = new CapturedLogs();
        using var host = Application(delivery.App, logs, services =>
            services.ConfigureDbContext<AppDbContext>(options => options.AddInterceptors(sick)));

        await host.StartAsync();

        Assert.Contains("Sending could not be warmed up at start", logs.All, StringComparison.Ordinal);
        Assert.Contains("SQLite Error 14", logs.All, StringComparison.OrdinalIgnoreCase);
        await host.StopAsync();
    }

    /// <summary>A business application on the admin app's database and key ring, registered as the README says.</summary>
    private static IHost Application(AppFactory app, CapturedLogs logs, Action<IServiceCollection> services)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            [DatabaseSettings.ProviderSetting] = app.Postgres is null ? nameof(DatabaseProvider.Sqlite) : nameof(DatabaseProvider.Postgres),
            [DatabaseSettings.ConnectionStringSetting] = app.ConnectionString,
            [DatabaseSettings.KeyStoreSetting] = nameof(KeyRingStore.Directory),
            [AppDatabase.KeysDirectorySetting] = app.KeysDirectory,
        });
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Debug).AddProvider(logs);
        builder.AddMailServers();
        services(builder.Services);
        return builder.Build();
    }
}
