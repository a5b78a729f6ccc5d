using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.MailServers;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MailServerAdmin.Tests.Pages.MailServers;

/// <summary>When the Data Protection key ring is gone, every page says so and nothing answers 500.</summary>
public sealed class LostKeysTests
{
    private const string Password = "lost-with-the-keys";

    [Fact]
    public async Task Secrets_whose_keys_are_gone_are_shown_as_such_and_can_be_typed_again()
    {
        var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("Relay", Password).With("Input.Host", "127.0.0.1").With("Input.Port", "9"));
        await client.CreateServerAsync(PastedOAuth("Pasted"));
        await app.CheckpointAsync();
        Directory.Delete(app.KeysDirectory, recursive: true);
        using var restarted = app.Restart();
        client = await restarted.CreateBrowserAsync();
        var relay = await client.FindIdAsync("Relay");
        var pasted = await client.FindIdAsync("Pasted");

        var list = await client.GetPageAsync("/MailServers");
        Assert.Equal(2, list.QuerySelectorAll("[data-testid=secrets-unreadable]").Length);

        // The Check page says so, and Test connection and Refresh now explain instead of failing.
        var check = await client.GetPageAsync($"/MailServers/Status/{relay}");
        Assert.NotNull(check.QuerySelector("[data-testid=secrets-unreadable]"));
        var tested = await client.SubmitAndReadAsync(check, button: "[data-testid=test-connection]");
        Assert.Contains("can no longer be decrypted", tested.QuerySelector("[data-testid=smtp-result]")!.TextContent, StringComparison.Ordinal);
        var refreshed = await client.SubmitAndReadAsync(await client.GetPageAsync($"/MailServers/Status/{pasted}"), formSelector: "form[action*='handler=Refresh']");
        Assert.Contains("can no longer be decrypted", refreshed.QuerySelector("[data-testid=error-message]")!.TextContent, StringComparison.Ordinal);

        // The form says what to do; Save without the password is refused, with it typed again it works.
        var edit = await client.GetPageAsync($"/MailServers/Edit/{relay}");
        Assert.NotNull(edit.QuerySelector("[data-testid=password-unreadable]"));
        var refused = await client.SubmitAndReadAsync(edit, new Dictionary<string, string?> { ["Input.SenderName"] = "Renamed" });
        Assert.Equal("A password is stored, but this app can no longer decrypt it (its keys are gone): type it again.", refused.ErrorFor("Input.Password"));
        Assert.Equal("Renamed", refused.ValueOf("Input.SenderName"));
        var saved = await client.SubmitAndReadAsync(refused, new Dictionary<string, string?> { ["Input.SenderName"] = "Renamed", ["Input.Password"] = Password });
        Assert.Equal("/MailServers", saved.Location.PathName);
        Assert.Equal(Password, restarted.Secret(await restarted.WithDbAsync(db => db.MailServers.SingleAsync(s => s.Id == relay)), SecretField.Password));

        // Pasting the tokens again makes the OAuth server whole.
        var oauthEdit = await client.GetPageAsync($"/MailServers/Edit/{pasted}");
        Assert.NotNull(oauthEdit.QuerySelector("[data-testid=tokens-unreadable]"));
        var repasted = await client.SubmitAndReadAsync(oauthEdit, new Dictionary<string, string?> { ["Input.AccessToken"] = "new-access", ["Input.RefreshToken"] = "new-refresh" });
        Assert.Equal("/MailServers", repasted.Location.PathName);
        Assert.Empty(repasted.QuerySelectorAll("[data-testid=secrets-unreadable]"));
    }

    [Fact]
    public async Task Secrets_of_the_first_scheme_are_re_encrypted_with_their_own_purposes_at_start()
    {
        var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("Legacy", Password));
        var legacy = app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(SecretVault.LegacyPurpose).Protect(Password);
        await app.WithDbAsync(db => db.MailServers.ExecuteUpdateAsync(u => u.SetProperty(s => s.ProtectedPassword, legacy).SetProperty(s => s.SecretScheme, 1)));

        using var restarted = app.Restart();

        var server = await restarted.WithDbAsync(db => db.MailServers.SingleAsync());
        Assert.Equal(SecretVault.Scheme, server.SecretScheme);
        Assert.NotEqual(legacy, server.ProtectedPassword);
        Assert.Equal(Password, restarted.Secret(server, SecretField.Password));
    }

    private static Dictionary<string, string?> PastedOAuth(string name) => ServerForms.Basic(name, password: null)
        .With("Input.AuthenticationType", "OAuth")
        .With("Input.Provider", "Manual")
        .With("Input.ClientId", "client")
        .With("Input.TokenUrl", "https://idp.example.net/token")
        .With("Input.AccessToken", "pasted-access")
        .With("Input.RefreshToken", "pasted-refresh");
}
