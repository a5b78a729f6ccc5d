using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.MailServers;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Pages.Hostile;

/// <summary>Two servers never have names that read the same, however the characters are encoded.</summary>
public sealed class LookAlikeNameTests(AppFactory app) : IClassFixture<AppFactory>
{
    /// <summary>A name, and one that reads the same.</summary>
    public static TheoryData<string, string> LookAlikes => new()
    {
        { "Relay", "Relay\u200B" },
        { "Relay", "Re\u00ADlay" },
        { "Relay", "Relay\uFE0F" },
        { "Relay", "\uFF32\uFF45\uFF4C\uFF41\uFF59" },
        { "Caf\u00E9", "Cafe\u0301" },
        { "istanbul", "\u0130stanbul" },
        { "ISTANBUL", "\u0131stanbul" },
        { "STRASSE", "stra\u00DFe" },
        { "Strasse", "STRA\u1E9EE" },
        { "\u03C3\u03BF\u03C6\u03BF\u03C3", "\u03A3\u039F\u03A6\u039F\u03C2" },
        { "Main relay", "Main \u00A0 relay" },
        { "file relay", "\uFB01le relay" },
    };

    [Theory]
    [MemberData(nameof(LookAlikes))]
    public async Task A_name_that_reads_the_same_as_another_is_refused_beside_the_name(string existing, string lookAlike)
    {
        var client = await app.CreateBrowserAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        await client.CreateServerAsync(ServerForms.Basic($"{tag} {existing}"));
        var form = await client.GetPageAsync("/MailServers/Create");

        using var response = await client.SubmitAsync(form, ServerForms.Basic($"{tag} {lookAlike}"));
        var page = await response.ReadPageAsync();

        Assert.Equal("/MailServers/Create", page.Location.PathName);
        Assert.Equal($"A server named '{tag} {lookAlike}' already exists (names are compared ignoring case).", page.ErrorFor("Input.Name"));
        Assert.Equal(1, await app.WithDbAsync(db => db.MailServers.CountAsync(s => s.Name.StartsWith(tag))));
    }

    [Fact]
    public async Task Renaming_a_server_to_a_look_alike_of_another_is_refused()
    {
        var client = await app.CreateBrowserAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        await client.CreateServerAsync(ServerForms.Basic($"{tag} Stra\u00DFe"));
        await client.CreateServerAsync(ServerForms.Basic($"{tag} Other"));
        var id = await app.WithDbAsync(db => db.MailServers.Where(s => s.Name == $"{tag} Other").Select(s => s.Id).SingleAsync());
        var edit = await client.GetPageAsync($"/MailServers/Edit/{id}");

        var page = await client.SubmitAndReadAsync(edit, new Dictionary<string, string?> { ["Input.Name"] = $"{tag} STRASSE" });

        Assert.StartsWith($"A server named '{tag} STRASSE' already exists", page.ErrorFor("Input.Name"), StringComparison.Ordinal);
        Assert.Equal($"{tag} Other", await app.WithDbAsync(db => db.MailServers.Where(s => s.Id == id).Select(s => s.Name).SingleAsync()));
    }

    [Theory]
    [InlineData("\u200B")]
    [InlineData("\u00AD\u2060")]
    public async Task A_name_of_invisible_characters_only_is_refused_as_empty(string name)
    {
        var client = await app.CreateBrowserAsync();
        var form = await client.GetPageAsync("/MailServers/Create");

        var page = await client.SubmitAndReadAsync(form, ServerForms.Basic(name));

        Assert.Equal("Enter a name for the server.", page.ErrorFor("Input.Name"));
    }

    [Fact]
    public void Keys_fold_case_width_accents_and_white_space()
    {
        Assert.Equal("CAF\u00C9 RELAY", NameKeys.For("  cafe\u0301\t\u3000\uFF32\uFF25\uFF2C\uFF21\uFF39\u200B "));
        Assert.Equal("STRASSE", NameKeys.For("stra\u00DFe"));
        Assert.Equal(NameKeys.For("\u03C3\u03BF\u03C6\u03BF\u03C3"), NameKeys.For("\u03C3\u03BF\u03C6\u03BF\u03C2"));
        Assert.Equal("\uFFFD", NameKeys.For("\uD800"));
    }

    [Fact]
    public async Task Keys_written_under_the_old_rule_are_recomputed_at_start_and_look_alikes_are_told_apart()
    {
        var first = new AppFactory();
        var client = await first.CreateBrowserAsync();
        var ids = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            await client.CreateServerAsync(ServerForms.Basic($"Seed {i}"));
            ids.Add(await first.WithDbAsync(db => db.MailServers.Where(s => s.Name == $"Seed {i}").Select(s => s.Id).SingleAsync()));
        }

