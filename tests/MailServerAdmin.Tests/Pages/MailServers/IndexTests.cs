using System.Globalization;
using AngleSharp.Html.Dom;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.MailServers;

namespace MailServerAdmin.Tests.Pages.MailServers;

public sealed class IndexTests
{
    [Fact]
    public async Task With_no_servers_the_list_invites_creating_the_first_one()
    {
        using var app = new AppFactory();
        var list = await (await app.CreateBrowserAsync()).GetPageAsync("/MailServers");

        var empty = list.QuerySelector("[data-testid=empty-state]");
        Assert.NotNull(empty);
        Assert.Equal("/MailServers/Create", empty.QuerySelector<IHtmlAnchorElement>("a")!.PathName);
        Assert.Null(list.QuerySelector("table"));
        Assert.Null(list.QuerySelector("[data-testid=no-default]"));
    }

    [Fact]
    public async Task The_home_page_is_the_list()
    {
        using var app = new AppFactory();
        var home = await (await app.CreateBrowserAsync()).GetPageAsync("/");

        Assert.Equal("/MailServers", home.Location.PathName);
        Assert.Equal("Mail servers", home.QuerySelector("h1")!.TextContent.Trim());
    }

    [Fact]
    public async Task Servers_are_listed_by_name_ignoring_case()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        foreach (var name in new[] { "charlie", "Alpha", "bravo" })
        {
            await client.CreateServerAsync(ServerForms.Basic(name));
        }

        var list = await client.GetPageAsync("/MailServers");

        Assert.Equal(["Alpha", "bravo", "charlie"], Names(list));
    }

    [Fact]
    public async Task Ten_thousand_servers_are_paged_25_at_a_time_and_searched_without_loading_the_table()
    {
        using var app = new AppFactory();
        await SeedAsync(app, 10_000);
        var client = await app.CreateBrowserAsync();

        app.Sql.Clear();
        var first = await client.GetPageAsync("/MailServers");
        Assert.Equal(25, Names(first).Count);
        Assert.Equal("server-00000", Names(first)[0]);
        Assert.Contains("Page 1 of 400", first.QuerySelector("nav[aria-label=Pages]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("10000 servers", first.QuerySelector("[data-testid=total]")!.TextContent, StringComparison.Ordinal);
        var listQuery = Assert.Single(app.Sql.Commands, c => c.Contains("ORDER BY", StringComparison.Ordinal));
        Assert.Contains("LIMIT", listQuery, StringComparison.Ordinal);

        var next = await client.GetPageAsync(first.QuerySelector<IHtmlAnchorElement>("a[rel=next]")!.Href);
        Assert.Equal("server-00025", Names(next)[0]);

        var last = await client.GetPageAsync("/MailServers?p=400");
        Assert.Equal(["server-09975", "server-09999"], [Names(last)[0], Names(last)[^1]]);
        Assert.Equal("server-09975", Names(await client.GetPageAsync("/MailServers?p=9999"))[0]);

        // By name, ignoring case: server-00120 to server-00129.
        var byName = await client.GetPageAsync("/MailServers?q=SERVER-0012");
        Assert.Equal(Enumerable.Range(120, 10).Select(i => $"server-{i:D5}"), Names(byName));

        // By host: every 7th server is on relay.example.net.
        var byHost = await client.GetPageAsync("/MailServers?q=relay.example");
        // 1,429 match: more than the list counts.
        Assert.Contains("More than 1000 servers", byHost.QuerySelector("[data-testid=total]")!.TextContent, StringComparison.Ordinal);
        Assert.All(byHost.QuerySelectorAll("tbody tr td:nth-child(2)"), cell => Assert.StartsWith("relay.example.net:", cell.TextContent, StringComparison.Ordinal));
        var secondPage = await client.GetPageAsync(byHost.QuerySelector<IHtmlAnchorElement>("a[rel=next]")!.Href);
        Assert.Equal("relay.example", secondPage.QuerySelector<IHtmlInputElement>("#q")!.Value);
        Assert.Equal("server-00175", Names(secondPage)[0]);

        var none = await client.GetPageAsync("/MailServers?q=no-such-thing");
        Assert.NotNull(none.QuerySelector("[data-testid=no-match]"));
    }

    [Fact]
    public async Task Servers_without_a_default_get_a_warning_banner()
    {
        using var app = new AppFactory();
        await SeedAsync(app, 3, withDefault: false);

        var list = await (await app.CreateBrowserAsync()).GetPageAsync("/MailServers");

        Assert.NotNull(list.QuerySelector("[data-testid=no-default]"));
    }

    private static List<string> Names(IHtmlDocument list) =>
        list.QuerySelectorAll("tbody tr td:first-child a").Select(a => a.TextContent.Trim()).ToList();

    private static Task SeedAsync(AppFactory app, int count, bool withDefault = true) => app.WithDbAsync(async db =>
    {
        var now = DateTime.UtcNow;
        for (var i = 0; i < count; i++)
        {
            var name = string.Create(CultureInfo.InvariantCulture, $"server-{i:D5}");
            db.MailServers.Add(new MailServer
            {
                Name = name,
                NormalizedName = MailServer.NormalizeName(name),
                Host = i % 7 == 0 ? "relay.example.net" : $"smtp{i}.example.com",
                Port = 587,
                Security = SmtpSecurity.StartTls,
                SenderEmail = "noreply@example.com",
                IsDefault = withDefault && i == 0,
                Version = Guid.NewGuid(),
                CreatedUtc = now,
                UpdatedUtc = now,
            });
        }

        await db.SaveChangesAsync();
    });
}
