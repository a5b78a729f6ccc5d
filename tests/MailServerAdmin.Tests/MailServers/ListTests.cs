using System.Globalization;
using AngleSharp.Html.Dom;
using MailServerAdmin.MailServers;
using MailServerAdmin.Sending;
using MailServerAdmin.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MailServerAdmin.Tests.MailServers;

/// <summary>The list's search, pages, counts and default lookup: right answers at any size, read through indexes.</summary>
public sealed class ListTests
{
    [Fact]
    public async Task Search_finds_a_term_in_the_name_or_the_host_ignoring_case_with_accents_as_typed()
    {
        using var app = new AppFactory();
        await SeedAsync(app, [
            ("Relais Économique", "smtp.one.example"),
            ("Été Mail", "smtp.two.example"),
            ("Quote \"Q\" Relay", "mx.OR-NEAR.example"),
            ("Plain", "mail.cafe-relay.example"),
            ("Büro Versand", "smtp.three.example"),
        ]);
        var client = await app.CreateBrowserAsync();

        Assert.Equal(["Relais Économique"], await SearchAsync(client, "économ"));
        Assert.Equal(["Relais Économique"], await SearchAsync(client, "ÉCONOMIQUE"));
        Assert.Empty(await SearchAsync(client, "econom"));
        Assert.Equal(["Été Mail"], await SearchAsync(client, "ét"));
        Assert.Equal(["Plain"], await SearchAsync(client, "CAFE-RELAY"));
        Assert.Equal(["Büro Versand"], await SearchAsync(client, "bür"));
        Assert.Equal(["Quote \"Q\" Relay"], await SearchAsync(client, "\"q\""));
        Assert.Equal(["Quote \"Q\" Relay"], await SearchAsync(client, "or-near"));
        Assert.Equal(["Plain", "Quote \"Q\" Relay", "Relais Économique"], await SearchAsync(client, "la"));
        Assert.Empty(await SearchAsync(client, "*"));
        Assert.Empty(await SearchAsync(client, "relay OR plain"));
    }

