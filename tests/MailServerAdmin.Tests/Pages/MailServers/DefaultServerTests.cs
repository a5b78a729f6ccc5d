using AngleSharp.Html.Dom;
using MailServerAdmin.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Pages.MailServers;

public sealed class DefaultServerTests
{
    [Fact]
    public async Task The_first_server_created_becomes_the_default()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();

        var list = await client.CreateServerAsync(ServerForms.Basic("First"));
        await client.CreateServerAsync(ServerForms.Basic("Second"));

        Assert.Contains("It is the default server.", list.StatusMessage(), StringComparison.Ordinal);
        Assert.Equal(["First"], await DefaultsAsync(app));
    }

    [Fact]
    public async Task Checking_default_on_a_new_server_takes_it_from_the_other_and_names_it()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("First"));

        var list = await client.CreateServerAsync(ServerForms.Basic("Second").With("Input.IsDefault", "true"));

        Assert.Contains("It is now the default server; 'First' is no longer the default.", list.StatusMessage(), StringComparison.Ordinal);
        Assert.Equal(["Second"], await DefaultsAsync(app));
        Assert.Equal("Second", DefaultBadgeRow(list));
    }

    [Fact]
    public async Task Checking_default_when_editing_takes_it_from_the_other_and_names_it()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("First"));
        await client.CreateServerAsync(ServerForms.Basic("Second"));
        var id = await client.FindIdAsync("Second");

        var form = await client.GetPageAsync($"/MailServers/Edit/{id}");
        var list = await client.SubmitAndReadAsync(form, new Dictionary<string, string?> { ["Input.IsDefault"] = "true" });

        Assert.Contains("Mail server 'Second' saved. It is now the default server; 'First' is no longer the default.", list.StatusMessage(), StringComparison.Ordinal);
        Assert.Equal(["Second"], await DefaultsAsync(app));
    }

    [Fact]
    public async Task Make_default_on_the_list_moves_the_badge_and_names_the_server_that_lost_it()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("First"));
        var list = await client.CreateServerAsync(ServerForms.Basic("Second"));
        var id = await client.FindIdAsync("Second");

        var after = await client.SubmitAndReadAsync(list, button: $"tr[data-server-id='{id}'] button[data-action=make-default]");

        Assert.Equal("'Second' is now the default server; 'First' is no longer the default.", after.StatusMessage().Split('\n')[0].Trim());
        Assert.Equal("Second", DefaultBadgeRow(after));
        Assert.Equal(["Second"], await DefaultsAsync(app));
    }

    [Fact]
    public async Task Unchecking_the_only_default_leaves_none_and_the_list_warns()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("Only"));
        var id = await client.FindIdAsync("Only");

        var form = await client.GetPageAsync($"/MailServers/Edit/{id}");
        Assert.Equal("true", form.ValueOf("Input.IsDefault"));
        var list = await client.SubmitAndReadAsync(form, new Dictionary<string, string?> { ["Input.IsDefault"] = "false" });

        Assert.Empty(await DefaultsAsync(app));
        Assert.NotNull(list.QuerySelector("[data-testid=no-default]"));
    }

    [Fact]
    public async Task Many_parallel_make_default_requests_end_with_exactly_one_default()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        IHtmlDocument list = null!;
        for (var i = 0; i < 20; i++)
        {
            list = await client.CreateServerAsync(ServerForms.Basic($"Server {i:D2}"));
        }

        var forms = list.QuerySelectorAll("tbody tr[data-server-id]")
            .Where(row => row.QuerySelector("button[data-action=make-default]") is not null)
            .Select(row => $"tr[data-server-id='{row.GetAttribute("data-server-id")}'] button[data-action=make-default]")
            .ToList();
        Assert.Equal(19, forms.Count);

        var responses = await Task.WhenAll(forms.Select(async selector =>
        {
            using var response = await client.SubmitAsync(list, button: selector);
            return response.StatusCode;
        }));

        Assert.All(responses, status => Assert.Equal(System.Net.HttpStatusCode.OK, status));
        Assert.Single(await DefaultsAsync(app));
    }

    [Fact]
    public async Task Parallel_creates_that_each_ask_to_be_default_end_with_exactly_one_default()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        var form = await client.GetPageAsync("/MailServers/Create");

        var responses = await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
        {
            using var response = await client.SubmitAsync(form, ServerForms.Basic($"Parallel {i}").With("Input.IsDefault", "true"));
            return response.StatusCode;
        }));

        Assert.All(responses, status => Assert.Equal(System.Net.HttpStatusCode.OK, status));
        Assert.Equal(12, await app.WithDbAsync(db => db.MailServers.CountAsync()));
        Assert.Single(await DefaultsAsync(app));
    }

    [Fact]
    public async Task The_database_itself_refuses_a_second_default()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("First"));
        await client.CreateServerAsync(ServerForms.Basic("Second"));

        await Assert.ThrowsAsync<DbUpdateException>(() => app.WithDbAsync(async db =>
        {
            var second = await db.MailServers.SingleAsync(s => s.Name == "Second");
            second.IsDefault = true;
            await db.SaveChangesAsync();
        }));
        Assert.Equal(["First"], await DefaultsAsync(app));
    }

    private static Task<List<string>> DefaultsAsync(AppFactory app) =>
        app.WithDbAsync(db => db.MailServers.Where(s => s.IsDefault).Select(s => s.Name).ToListAsync());

    private static string DefaultBadgeRow(IHtmlDocument list) =>
        list.QuerySelectorAll("[data-testid=default-badge]").Single().ParentElement!.QuerySelector("a")!.TextContent.Trim();
}
