using MailServerAdmin.BrowserTests.Infrastructure;
using MailServerAdmin.Tests.Pages.Account;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace MailServerAdmin.BrowserTests.Journeys;

/// <summary>Two-factor sign-in as an administrator sets it up and uses it, every page checked with axe-core.</summary>
[Collection(LiveAppGroup.Name)]
public sealed class TwoFactorJourneys(LiveApp live)
{
    private const string Email = "two-factor@example.com";
    private const string Password = "two-factor-password";

    [BrowserFact]
    public async Task Set_up_two_factor_then_sign_in_with_a_code_and_with_a_recovery_code()
    {
        await live.App.EnsureAdministratorAsync(Email, Password);
        var page = await live.NewPageAsync();
        await SignInWithPasswordAsync(page);
        await page.WaitForURLAsync("**/MailServers");

        await page.GetByTestId("signed-in-as").ClickAsync();
        await page.WaitForURLAsync("**/Account/Manage");
        await LiveApp.ScreenshotAsync(page, "account");
        await LiveApp.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Set up two-factor sign-in" }).ClickAsync();
        await page.WaitForURLAsync("**/Account/Manage/EnableAuthenticator");

        // The QR code is a data: image, which the Content-Security-Policy lets the browser draw.
        var qr = page.GetByTestId("qr-code");
        await Assertions.Expect(qr).ToBeVisibleAsync();
        Assert.True(await qr.EvaluateAsync<int>("img => img.naturalWidth") > 0, "the QR code was not drawn");
        await LiveApp.ScreenshotAsync(page, "two-factor-set-up");
        await LiveApp.AssertAccessibleAsync(page);
        var key = (await page.GetByTestId("authenticator-key").InnerTextAsync()).Replace(" ", "", StringComparison.Ordinal);

        await page.GetByLabel("Authentication code").FillAsync("000000" == Totp.Code(key) ? "111111" : "000000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify and turn on" }).ClickAsync();
        await Assertions.Expect(page.Locator("[data-valmsg-for='Input.Code']")).ToContainTextAsync("That code does not match the key.");
        await LiveApp.AssertAccessibleAsync(page);
        await page.GetByLabel("Authentication code").FillAsync(Totp.Code(key));
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify and turn on" }).ClickAsync();
        await page.WaitForURLAsync("**/Account/Manage/ShowRecoveryCodes");
        var codes = await page.GetByTestId("recovery-codes").Locator("code").AllInnerTextsAsync();
        Assert.Equal(10, codes.Count);
        await LiveApp.ScreenshotAsync(page, "recovery-codes");
        await LiveApp.AssertAccessibleAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "I have saved them" }).ClickAsync();
        await page.WaitForURLAsync("**/MailServers");

        foreach (var (url, screenshot) in new[]
        {
            ("/Account/Manage", "account-two-factor-on"),
            ("/Account/Manage/ChangePassword", "change-password"),
            ("/Account/Manage/GenerateRecoveryCodes", "new-recovery-codes"),
            ("/Account/Manage/Disable2fa", "two-factor-off"),
        })
        {
            await page.GotoAsync(url);
            await LiveApp.ScreenshotAsync(page, screenshot);
            await LiveApp.AssertAccessibleAsync(page);
        }

        await SignOutAsync(page);
        await SignInWithPasswordAsync(page);
        await page.WaitForURLAsync("**/Account/LoginWith2fa**");
        await LiveApp.ScreenshotAsync(page, "login-code");
        await LiveApp.AssertAccessibleAsync(page);
        await page.GetByLabel("Authentication code").FillAsync(Totp.Code(key));
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/MailServers");
        await Assertions.Expect(page.GetByTestId("signed-in-as")).ToHaveTextAsync(Email);

        await SignOutAsync(page);
        await SignInWithPasswordAsync(page);
        await page.WaitForURLAsync("**/Account/LoginWith2fa**");
        await page.GetByRole(AriaRole.Link, new() { Name = "No access to your app? Sign in with a recovery code" }).ClickAsync();
        await page.WaitForURLAsync("**/Account/LoginWithRecoveryCode**");
        await LiveApp.ScreenshotAsync(page, "login-recovery-code");
        await LiveApp.AssertAccessibleAsync(page);
        await page.GetByLabel("Recovery code").FillAsync(codes[0]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync("**/MailServers");
        await Assertions.Expect(page.GetByTestId("signed-in-as")).ToHaveTextAsync(Email);

        await page.GotoAsync("/Account/Manage");
        await Assertions.Expect(page.GetByTestId("recovery-codes-left")).ToHaveTextAsync("Recovery codes left: 9.");
    }

    [BrowserFact]
    public async Task The_reset_pages_of_the_administrators_page_are_accessible()
    {
        var page = await live.SignedInPageAsync();
        await live.App.EnsureAdministratorAsync("reset-me@example.com", "reset-me-password");
        var id = await live.App.WithDbAsync(db => db.Users.Where(u => u.Email == "reset-me@example.com").Select(u => u.Id).SingleAsync());

        await page.GotoAsync("/Administrators");
        await LiveApp.ScreenshotAsync(page, "administrators-reset");
        await LiveApp.AssertAccessibleAsync(page);
        await page.GotoAsync($"/Administrators/ResetPassword/{id}");
        await LiveApp.ScreenshotAsync(page, "administrator-reset-password");
        await LiveApp.AssertAccessibleAsync(page);
        await page.GotoAsync($"/Administrators/ResetTwoFactor/{id}");
        await LiveApp.ScreenshotAsync(page, "administrator-reset-two-factor");
        await LiveApp.AssertAccessibleAsync(page);
    }

    private static async Task SignInWithPasswordAsync(IPage page)
    {
        await page.GotoAsync("/Account/Login");
        await page.GetByLabel("E-mail").FillAsync(Email);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    private static async Task SignOutAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync("**/Account/Login");
    }
}
