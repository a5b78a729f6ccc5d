using MailServerAdmin.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Pages.MailServers;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task The_second_of_two_admins_saving_the_same_server_is_refused_with_their_input_kept()
    {
        using var app = new AppFactory();
        var alice = await app.CreateBrowserAsync();
        var bob = await app.CreateBrowserAsync();
        await alice.CreateServerAsync(ServerForms.Basic("Shared"));
        var id = await alice.FindIdAsync("Shared");

        var aliceForm = await alice.GetPageAsync($"/MailServers/Edit/{id}");
        var bobForm = await bob.GetPageAsync($"/MailServers/Edit/{id}");
        await alice.SubmitAndReadAsync(aliceForm, new Dictionary<string, string?> { ["Input.Host"] = "alice.example.com", ["Input.Password"] = "Pa55word!" });

        var refused = await bob.SubmitAndReadAsync(bobForm, new Dictionary<string, string?>
        {
            ["Input.Host"] = "bob.example.com",
            ["Input.Password"] = "Pa55word!",
            ["Input.SenderName"] = "Bob's robot",
        });

        Assert.Equal($"/MailServers/Edit/{id}", refused.Location.PathName);
        Assert.Contains("Another administrator changed this server after you opened it, so your changes were not saved.", refused.ValidationSummary(), StringComparison.Ordinal);
        Assert.Equal("bob.example.com", refused.ValueOf("Input.Host"));
        Assert.Equal("Bob's robot", refused.ValueOf("Input.SenderName"));
        Assert.Contains("alice.example.com", refused.QuerySelector("[data-testid=conflict-current]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("alice.example.com", (await app.WithDbAsync(db => db.MailServers.SingleAsync())).Host);

        // Having seen the other change, saving again is a deliberate overwrite.
        var saved = await bob.SubmitAndReadAsync(refused, new Dictionary<string, string?> { ["Input.Password"] = "Pa55word!" });
        Assert.Equal("/MailServers", saved.Location.PathName);
        Assert.Equal("bob.example.com", (await app.WithDbAsync(db => db.MailServers.SingleAsync())).Host);
    }

    [Fact]
    public async Task A_form_opened_before_the_server_lost_the_default_cannot_silently_restore_it()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("First"));
        var list = await client.CreateServerAsync(ServerForms.Basic("Second"));
        var firstId = await client.FindIdAsync("First");
        var secondId = await client.FindIdAsync("Second");

        var staleForm = await client.GetPageAsync($"/MailServers/Edit/{firstId}");
        await client.SubmitAndReadAsync(list, button: $"tr[data-server-id='{secondId}'] button[data-action=make-default]");
        var refused = await client.SubmitAndReadAsync(staleForm);

        Assert.Contains("Another administrator changed this server", refused.ValidationSummary(), StringComparison.Ordinal);
        Assert.Equal(["Second"], await app.WithDbAsync(db => db.MailServers.Where(s => s.IsDefault).Select(s => s.Name).ToListAsync()));
    }
}
