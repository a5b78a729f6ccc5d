using Microsoft.Playwright;

namespace MailServerAdmin.BrowserTests.Journeys;

/// <summary>Filling the mail server form the way an administrator does.</summary>
internal static class Forms
{
    public static async Task FillBasicDataAsync(IPage page, string name, string host = "smtp.example.com", int port = 587)
    {
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await page.GetByLabel("Server", new() { Exact = true }).FillAsync(host);
        await page.GetByLabel("Port", new() { Exact = true }).FillAsync($"{port}");
        await page.GetByLabel("User name", new() { Exact = true }).FillAsync("user@example.test");
        await page.GetByLabel("Sender's e-mail").FillAsync("noreply@example.com");
        await page.GetByLabel("Sender's display name").FillAsync("Example Robot");
    }

    public static async Task ChooseOAuthAsync(IPage page, string provider)
    {
        await page.GetByLabel("OAuth 2.0").CheckAsync();
        await page.GetByLabel("Provider", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Value = provider });
    }

    /// <summary>The success message at the top of a page.</summary>
    public static ILocator Status(IPage page) => page.Locator(".alert-success[role=status]");

    /// <summary>
    /// Clicks Save once the page has settled (its scripts loaded and idle), as a person would: a click in the very moment
    /// the page's validation scripts start was seen not to submit when the machine was busy.
    /// </summary>
    public static async Task SaveAsync(IPage page)
    {
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save", Exact = true }).ClickAsync();
    }

    public static ILocator Row(IPage page, string name) =>
        page.Locator("tbody tr").Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = name, Exact = true }) });
}
