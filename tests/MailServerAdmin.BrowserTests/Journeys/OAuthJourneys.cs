using MailServerAdmin.MailServers;
using MailServerAdmin.BrowserTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace MailServerAdmin.BrowserTests.Journeys;

/// <summary>OAuth servers in a real browser: Get Token to the test provider and back, pasted tokens, the save rule.</summary>
[Collection(LiveAppGroup.Name)]
public sealed class OAuthJourneys(LiveApp live)
{
    [BrowserFact]
    public async Task Google_get_token_signs_in_at_the_provider_and_comes_back_with_tokens_then_save()
    {
        var page = await live.SignedInPageAsync();
        var name = $"Gmail {Guid.NewGuid():N}"[..14];
        await page.GotoAsync("/MailServers/Create");
        await Forms.FillBasicDataAsync(page, name, host: "smtp.gmail.com");
        await Forms.ChooseOAuthAsync(page, "Google");
        await page.GetByLabel("Client ID").FillAsync(live.Provider.Options.ClientId);
        await page.GetByLabel("Client secret").FillAsync(live.Provider.Options.ClientSecret!);
        await page.Locator("#Input_AuthorizationUrl").FillAsync(live.Provider.GoogleAuthorizationEndpoint.ToString());
        await page.Locator("#Input_TokenUrl").FillAsync(live.Provider.GoogleTokenEndpoint.ToString());
        await page.Locator("#Input_RevocationUrl").FillAsync(live.Provider.GoogleRevocationEndpoint.ToString());

        await page.GetByRole(AriaRole.Button, new() { Name = "Get Token" }).ClickAsync();

        await page.WaitForURLAsync("**/MailServers/Create?draft=*");
        Assert.Equal("consent", live.Provider.LastAuthorizationRequest!["prompt"]);
        await Assertions.Expect(Forms.Status(page)).ToContainTextAsync("Tokens obtained for user@example.test");
        await Assertions.Expect(page.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync(name);
        await Assertions.Expect(page.GetByTestId("token-status")).ToContainTextAsync("Not saved yet");
        await LiveApp.ScreenshotAsync(page, "form-oauth-tokens");
        await LiveApp.AssertAccessibleAsync(page);

        await Forms.SaveAsync(page);
        await Assertions.Expect(Forms.Status(page)).ToContainTextAsync($"Mail server '{name}' created.");
        await Assertions.Expect(Forms.Row(page, name)).ToContainTextAsync("OAuth · Google");
        await Assertions.Expect(Forms.Row(page, name).GetByTestId("token-health")).ToHaveAttributeAsync("data-state", "Valid");
        var stored = await live.App.WithDbAsync(db => db.MailServers.SingleAsync(s => s.Name == name));
        Assert.True(live.Provider.IsValidAccessToken(live.App.Secret(stored, SecretField.AccessToken)));
        Assert.NotNull(live.App.Secret(stored, SecretField.RefreshToken));
    }

    [BrowserFact]
    public async Task Microsoft_get_token_goes_through_microsofts_sign_in_address_and_back()
    {
        var page = await live.SignedInPageAsync();
        var name = $"M365 {Guid.NewGuid():N}"[..13];
        var tenant = Guid.NewGuid().ToString();
        await page.GotoAsync("/MailServers/Create");
        await Forms.FillBasicDataAsync(page, name, host: "smtp.office365.com");
        await Forms.ChooseOAuthAsync(page, "Microsoft");
        await page.Locator("#Input_Tenant").FillAsync(tenant);
        await page.GetByLabel("Client ID").FillAsync(live.Provider.Options.ClientId);
        await page.GetByLabel("Client secret").FillAsync(live.Provider.Options.ClientSecret!);

        await page.GetByRole(AriaRole.Button, new() { Name = "Get Token" }).ClickAsync();

        await page.WaitForURLAsync("**/MailServers/Create?draft=*");
        Assert.Equal(tenant, live.Provider.LastAuthorizationRequest!.Tenant);
        await Assertions.Expect(Forms.Status(page)).ToContainTextAsync("Tokens obtained for user@example.test");
        await Forms.SaveAsync(page);
        await Assertions.Expect(Forms.Status(page)).ToContainTextAsync($"Mail server '{name}' created.");
        await Assertions.Expect(Forms.Row(page, name)).ToContainTextAsync("OAuth · Microsoft");
    }

    [BrowserFact]
    public async Task Manual_configuration_with_pasted_tokens_saves_and_without_refresh_token_is_refused_keeping_the_input()
    {
        var page = await live.SignedInPageAsync();
        var name = $"Manual {Guid.NewGuid():N}"[..15];
        await page.GotoAsync("/MailServers/Create");
        await Forms.FillBasicDataAsync(page, name);
        await Forms.ChooseOAuthAsync(page, "Manual");
        await page.GetByLabel("Client ID").FillAsync("my-client");
        await page.Locator("#Input_TokenUrl").FillAsync("https://auth.example.com/token");
        await page.Locator("#Input_AccessToken").FillAsync("pasted-access-token");

        await Forms.SaveAsync(page);

        await Assertions.Expect(page.Locator(".validation-summary-errors")).ToContainTextAsync("Missing: refresh token.");
        await Assertions.Expect(page.Locator("[data-valmsg-for='Input.RefreshToken']")).ToContainTextAsync("Paste the refresh token, or click Get Token.");
        await Assertions.Expect(page.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync(name);
        await Assertions.Expect(page.GetByLabel("Client ID")).ToHaveValueAsync("my-client");
        await Assertions.Expect(page.GetByLabel("Provider", new() { Exact = true })).ToHaveValueAsync("Manual");
        await Assertions.Expect(page.GetByTestId("retype-tokens")).ToBeVisibleAsync();
        await LiveApp.ScreenshotAsync(page, "form-refused");

        await page.Locator("#Input_AccessToken").FillAsync("pasted-access-token");
        await page.Locator("#Input_RefreshToken").FillAsync("pasted-refresh-token");
        await Forms.SaveAsync(page);

        await Assertions.Expect(Forms.Status(page)).ToContainTextAsync($"Mail server '{name}' created.");
        await Assertions.Expect(Forms.Row(page, name)).ToContainTextAsync("OAuth · Manual configuration");
    }
}