        // As the old rule (trim, upper case) stored them: distinct keys, names that read the same.
        (string Name, DateTime Created)[] old =
        [
            ("Caf\u00E9", new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc)),
            ("Cafe\u0301", new DateTime(2020, 1, 2, 0, 0, 0, DateTimeKind.Utc)),
            ("Relay\u200B", new DateTime(2020, 1, 3, 0, 0, 0, DateTimeKind.Utc)),
            ("stra\u00DFe", new DateTime(2020, 1, 4, 0, 0, 0, DateTimeKind.Utc)),
            ("STRASSE", new DateTime(2019, 12, 31, 0, 0, 0, DateTimeKind.Utc)),
        ];
        for (var i = 0; i < old.Length; i++)
        {
            var (name, created) = old[i];
            var id = ids[i];
            await first.WithDbAsync(db => db.MailServers.Where(s => s.Id == id).ExecuteUpdateAsync(u => u
                .SetProperty(s => s.Name, name)
                .SetProperty(s => s.NormalizedName, name.Trim().ToUpperInvariant())
                .SetProperty(s => s.CreatedUtc, created)));
        }

        using var app = first.Restart();
        var keys = await app.WithDbAsync(db => db.MailServers.ToDictionaryAsync(s => s.Id, s => s.NormalizedName));

        Assert.Equal("CAF\u00C9", keys[ids[0]]);
        Assert.Equal($"CAF\u00C9#{ids[1]}", keys[ids[1]]);
        Assert.Equal("RELAY", keys[ids[2]]);
        Assert.Equal($"STRASSE#{ids[3]}", keys[ids[3]]);
        Assert.Equal("STRASSE", keys[ids[4]]);
        Assert.Contains(app.Logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal)
            && line.Contains($"Mail server {ids[1]} ", StringComparison.Ordinal) && line.Contains($"older server {ids[0]}", StringComparison.Ordinal));
        Assert.Contains(app.Logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal)
            && line.Contains($"Mail server {ids[3]} ", StringComparison.Ordinal) && line.Contains($"older server {ids[4]}", StringComparison.Ordinal));

        // The app works, and the newer look-alike must be renamed before it is saved again.
        var browser = await app.CreateBrowserAsync();
        Assert.Equal(5, (await browser.GetPageAsync("/MailServers")).QuerySelectorAll("tbody tr").Length);
        var edit = await browser.GetPageAsync($"/MailServers/Edit/{ids[1]}");
        var refused = await browser.SubmitAndReadAsync(edit);
        Assert.StartsWith("A server named 'Cafe\u0301' already exists", refused.ErrorFor("Input.Name"), StringComparison.Ordinal);
        await browser.SubmitAndReadAsync(refused, new Dictionary<string, string?> { ["Input.Name"] = "Caf\u00E9 annex", ["Input.Password"] = "Pa55word!" });
        Assert.Equal("CAF\u00C9 ANNEX", await app.WithDbAsync(db => db.MailServers.Where(s => s.Id == ids[1]).Select(s => s.NormalizedName).SingleAsync()));
    }

    /// <summary>Names, and keys another rule gave them: each alone is enough to need the keys recomputed.</summary>
    public static TheoryData<string, string, string> StaleKeys => new()
    {
        { "Main relay", "main relay", "MAIN RELAY" },
        { "Backup  relay", "BACKUP  RELAY", "BACKUP RELAY" },
        { " Leading", " LEADING", "LEADING" },
        { "Trailing ", "TRAILING ", "TRAILING" },
        { "\tTabbed", "\tTABBED", "TABBED" },
        { "Caf\u00E9", "CAFE", "CAF\u00C9" },
    };

    [Theory]
    [MemberData(nameof(StaleKeys))]
    public async Task A_stale_key_is_recomputed_at_start_and_the_current_ones_are_kept(string name, string staleKey, string key)
    {
        var first = new AppFactory();
        var client = await first.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("Stale"));
        await client.CreateServerAsync(ServerForms.Basic("Current"));
        var id = await first.WithDbAsync(db => db.MailServers.Where(s => s.Name == "Stale").Select(s => s.Id).SingleAsync());
        await first.WithDbAsync(db => db.MailServers.Where(s => s.Id == id).ExecuteUpdateAsync(u => u
            .SetProperty(s => s.Name, name)
            .SetProperty(s => s.NormalizedName, staleKey)));

        using var app = first.Restart();

        var keys = await app.WithDbAsync(db => db.MailServers.OrderBy(s => s.Id).Select(s => s.NormalizedName).ToListAsync());
        Assert.Equal([key, "CURRENT"], keys);
        Assert.Contains(app.Logs.Lines, line => line.Contains("Recomputed the name keys of 1 mail servers", StringComparison.Ordinal));
    }
}
