using System.Text.RegularExpressions;
using MailServerAdmin.BrowserTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace MailServerAdmin.BrowserTests.Journeys;

/// <summary>First run, signing in and out, and every page checked with axe-core.</summary>
[Collection(LiveAppGroup.Name)]
public sealed partial class AccessJourneys(LiveApp live)
{
    [BrowserFact]
    public async Task First_run_set_up_creates_the_administrator_who_then_signs_out_and_in_again()
    {
        var (app, baseUri) = LiveApp.StartEmptyApp();
        using var _ = app;
        var page = await live.NewPageAsync(baseUri: baseUri);
        var code = SetupCode().Match(app.Logs.All).Groups[1].Value;

        await page.GotoAsync("/");
        await page.WaitForURLAsync("**/Account/Login**");
        await Assertions.Expect(page.GetByTestId("setup-pending")).ToBeVisibleAsync();
        await LiveApp.ScreenshotAsync(page, "login");
        await LiveApp.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Create the first administrator" }).ClickAsync();
        await LiveApp.ScreenshotAsync(page, "setup");
        await LiveApp.AssertAccessibleAsync(page);

        await page.GetByLabel("Set-up code").FillAsync("WRONG-CODE-0000-0000");
        await page.GetByLabel("Your e-mail").FillAsync("first@example.com");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("first-admin-password");
        await page.GetByLabel("Confirm password").FillAsync("first-admin-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create administrator" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-valmsg-for='Input.Code']")).ToContainTextAsync("That is not the set-up code.");
        await Assertions.Expect(page.GetByLabel("Your e-mail")).ToHaveValueAsync("first@example.com");

        await page.GetByLabel("Set-up code").FillAsync(code);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("first-admin-password");
        await page.GetByLabel("Confirm password").FillAsync("first-admin-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create administrator" }).ClickAsync();
        await page.WaitForURLAsync("**/MailServers");
        await Assertions.Expect(page.GetByTestId("signed-in-as")).ToHaveTextAsync("first@example.com");
        await Assertions.Expect(page.GetByTestId("empty-state")).ToBeVisibleAsync();
        await LiveApp.ScreenshotAsync(page, "list-empty");
        await LiveApp.AssertAccessibleAsync(page);

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync("**/Account/Login");
        await page.GetByLabel("E-mail").FillAsync("first@example.com");
        await page.GetByLabel("Password").FillAsync("first-admin-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/MailServers");
        Assert.Equal(1, await app.WithDbAsync(db => db.Users.CountAsync()));
    }

    [BrowserFact]
    public async Task Every_page_has_no_accessibility_violation_of_any_level()
    {
        var page = await live.SignedInPageAsync();
        var basic = await CreateAsync(page, $"A11y basic {Guid.NewGuid():N}"[..19], oauth: false);
        var oauth = await CreateAsync(page, $"A11y oauth {Guid.NewGuid():N}"[..19], oauth: true);
        await live.App.EnsureAdministratorAsync("other@example.com", "other-admin-password");
        var otherId = await live.App.WithDbAsync(db => db.Users.Where(u => u.Email == "other@example.com").Select(u => u.Id).SingleAsync());

        var pages = new (string Url, string Screenshot)[]
        {
            ("/MailServers", "list-a11y"),
            ("/MailServers/Create", "new"),
            ($"/MailServers/Edit/{basic}", "edit-basic"),
            ($"/MailServers/Edit/{oauth}", "edit-oauth"),
            ($"/MailServers/Delete/{basic}", "delete-a11y"),
            ($"/MailServers/Status/{oauth}", "status-oauth"),
            ("/Audit", "audit-a11y"),
            ("/Administrators", "administrators-a11y"),
            ("/Administrators/Add", "administrator-add"),
            ($"/Administrators/Remove/{otherId}", "administrator-remove"),
            ("/Account/Logout", "logout"),
            ("/oauth/callback?state=unknown", "callback-error"),
            ("/MailServers/Edit/999999", "not-found"),
        };
        foreach (var (url, screenshot) in pages)
        {
            await page.GotoAsync(url);
            await LiveApp.ScreenshotAsync(page, screenshot);
            await LiveApp.AssertAccessibleAsync(page);
        }

        // The form with validation messages, too.
        await page.GotoAsync("/MailServers/Create");
        await Forms.SaveAsync(page);
        await LiveApp.AssertAccessibleAsync(page);
    }

    private static async Task<int> CreateAsync(IPage page, string name, bool oauth)
    {
        await page.GotoAsync("/MailServers/Create");
        await Forms.FillBasicDataAsync(page, name);
        if (oauth)
        {
            await Forms.ChooseOAuthAsync(page, "Manual");
            await page.GetByLabel("Client ID").FillAsync("a11y-client");
            await page.Locator("#Input_TokenUrl").FillAsync("https://auth.example.com/token");
            await page.Locator("#Input_RevocationUrl").FillAsync("https://auth.example.com/revoke");
            await page.Locator("#Input_AccessToken").FillAsync("a11y-access");
            await page.Locator("#Input_RefreshToken").FillAsync("a11y-refresh");
        }
        else
        {
            await page.GetByLabel("Password", new() { Exact = true }).FillAsync("Pa55word!");
        }

        await Forms.SaveAsync(page);
        await Assertions.Expect(Forms.Status(page)).ToContainTextAsync("created");
        var href = await Forms.Row(page, name).GetByRole(AriaRole.Link, new() { Name = name, Exact = true }).GetAttributeAsync("href");
        return int.Parse(href!.Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"set-up code to create the first administrator: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})")]
    private static partial Regex SetupCode();
}
