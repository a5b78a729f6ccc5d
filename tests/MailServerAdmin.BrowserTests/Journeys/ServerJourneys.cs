using MailServerAdmin.BrowserTests.Infrastructure;
using Microsoft.Playwright;

namespace MailServerAdmin.BrowserTests.Journeys;

/// <summary>What an administrator does with mail servers, clicked in a real browser.</summary>
[Collection(LiveAppGroup.Name)]
public sealed class ServerJourneys(LiveApp live)
{
    [BrowserFact]
    public async Task Create_a_basic_server_as_the_default_then_edit_it_and_make_another_the_default_then_delete_it()
    {
        var page = await live.SignedInPageAsync();
        var first = $"Relay {Guid.NewGuid():N}"[..14];
        var second = $"Backup {Guid.NewGuid():N}"[..15];

        await page.GetByRole(AriaRole.Link, new() { Name = "New mail server" }).ClickAsync();
        await LiveApp.ScreenshotAsync(page, "new-form");
        await Forms.FillBasicDataAsync(page, first);
        await page.GetByLabel("Default server").CheckAsync();
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("Pa55word!");
        await Forms.SaveAsync(page);

        await Assertions.Expect(Forms.Status(page)).ToContainTextAsync($"Mail server '{first}' created.");
        await Assertions.Expect(Forms.Row(page, first).GetByTestId("default-badge")).ToBeVisibleAsync();

        // Edit.
        await Forms.Row(page, first).GetByRole(AriaRole.Link, new() { Name = $"Edit {first}" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("password-stored")).ToBeVisibleAsync();
        await page.GetByLabel("Sender's display name").FillAsync("Renamed Robot");
        await Forms.SaveAsync(page);
        await Assertions.Expect(Forms.Status(page)).ToContainTextAsync($"Mail server '{first}' saved.");
        await Assertions.Expect(Forms.Row(page, first)).ToContainTextAsync("Renamed Robot <noreply@example.com>");

        // Another server, then make it the default: the first loses it.
        await page.GetByRole(AriaRole.Link, new() { Name = "New mail server" }).ClickAsync();
        await Forms.FillBasicDataAsync(page, second);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("Pa55word!");
        await Forms.SaveAsync(page);
        await Forms.Row(page, second).GetByRole(AriaRole.Button, new() { Name = $"Make default: {second}" }).ClickAsync();
        await Assertions.Expect(Forms.Status(page)).ToContainTextAsync($"'{second}' is now the default server; '{first}' is no longer the default.");
        await Assertions.Expect(Forms.Row(page, second).GetByTestId("default-badge")).ToBeVisibleAsync();
        await Assertions.Expect(Forms.Row(page, first).GetByTestId("default-badge")).ToHaveCountAsync(0);
        await LiveApp.ScreenshotAsync(page, "list");

        // Delete, after the confirmation page.
        await Forms.Row(page, first).GetByRole(AriaRole.Link, new() { Name = $"Delete {first}" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync($"Delete mail server “{first}”?");
        await LiveApp.ScreenshotAsync(page, "delete");
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = true }).ClickAsync();
        await Assertions.Expect(Forms.Status(page)).ToContainTextAsync($"Mail server '{first}' deleted.");
        await Assertions.Expect(Forms.Row(page, first)).ToHaveCountAsync(0);

        // The status message is gone on the next page.
        await page.ReloadAsync();
        await Assertions.Expect(Forms.Status(page)).ToHaveCountAsync(0);
    }

    [BrowserFact]
    public async Task A_broken_rule_shows_its_message_beside_the_field_and_keeps_the_input()
    {
        var page = await live.SignedInPageAsync();
        await page.GotoAsync("/MailServers/Create");
        await Forms.FillBasicDataAsync(page, "Broken", host: "not a host");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("Pa55word!");

        await Forms.SaveAsync(page);

        await Assertions.Expect(page.Locator("[data-valmsg-for='Input.Host']")).ToContainTextAsync("Enter a host name such as smtp.example.com");
        await Assertions.Expect(page.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync("Broken");
        await Assertions.Expect(page.GetByLabel("Server", new() { Exact = true })).ToHaveValueAsync("not a host");
        await Assertions.Expect(page.GetByTestId("retype-password")).ToBeVisibleAsync();
    }

    [BrowserFact]
    public async Task Switching_type_and_provider_shows_the_right_fields_with_the_providers_defaults()
    {
        var page = await live.SignedInPageAsync();
        await page.GotoAsync("/MailServers/Create");

        await Assertions.Expect(page.GetByLabel("Requires authentication")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Client ID")).ToBeHiddenAsync();

        await Forms.ChooseOAuthAsync(page, "Microsoft");
        await Assertions.Expect(page.GetByLabel("Requires authentication")).ToBeHiddenAsync();
        await Assertions.Expect(page.GetByLabel("Client ID")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#Input_Tenant")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#Input_RevocationUrl")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#Input_TokenUrl")).ToHaveValueAsync("https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token");
        await Assertions.Expect(page.Locator("#Input_Scopes")).ToHaveValueAsync("https://outlook.office.com/SMTP.Send offline_access");
        await LiveApp.ScreenshotAsync(page, "form-oauth-microsoft");

        await page.GetByLabel("Provider", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Value = "Google" });
        await Assertions.Expect(page.Locator("#Input_Tenant")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#Input_RevocationUrl")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#Input_AuthorizationUrl")).ToHaveValueAsync("https://accounts.google.com/o/oauth2/v2/auth");
        await Assertions.Expect(page.Locator("#Input_Scopes")).ToHaveValueAsync("https://mail.google.com/");
        await Assertions.Expect(page.GetByText("you do not need to revoke the app's access")).ToBeVisibleAsync();

        // A value the administrator typed is not replaced by the next provider's default.
        await page.Locator("#Input_Scopes").FillAsync("custom.scope");
        await page.GetByLabel("Provider", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Value = "Manual" });
        await Assertions.Expect(page.Locator("#Input_Scopes")).ToHaveValueAsync("custom.scope");
        await Assertions.Expect(page.Locator("#Input_AuthorizationUrl")).ToHaveValueAsync("");
        await Assertions.Expect(page.Locator("#Input_AccessToken")).ToBeVisibleAsync();

        await page.GetByLabel("Basic (login and password)").CheckAsync();
        await Assertions.Expect(page.GetByLabel("Client ID")).ToBeHiddenAsync();
        await Assertions.Expect(page.GetByLabel("Requires authentication")).ToBeVisibleAsync();
    }

    [BrowserFact]
    public async Task Long_values_do_not_break_the_layout()
    {
        var page = await live.SignedInPageAsync();
        var name = "Long" + new string('x', 90);
        await page.GotoAsync("/MailServers/Create");
        await Forms.FillBasicDataAsync(page, name, host: string.Join('.', Enumerable.Repeat("averyveryverylonglabel", 9)) + ".example.com");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("Pa55word!");
        await Forms.SaveAsync(page);
        await Assertions.Expect(Forms.Status(page)).ToContainTextAsync("created");

        await page.WaitForLoadStateAsync(LoadState.Load);
        foreach (var width in new[] { 1280, 390 })
        {
            await page.SetViewportSizeAsync(width, 900);
            var overflow = await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth + 1");
            var culprit = await page.EvaluateAsync<string>("() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).map(e => e.tagName + '.' + e.className).slice(0, 5).join(' ; ')");
            Assert.False(overflow, $"The list overflows horizontally at {width}px: {culprit}");
        }

        await LiveApp.ScreenshotAsync(page, "list-narrow");
    }

    [BrowserFact(NeedsSmtpPeer = true)]
    public async Task Test_connection_and_a_test_message_that_arrives_at_the_peer()
    {
        var peer = live.Peer!;
        peer.AcceptBasic("relay@example.com", "Peer-Pa55word!");
        var page = await live.SignedInPageAsync();
        var name = $"Peer {Guid.NewGuid():N}"[..13];
        var recipient = $"{Guid.NewGuid():N}@example.net";

        await page.GotoAsync("/MailServers/Create");
        await Forms.FillBasicDataAsync(page, name, host: peer.Host, port: peer.Port);
        await page.GetByLabel("Login", new() { Exact = true }).FillAsync("relay@example.com");
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("Peer-Pa55word!");
        await page.GetByRole(AriaRole.Button, new() { Name = "Test connection" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("smtp-result")).ToHaveAttributeAsync("data-succeeded", "true");
        await LiveApp.ScreenshotAsync(page, "form-test-connection");

        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("Peer-Pa55word!");
        await Forms.SaveAsync(page);
        await Forms.Row(page, name).GetByRole(AriaRole.Button, new() { Name = $"Test the connection of {name}" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("smtp-result")).ToHaveAttributeAsync("data-succeeded", "true");
        await page.GetByLabel("Send a test message to").FillAsync(recipient);
        await page.GetByRole(AriaRole.Button, new() { Name = "Send test message" }).ClickAsync();
        await Assertions.Expect(page.GetByTestId("smtp-summary")).ToContainTextAsync($"The test message to {recipient} was accepted");
        await page.GetByText("SMTP conversation (credentials hidden)").ClickAsync();
        await Assertions.Expect(page.GetByTestId("smtp-transcript")).Not.ToContainTextAsync("Peer-Pa55word!");
        await LiveApp.ScreenshotAsync(page, "check");

        var arrived = peer.Messages.Single(m => m.RcptTos.Contains(recipient)).ToMimeMessage();
        Assert.Equal("MailServerAdmin test message", arrived.Subject);
        Assert.Equal("noreply@example.com", arrived.From.Mailboxes.Single().Address);
    }

    [BrowserFact]
    public async Task The_whole_form_works_with_the_keyboard_alone()
    {
        var page = await live.SignedInPageAsync();
        var name = $"Keys {Guid.NewGuid():N}"[..13];
        await page.GotoAsync("/MailServers");

        await TabToAsync(page, "a:text('New mail server')");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/MailServers/Create");
        await TabToAsync(page, "#Input_Name");
        await page.Keyboard.TypeAsync(name);
        await TabToAsync(page, "#Input_Host");
        await page.Keyboard.TypeAsync("smtp.example.com");
        await TabToAsync(page, "#Input_SenderEmail");
        await page.Keyboard.TypeAsync("keys@example.com");
        await TabToAsync(page, "#Input_Login");
        await page.Keyboard.TypeAsync("keys@example.com");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("Pa55word!");
        await TabToAsync(page, "button:text('Save')");
        await page.Keyboard.PressAsync("Enter");

        await Assertions.Expect(Forms.Status(page)).ToContainTextAsync($"Mail server '{name}' created.");
    }

    [BrowserFact]
    public async Task Audit_and_administrators_pages_are_reachable_from_the_navigation()
    {
        var page = await live.SignedInPageAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Audit log" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Audit log");
        await LiveApp.ScreenshotAsync(page, "audit");
        await page.GetByRole(AriaRole.Link, new() { Name = "Administrators" }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Administrators");
        await LiveApp.ScreenshotAsync(page, "administrators");
    }

    /// <summary>Presses Tab until the element is focused (or fails after many presses).</summary>
    internal static async Task TabToAsync(IPage page, string selector)
    {
        for (var i = 0; i < 60; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            if (await page.Locator(selector).EvaluateAsync<bool>("el => el === document.activeElement"))
            {
                return;
            }
        }

        Assert.Fail($"Tab never reached {selector} on {page.Url}");
    }
}
