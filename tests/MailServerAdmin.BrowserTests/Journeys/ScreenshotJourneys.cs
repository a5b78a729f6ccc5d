using MailServerAdmin.BrowserTests.Infrastructure;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Web.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace MailServerAdmin.BrowserTests.Journeys;

/// <summary>
/// The README's screenshots, taken from the demo data (<c>--demo</c>) in each language, on an app of their own so that
/// no other journey's servers show. They are kept in the test output's screenshots folder as <c>readme-*.png</c>; the
/// README says how to copy them to <c>docs/screenshots/</c>.
/// </summary>
[Collection(LiveAppGroup.Name)]
public sealed class ScreenshotJourneys(LiveApp live)
{
    [BrowserFact]
    public async Task Screenshots_of_the_demo_data_in_every_language()
    {
        // An empty database of its own, and the public address a real installation would show as its redirect URI.
        using var app = new AppFactory
        {
            EnvironmentName = "Development",
            Settings = new Dictionary<string, string?> { ["PublicBaseUrl"] = "https://mail-admin.example.com" },
        };
        app.UseKestrel(0);
        app.StartServer();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var baseUri = new Uri(address.Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
        Assert.True((await DemoData.LoadAsync(app.Services)).Loaded);
        var id = await app.WithDbAsync(db => db.MailServers.Where(s => s.Name == DemoData.DefaultServerName).Select(s => s.Id).SingleAsync());
        await app.EnsureAdministratorAsync(LiveApp.AdminEmail, LiveApp.AdminPassword);

        foreach (var (culture, locale) in new[] { ("en", "en-US"), ("es", "es-ES"), ("pt-BR", "pt-BR") })
        {
            var page = await live.NewPageAsync(locale, baseUri);
            await page.GotoAsync("/Account/Login");
            await page.FillAsync("#Input_Email", LiveApp.AdminEmail);
            await page.FillAsync("#Input_Password", LiveApp.AdminPassword);
            await page.ClickAsync("main button[type=submit]");
            await page.WaitForURLAsync("**/MailServers");
            await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", culture);
            await Assertions.Expect(page.Locator("tr[data-server-id]")).ToHaveCountAsync(6);

            var suffix = culture == "en" ? "" : $"-{culture}";
            await ScreenshotAsync(page, $"readme-list{suffix}", fullPage: true);

            await page.GotoAsync($"/MailServers/Edit/{id}");
            await Assertions.Expect(page.Locator("#Input_Name")).ToHaveValueAsync(DemoData.DefaultServerName);
            await ScreenshotAsync(page, $"readme-form{suffix}", fullPage: true);
            await page.Context.CloseAsync();
        }
    }

    private static async Task ScreenshotAsync(IPage page, string name, bool fullPage) =>
        await page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = Path.Combine(LiveApp.ScreenshotDirectory, $"{name}.png"),
            FullPage = fullPage,
            // No blinking caret or running transition in a picture that is kept in the repository.
            Animations = ScreenshotAnimations.Disabled,
            Caret = ScreenshotCaret.Hide,
        });
}
