using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.MailServers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MailServerAdmin.Tests.Pages.MailServers;

/// <summary>The password is write-only: encrypted at rest, never sent back, never logged.</summary>
public sealed class SecretTests
{
    private const string Secret = "Sup3r-Secret-Passw0rd";

    [Fact]
    public async Task The_password_never_appears_in_any_response()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("Relay", password: Secret));
        var id = await client.FindIdAsync("Relay");

        var bodies = new List<string>();
        foreach (var url in new[] { "/", "/MailServers", "/MailServers?q=relay", $"/MailServers/Edit/{id}", $"/MailServers/Delete/{id}", "/MailServers/Create" })
        {
            bodies.Add(await client.GetStringAsync(new Uri(url, UriKind.Relative)));
        }

        // A failed save of the edit form re-renders it with the stored password behind it.
        var form = await client.GetPageAsync($"/MailServers/Edit/{id}");
        using (var failed = await client.SubmitAsync(form, new Dictionary<string, string?> { ["Input.Port"] = "0" }))
        {
            bodies.Add(await failed.Content.ReadAsStringAsync());
        }

        // A concurrency conflict re-renders it with the values saved meanwhile.
        var stale = await client.GetPageAsync($"/MailServers/Edit/{id}");
        await client.SubmitAndReadAsync(await client.GetPageAsync($"/MailServers/Edit/{id}"), new Dictionary<string, string?> { ["Input.SenderName"] = "First" });
        using (var conflict = await client.SubmitAsync(stale, new Dictionary<string, string?> { ["Input.SenderName"] = "Second" }))
        {
            bodies.Add(await conflict.Content.ReadAsStringAsync());
        }

        Assert.All(bodies, body => Assert.DoesNotContain(Secret, body, StringComparison.Ordinal));
        Assert.Equal(Secret, app.Secret((await app.WithDbAsync(db => db.MailServers.SingleAsync())), SecretField.Password));
    }

    [SqliteFact("reads the database file")]
    [Trait("Database", "Sqlite")]
    public async Task The_database_column_holds_no_plain_text()
    {
        using var app = new AppFactory();
        await (await app.CreateBrowserAsync()).CreateServerAsync(ServerForms.Basic("Relay", password: Secret));

        var raw = await app.ReadRawAsync("SELECT Password FROM MailServers");

        Assert.NotNull(raw);
        Assert.DoesNotContain(Secret, raw, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(Secret)), raw, StringComparison.Ordinal);
        await app.CheckpointAsync();
        Assert.DoesNotContain(Secret, await File.ReadAllTextAsync(app.DatabasePath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_restart_on_the_same_database_and_keys_the_password_decrypts()
    {
        var app = new AppFactory();
        await (await app.CreateBrowserAsync()).CreateServerAsync(ServerForms.Basic("Relay", password: Secret));

        using var restarted = app.Restart();

        Assert.Equal(Secret, restarted.Secret((await restarted.WithDbAsync(db => db.MailServers.SingleAsync())), SecretField.Password));
        var list = await (await restarted.CreateBrowserAsync()).GetPageAsync("/MailServers");
        Assert.Single(list.QuerySelectorAll("tbody tr"));
    }

    [SqliteFact("copies the database file")]
    [Trait("Database", "Sqlite")]
    public async Task The_key_ring_lives_outside_the_database_so_the_database_alone_cannot_decrypt()
    {
        using var app = new AppFactory();
        await (await app.CreateBrowserAsync()).CreateServerAsync(ServerForms.Basic("Relay", password: Secret));
        Assert.NotEmpty(Directory.GetFiles(app.KeysDirectory, "key-*.xml"));

        await app.CheckpointAsync();

        // Another installation with its own key ring, given a copy of this database file.
        using var copy = new AppFactory();
        _ = copy.Services;
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.Copy(app.DatabasePath, copy.DatabasePath, overwrite: true);

        // The copy cannot decrypt the password, and says so instead of failing.
        var server = await copy.WithDbAsync(db => db.MailServers.SingleAsync());
        Assert.Equal(SecretState.Unreadable, copy.Services.GetRequiredService<SecretVault>().StateOf(server).Password);
        var list = await (await copy.CreateBrowserAsync()).GetPageAsync("/MailServers");
        Assert.NotNull(list.QuerySelector("[data-testid=secrets-unreadable]"));
    }

    [Fact]
    public async Task The_password_is_not_written_to_the_logs()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("Relay", password: Secret));
        var id = await client.FindIdAsync("Relay");
        var form = await client.GetPageAsync($"/MailServers/Edit/{id}");
        await client.SubmitAndReadAsync(form, new Dictionary<string, string?> { ["Input.Password"] = Secret + "-new", ["Input.Port"] = "0" });
        await client.SubmitAndReadAsync(form, new Dictionary<string, string?> { ["Input.Password"] = Secret + "-new" });

        Assert.NotEmpty(app.Logs.Lines);
        Assert.DoesNotContain(Secret, app.Logs.All, StringComparison.Ordinal);
    }
}
