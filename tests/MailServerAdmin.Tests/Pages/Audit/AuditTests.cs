using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Audit;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Pages.Audit;

public sealed class AuditTests
{
    private const string Secret = "Audit-Secret-9876";

    [Fact]
    public async Task Every_change_is_recorded_with_who_what_and_which_fields_but_never_a_secret()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("Alpha", password: Secret));
        var list = await client.CreateServerAsync(ServerForms.Basic("Beta", password: Secret));
        var alpha = await client.FindIdAsync("Alpha");
        var beta = await client.FindIdAsync("Beta");

        var edit = await client.GetPageAsync($"/MailServers/Edit/{alpha}");
        await client.SubmitAndReadAsync(edit, new Dictionary<string, string?>
        {
            ["Input.Host"] = "relay.example.org",
            ["Input.Password"] = Secret + "-changed",
            ["Input.SenderName"] = "Changed",
        });
        await client.SubmitAndReadAsync(await client.GetPageAsync("/MailServers"), button: $"tr[data-server-id='{beta}'] button[data-action=make-default]");
        await client.SubmitAndReadAsync(await client.GetPageAsync($"/MailServers/Delete/{alpha}"));

        var entries = await app.WithDbAsync(db => db.AuditEntries.OrderBy(e => e.Id).ToListAsync());
        Assert.Equal(
            [
                (AuditAction.ServerCreated, alpha),
                (AuditAction.ServerCreated, beta),
                (AuditAction.ServerUpdated, alpha),
                (AuditAction.DefaultRemoved, alpha),
                (AuditAction.DefaultSet, beta),
                (AuditAction.ServerDeleted, alpha),
            ],
            entries.Select(e => (e.Action, e.ServerId!.Value)));
        Assert.All(entries, e => Assert.Equal(AppFactory.AdminEmail, e.Administrator));
        Assert.All(entries, e => Assert.True(DateTime.UtcNow - e.TimeUtc < TimeSpan.FromMinutes(5)));
        Assert.Equal("Host, Password, SenderName", entries[2].Fields);
        Assert.Contains("Password", entries[0].Fields!, StringComparison.Ordinal);
        Assert.Equal("Previous default: Alpha", entries[4].Detail);

        var page = await client.GetPageAsync("/Audit");
        var rows = page.QuerySelectorAll("tbody tr");
        Assert.Equal("ServerDeleted", rows[0].GetAttribute("data-action"));
        Assert.Equal("ServerCreated", rows[^1].GetAttribute("data-action"));
        Assert.DoesNotContain(Secret, page.Source.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, string.Join('|', entries.Select(e => $"{e.Fields}{e.Detail}{e.ServerName}")), StringComparison.Ordinal);

        var onlyBeta = await client.GetPageAsync($"/Audit?server={beta}");
        Assert.Equal(["ServerCreated", "DefaultSet"], onlyBeta.QuerySelectorAll("tbody tr").Select(r => r.GetAttribute("data-action")).Reverse());
        Assert.Equal(beta.ToString(System.Globalization.CultureInfo.InvariantCulture), onlyBeta.QuerySelector<AngleSharp.Html.Dom.IHtmlSelectElement>("#server")!.Value);
    }

    [Fact]
    public async Task The_audit_log_is_paged_newest_first()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await app.WithDbAsync(async db =>
        {
            for (var i = 0; i < 120; i++)
            {
                db.AuditEntries.Add(new AuditEntry { TimeUtc = DateTime.UtcNow, Administrator = "a@example.com", Action = AuditAction.ServerUpdated, ServerId = 1, ServerName = $"n{i}" });
            }

            await db.SaveChangesAsync();
        });

        var first = await client.GetPageAsync("/Audit");
        Assert.Equal(50, first.QuerySelectorAll("tbody tr").Length);
        Assert.Equal("n119", first.QuerySelector("tbody tr td:nth-child(4)")!.TextContent.Trim());
        var third = await client.GetPageAsync("/Audit?p=3");
        Assert.Equal(20, third.QuerySelectorAll("tbody tr").Length);
        Assert.Equal("n0", third.QuerySelectorAll("tbody tr td:nth-child(4)")[^1].TextContent.Trim());
    }

    [Fact]
    public async Task Adding_and_removing_administrators_is_recorded()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await client.SubmitAndReadAsync(await client.GetPageAsync("/Administrators/Add"), new Dictionary<string, string?>
        {
            ["Input.Email"] = "second@example.com",
            ["Input.Password"] = "second-long-password",
        });
        var id = await app.WithDbAsync(db => db.Users.Where(u => u.Email == "second@example.com").Select(u => u.Id).SingleAsync());
        await client.SubmitAndReadAsync(await client.GetPageAsync($"/Administrators/Remove/{id}"));

        var entries = await app.WithDbAsync(db => db.AuditEntries.OrderBy(e => e.Id).ToListAsync());
        Assert.Equal([AuditAction.AdministratorAdded, AuditAction.AdministratorRemoved], entries.Select(e => e.Action));
        Assert.All(entries, e => Assert.Equal("second@example.com", e.Detail));
        Assert.DoesNotContain("second-long-password", app.Logs.All, StringComparison.Ordinal);
    }
}
