using MailServerAdmin.MailServers;
using MailServerAdmin.OAuth;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Web.Hosting;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Hosting;

/// <summary>The demo data (<c>--demo</c>): realistic servers saved through the store, only into an empty database.</summary>
public sealed class DemoDataTests
{
    [Fact]
    public async Task Loading_the_demo_data_saves_six_working_servers_with_one_default_and_a_second_load_refuses()
    {
        using var app = new AppFactory();

        var loaded = await DemoData.LoadAsync(app.Services);

        Assert.True(loaded.Loaded);
        var servers = await app.WithDbAsync(db => db.MailServers.AsNoTracking().OrderBy(s => s.Id).ToListAsync());
        Assert.Equal(
            ["Microsoft 365 (app)", "Gmail – support", "Partner portal (OAuth)", "Office relay", "Internal relay", "Transactional (SendGrid)"],
            servers.Select(s => s.Name));
        Assert.Equal([DemoData.DefaultServerName], servers.Where(s => s.IsDefault).Select(s => s.Name));
        Assert.Equal(
            [OAuthProvider.Microsoft, OAuthProvider.Google, OAuthProvider.Manual],
            servers.Where(s => s.AuthenticationType == AuthenticationType.OAuth).Select(s => s.OAuthProvider!.Value));

        // Only reserved example domains, and secrets that are stored encrypted and are obviously not real.
        Assert.All(servers, s => Assert.Matches(@"@example\.(com|net|org)$", s.SenderEmail));
        var microsoft = servers[0];
        Assert.Equal("m365-demo-refresh-token-not-real", app.Secret(microsoft, SecretField.RefreshToken));
        Assert.Equal("demo-client-secret-not-real", app.Secret(microsoft, SecretField.ClientSecret));
        Assert.True(microsoft.AccessTokenExpiresUtc > DateTime.UtcNow);
        Assert.Equal("SG.demo-api-key-not-real", app.Secret(servers[5], SecretField.Password));

        // The list shows them as an administrator sees them: the default marked, the tokens valid, Basic on Microsoft 365 flagged.
        var client = await app.CreateBrowserAsync();
        var list = await client.GetPageAsync("/MailServers");
        Assert.Equal(6, list.QuerySelectorAll("tr[data-server-id]").Length);
        Assert.Contains(DemoData.DefaultServerName, list.QuerySelector("[data-testid=default-badge]")!.Closest("tr")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(["Valid", "Valid", "Valid"], list.QuerySelectorAll("[data-testid=token-health]").Select(e => e.GetAttribute("data-state")));
        Assert.Contains("Office relay", list.QuerySelector("[data-testid=basic-retirement]")!.Closest("tr")!.TextContent, StringComparison.Ordinal);

        var again = await DemoData.LoadAsync(app.Services);

        Assert.False(again.Loaded);
        Assert.Equal(6, await app.WithDbAsync(db => db.MailServers.CountAsync()));
    }

    [Fact]
    public async Task The_demo_data_is_not_loaded_into_a_database_that_has_a_server()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("Our real relay"));

        var result = await DemoData.RunAsync(app.Services);

        Assert.Equal(1, result);
        Assert.Equal(["Our real relay"], await app.WithDbAsync(db => db.MailServers.Select(s => s.Name).ToListAsync()));
        Assert.Contains("Demo data not loaded: the database already has mail servers", app.Logs.All, StringComparison.Ordinal);
    }
}
