using System.Globalization;
using System.Resources;
using MailServerAdmin.BrowserTests.Infrastructure;
using MailServerAdmin.Resources;
using Microsoft.Playwright;

namespace MailServerAdmin.BrowserTests.Journeys;

/// <summary>One journey in each language: the browser's language is followed, and the picker changes it.</summary>
[Collection(LiveAppGroup.Name)]
public sealed class LanguageJourneys(LiveApp live)
{
    private static readonly ResourceManager Texts = new("MailServerAdmin.Resources.SharedResource", typeof(SharedResource).Assembly);

    [BrowserFact]
    public Task Create_a_server_in_spanish() => CreateAServerAsync("es", "es-ES");

    [BrowserFact]
    public Task Create_a_server_in_portuguese() => CreateAServerAsync("pt-BR", "pt-BR");

    [BrowserFact]
    public Task Create_a_server_in_english() => CreateAServerAsync("en", "en-US");

    [BrowserFact]
    public async Task The_picker_changes_the_language_and_it_is_remembered()
    {
        var page = await live.SignedInPageAsync("en-US");

        await page.Locator("#culture-picker").SelectOptionAsync("pt-BR");
        await page.GetByTestId("culture-submit").ClickAsync();

        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(Text("Servers_Title", "pt-BR"));
        await page.GotoAsync("/Audit");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "pt-BR");
        await LiveApp.AssertAccessibleAsync(page);
    }

    private async Task CreateAServerAsync(string culture, string browserLocale)
    {
        var page = await live.SignedInPageAsync(browserLocale);
        var name = $"{culture} {Guid.NewGuid():N}"[..12];
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(Text("Servers_Title", culture));

        await page.GetByRole(AriaRole.Link, new() { Name = Text("Servers_New", culture) }).ClickAsync();
        await page.Locator("#Input_Name").FillAsync(name);
        await page.Locator("#Input_Host").FillAsync("smtp.example.com");
        await page.Locator("#Input_SenderEmail").FillAsync("noreply@example.com");
        await page.Locator("#Input_Login").FillAsync("robot@example.com");

        // First a refusal, in the page's language, beside the field (Save clicked once the page has settled, as in Forms.SaveAsync).
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.GetByRole(AriaRole.Button, new() { Name = Text("Common_Save", culture), Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-valmsg-for='Input.Password']")).Not.ToBeEmptyAsync();
        await Assertions.Expect(page.Locator("[data-valmsg-for='Input.Password']")).ToHaveTextAsync(Text("Validation_PasswordRequired", culture));
        await LiveApp.ScreenshotAsync(page, $"form-refused-{culture}");

        await page.Locator("#Input_Password").FillAsync("Pa55word!");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.GetByRole(AriaRole.Button, new() { Name = Text("Common_Save", culture), Exact = true }).ClickAsync();

        await Assertions.Expect(Forms.Status(page)).ToContainTextAsync(string.Format(CultureInfo.InvariantCulture, Text("Status_ServerCreated", culture), name));
        await LiveApp.ScreenshotAsync(page, $"list-{culture}");
        await LiveApp.AssertAccessibleAsync(page);
    }

    private static string Text(string key, string culture) =>
        Texts.GetString(key, CultureInfo.GetCultureInfo(culture)) ?? throw new InvalidOperationException($"No text {key}");
}
