using MailServerAdmin.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Pages.MailServers;

public sealed class DeleteTests
{
    [Fact]
    public async Task Delete_asks_for_confirmation_then_removes_the_server()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("Keep"));
        await client.CreateServerAsync(ServerForms.Basic("Remove me"));
        var id = await client.FindIdAsync("Remove me");

        var confirm = await client.GetPageAsync($"/MailServers/Delete/{id}");
        Assert.Contains("Delete mail server “Remove me”?", confirm.QuerySelector("h1")!.TextContent, StringComparison.Ordinal);
        Assert.Null(confirm.QuerySelector("[data-testid=deleting-default]"));
        Assert.Equal(2, await app.WithDbAsync(db => db.MailServers.CountAsync()));

        var list = await client.SubmitAndReadAsync(confirm);

        Assert.Equal("Mail server 'Remove me' deleted.", list.StatusMessage().Split('\n')[0].Trim());
        Assert.Equal(["Keep"], await app.WithDbAsync(db => db.MailServers.Select(s => s.Name).ToListAsync()));
    }

    [Fact]
    public async Task Deleting_the_default_warns_first_and_leaves_no_default()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("Default one"));
        await client.CreateServerAsync(ServerForms.Basic("Other"));
        var id = await client.FindIdAsync("Default one");

        var confirm = await client.GetPageAsync($"/MailServers/Delete/{id}");
        Assert.NotNull(confirm.QuerySelector("[data-testid=deleting-default]"));
        var list = await client.SubmitAndReadAsync(confirm);

        Assert.Contains("It was the default server: make another server the default.", list.StatusMessage(), StringComparison.Ordinal);
        Assert.NotNull(list.QuerySelector("[data-testid=no-default]"));
        Assert.False(await app.WithDbAsync(db => db.MailServers.AnyAsync(s => s.IsDefault)));
    }

    [Fact]
    public async Task Deleting_twice_says_it_is_already_gone()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("Twice"));
        var id = await client.FindIdAsync("Twice");
        var confirm = await client.GetPageAsync($"/MailServers/Delete/{id}");

        await client.SubmitAndReadAsync(confirm);
        var again = await client.SubmitAndReadAsync(confirm);

        Assert.Equal("That mail server was already deleted.", again.StatusMessage().Split('\n')[0].Trim());
    }
}