    [Fact]
    public async Task A_renamed_or_deleted_server_is_found_by_what_it_is_now()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("Old Name"));
        await client.CreateServerAsync(ServerForms.Basic("Going Away"));
        var id = await client.FindIdAsync("Old Name");

        var edit = await client.GetPageAsync($"/MailServers/Edit/{id}");
        var saved = await client.SubmitAndReadAsync(edit, new Dictionary<string, string?>
        {
            ["Input.Name"] = "New Name",
            ["Input.Host"] = "relay.renamed.example",
            ["Input.Password"] = "Pa55word!",
        });
        Assert.Equal("/MailServers", saved.Location.PathName);
        var delete = await client.GetPageAsync($"/MailServers/Delete/{await client.FindIdAsync("Going Away")}");
        await client.SubmitAndReadAsync(delete);

        Assert.Empty(await SearchAsync(client, "old name"));
        Assert.Equal(["New Name"], await SearchAsync(client, "new name"));
        Assert.Equal(["New Name"], await SearchAsync(client, "renamed.example"));
        Assert.Empty(await SearchAsync(client, "going"));
    }

    [Fact]
    public async Task Next_and_previous_pages_show_every_server_exactly_once()
    {
        using var app = new AppFactory();
        var names = Enumerable.Range(0, 160).Select(i => (i % 3 == 0 ? "alpha " : i % 3 == 1 ? "Beta " : "GAMMA ") + i.ToString("D3", CultureInfo.InvariantCulture)).ToList();
        await SeedAsync(app, names.Select(n => (n, "smtp.example.com")).ToList());
        var client = await app.CreateBrowserAsync();
        var expected = names.OrderBy(n => n.ToUpperInvariant(), StringComparer.Ordinal).ToList();

        var (forward, last) = await WalkAsync(client, "/MailServers", "next");
        Assert.Equal(expected, forward);
        Assert.Contains("Page 7 of 7", last.QuerySelector("nav[aria-label=Pages]")!.TextContent, StringComparison.Ordinal);

        var (backward, first) = await WalkAsync(client, last.Location.Href, "prev");
        Assert.Equal(expected, backward);
        Assert.Contains("Page 1 of 7", first.QuerySelector("nav[aria-label=Pages]")!.TextContent, StringComparison.Ordinal);

        // A page's link can be shared: opened in another browser, it shows the same servers.
        var page3 = (await client.GetPageAsync("/MailServers")).QuerySelector<IHtmlAnchorElement>("a[rel=next]")!.Href;
        page3 = (await client.GetPageAsync(page3)).QuerySelector<IHtmlAnchorElement>("a[rel=next]")!.Href;
        Assert.Contains("after=", page3, StringComparison.Ordinal);
        var other = await app.CreateBrowserAsync();
        Assert.Equal(expected.Skip(50).Take(25), Names(await other.GetPageAsync(page3)));

        // The last page by its number, and a number past the end.
        Assert.Equal(expected.Skip(150), Names(await client.GetPageAsync("/MailServers?p=7")));
        Assert.Equal(expected.Skip(150), Names(await client.GetPageAsync("/MailServers?p=99")));
        Assert.Equal(expected.Skip(100).Take(25), Names(await client.GetPageAsync("/MailServers?p=5")));
    }

    [Fact]
    public async Task Search_pages_show_every_match_exactly_once_whether_few_or_many_match()
    {
        using var app = new AppFactory();
        var rows = Enumerable.Range(0, 1_100)
            .Select(i => (string.Create(CultureInfo.InvariantCulture, $"node-{i:D4}"), i % 20 == 0 ? "rare.example.org" : "smtp.example.com"))
            .ToList();
        await SeedAsync(app, rows);
        var client = await app.CreateBrowserAsync();

        // 55 match through the index: counted exactly.
        var (rare, rareLast) = await WalkAsync(client, "/MailServers?q=RARE.example", "next");
        Assert.Equal(rows.Where(r => r.Item2.StartsWith("rare", StringComparison.Ordinal)).Select(r => r.Item1), rare);
        Assert.Contains("55 servers", rareLast.QuerySelector("[data-testid=total]")!.TextContent, StringComparison.Ordinal);

        // All 1,100 match: more than the list counts, paged along the names.
        var (all, allLast) = await WalkAsync(client, "/MailServers?q=example", "next");
        Assert.Equal(rows.Select(r => r.Item1), all);
        Assert.Contains("More than 1000 servers", allLast.QuerySelector("[data-testid=total]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("example", allLast.QuerySelector<IHtmlInputElement>("#q")!.Value);

        // A page number from a hand-made link, past any end, is a page (empty), not an error.
        foreach (var url in new[] { "/MailServers?q=example&p=2147483647", "/MailServers?q=example&after=%F0%9F%98%80&p=-5", "/MailServers?p=2147483647" })
        {
            await client.GetPageAsync(url);
        }
    }

    [Fact]
    public async Task The_total_follows_every_create_and_delete()
    {
        using var app = new AppFactory();
        await SeedAsync(app, Enumerable.Range(0, 30).Select(i => (string.Create(CultureInfo.InvariantCulture, $"s{i:D2}"), "smtp.example.com")).ToList());
        var client = await app.CreateBrowserAsync();
        Assert.Contains("30 servers", await TotalAsync(client), StringComparison.Ordinal);

        await client.CreateServerAsync(ServerForms.Basic("One More"));
        Assert.Contains("31 servers", await TotalAsync(client), StringComparison.Ordinal);
        await client.SubmitAndReadAsync(await client.GetPageAsync($"/MailServers/Delete/{await client.FindIdAsync("s07")}"));
        await client.SubmitAndReadAsync(await client.GetPageAsync($"/MailServers/Delete/{await client.FindIdAsync("s08")}"));
        Assert.Contains("29 servers", await TotalAsync(client), StringComparison.Ordinal);
    }

    [SqliteFact("SQLite query plans")]
    [Trait("Database", "Sqlite")]
    public async Task The_list_and_the_default_lookup_read_indexes_and_never_the_whole_table()
    {
        using var app = new AppFactory();
        await SeedAsync(app, Enumerable.Range(0, 60).Select(i => (string.Create(CultureInfo.InvariantCulture, $"s{i:D2}"), "smtp.example.com")).ToList());
        var client = await app.CreateBrowserAsync();
        var second = (await client.GetPageAsync("/MailServers")).QuerySelector<IHtmlAnchorElement>("a[rel=next]")!.Href;

        app.Sql.Clear();
        await client.GetPageAsync("/MailServers");
        await client.GetPageAsync(second);
        await client.GetPageAsync("/MailServers?p=3");
        await client.GetPageAsync("/MailServers?q=s45");
        var listCommands = app.Sql.Commands.Where(c => c.Contains("MailServers", StringComparison.Ordinal)).ToList();
        Assert.True(listCommands.Count >= 8, string.Join("\n\n", listCommands));

        // The sending service's lookup of the default server, as the business application makes it.
        app.Sql.Clear();
        await using (var scope = app.Services.CreateAsyncScope())
        {
            Assert.Equal("s00", (await scope.ServiceProvider.GetRequiredService<MailDelivery>().FindAsync(null, default)).Name);
        }

        var defaultLookup = Assert.Single(app.Sql.Commands);
        await using var connection = new SqliteConnection($"Data Source={app.DatabasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        foreach (var sql in listCommands.Append(defaultLookup))
        {
            var plan = await PlanAsync(connection, sql);
            Assert.False(plan.Any(ReadsEveryRow), $"{sql}\n{string.Join('\n', plan)}");
        }

        Assert.Contains(await PlanAsync(connection, defaultLookup), step => step.Contains("IX_MailServers_SingleDefault", StringComparison.Ordinal));
    }

    [SqliteFact("SQLite file access")]
    [Trait("Database", "Sqlite")]
    public async Task A_secret_that_stops_decrypting_is_flagged_on_the_next_view()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("Relay", "a-password"));
        var id = await client.FindIdAsync("Relay");
        Assert.Empty((await client.GetPageAsync("/MailServers")).QuerySelectorAll("[data-testid=secrets-unreadable]"));

        // Written behind the app's back, with keys it does not have, and nothing else of the row changed.
        var server = await app.WithDbAsync(db => db.MailServers.AsNoTracking().SingleAsync(s => s.Id == id));
        var foreign = new SecretVault(new EphemeralDataProtectionProvider()).Protect(SecretField.Password, id, MailServerSettings.Of(server), "other");
        await app.WithDbAsync(db => db.Database.ExecuteSqlAsync($"UPDATE MailServers SET Password = {foreign} WHERE Id = {id}"));

        Assert.Single((await client.GetPageAsync("/MailServers")).QuerySelectorAll("[data-testid=secrets-unreadable]"));
    }

    [SqliteFact("SQLite FTS5 triggers")]
    [Trait("Database", "Sqlite")]
    public async Task Search_index_and_count_dropped_by_a_table_rebuild_are_restored_at_the_next_start()
    {
        var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("Before"));
        // What a migration that rebuilds the table leaves: the same rows, and no triggers.
        await app.WithDbAsync(async db =>
        {
            await db.Database.ExecuteSqlRawAsync("""
                DROP TRIGGER "MailServers_List_Insert"; DROP TRIGGER "MailServers_List_Delete"; DROP TRIGGER "MailServers_List_Update";
                """);
            db.MailServers.Add(Server("After Rebuild", "smtp.rebuilt.example", DateTime.UtcNow));
            await db.SaveChangesAsync();
        });
        await app.CheckpointAsync();

        using var restarted = app.Restart();
        client = await restarted.CreateBrowserAsync();
        Assert.Equal(["After Rebuild"], await SearchAsync(client, "rebuilt"));
        await client.CreateServerAsync(ServerForms.Basic("Later"));
        Assert.Equal(["Later"], await SearchAsync(client, "later"));
        Assert.Equal(3, await restarted.WithDbAsync(db => db.Database.SqlQuery<int>($"""SELECT "Servers" AS "Value" FROM "MailServerCount" """).SingleAsync()));
    }

    /// <summary>
    /// A step of a query plan that reads the whole table or a whole index. Allowed: the trigram index (and the capped
    /// subquery over it), the one-row count table, the single-default index (one row), and walking the name index in order (the page's LIMIT stops it).
    /// </summary>
    private static bool ReadsEveryRow(string step) =>
        step.StartsWith("SCAN", StringComparison.Ordinal)
        && !step.Contains("VIRTUAL TABLE", StringComparison.Ordinal)
        && !step.Contains("CONSTANT ROW", StringComparison.Ordinal)
        && step != "SCAN MailServerCount"
        && !step.StartsWith("SCAN (subquery", StringComparison.Ordinal)
        && !step.Contains("IX_MailServers_SingleDefault", StringComparison.Ordinal)
        && !step.Contains("USING INDEX IX_MailServers_NormalizedName", StringComparison.Ordinal);

    private static async Task<List<string>> SearchAsync(HttpClient client, string term) =>
        Names(await client.GetPageAsync($"/MailServers?q={Uri.EscapeDataString(term)}"));

    private static async Task<string> TotalAsync(HttpClient client) =>
        (await client.GetPageAsync("/MailServers")).QuerySelector("[data-testid=total]")!.TextContent;

    /// <summary>Follows the rel=next (or prev) links from <paramref name="start"/> to the end; the names in list order.</summary>
    private static async Task<(List<string> Names, IHtmlDocument Last)> WalkAsync(HttpClient client, string start, string rel)
    {
        var page = await client.GetPageAsync(start);
        var pages = new List<List<string>> { Names(page) };
        while (page.QuerySelector<IHtmlAnchorElement>($"a[rel={rel}]") is { } link)
        {
            Assert.True(pages.Count < 100, "the links go round in circles");
            page = await client.GetPageAsync(link.Href);
            pages.Add(Names(page));
        }

        if (rel == "prev")
        {
            pages.Reverse();
        }

        return (pages.SelectMany(p => p).ToList(), page);
    }

    private static async Task<List<string>> PlanAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        var steps = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            steps.Add(reader.GetString(3));
        }

        return steps;
    }

    private static List<string> Names(IHtmlDocument list) =>
        list.QuerySelectorAll("tbody tr td:first-child a").Select(a => a.TextContent.Trim()).ToList();

    private static Task SeedAsync(AppFactory app, IReadOnlyList<(string Name, string Host)> servers) => app.WithDbAsync(async db =>
    {
        var now = DateTime.UtcNow;
        db.MailServers.AddRange(servers.Select((s, i) => Server(s.Name, s.Host, now, isDefault: i == 0)));
        await db.SaveChangesAsync();
    });

    private static MailServer Server(string name, string host, DateTime now, bool isDefault = false) => new()
    {
        Name = name,
        NormalizedName = MailServer.NormalizeName(name),
        Host = host.ToLowerInvariant(),
        Port = 587,
        Security = SmtpSecurity.StartTls,
        SenderEmail = "noreply@example.com",
        IsDefault = isDefault,
        Version = Guid.NewGuid(),
        CreatedUtc = now,
        UpdatedUtc = now,
    };
}
