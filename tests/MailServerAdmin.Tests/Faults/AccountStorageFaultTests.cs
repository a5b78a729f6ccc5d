using System.Net;
using System.Text.RegularExpressions;
using AngleSharp.Html.Dom;
using MailServerAdmin.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Faults;

/// <summary>The administrators' own forms (Identity writes) on a database that cannot be written.</summary>
public sealed partial class AccountStorageFaultTests
{
    private const string NotSavedForm =
        "The database cannot be written right now (read-only or full). Nothing was saved; your input is below. " +
        "Try again, or ask the operator to check the disk and permissions.";

    [SqliteFact("makes SQLite itself read-only, full, locked or unreadable")]
    [Trait("Database", "Sqlite")]
    public async Task Setting_up_on_a_read_only_database_keeps_the_code_and_email_and_works_once_writable()
    {
        var database = new SickDatabase();
        using var app = database.CreateApp();
        var client = app.CreateAnonymousBrowser();
        var code = CodePattern().Match(app.Logs.All).Groups[1].Value;
        var form = await client.GetPageAsync("/setup");
        var typed = new Dictionary<string, string?>
        {
            ["Input.Code"] = code,
            ["Input.Email"] = "first@example.com",
            ["Input.Password"] = "first-password-typed",
            ["Input.ConfirmPassword"] = "first-password-typed",
        };

        database.Sickness = Sickness.ReadOnly;
        var (status, page, body) = await SubmitAsync(client, form, typed);
        database.Sickness = Sickness.Healthy;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal(NotSavedForm, page.ValidationSummary());
        Assert.Equal(code, page.ValueOf("Input.Code"));
        Assert.Equal("first@example.com", page.ValueOf("Input.Email"));
        Assert.DoesNotContain("first-password-typed", body, StringComparison.Ordinal);
        Assert.Equal(0, await app.WithDbAsync(db => db.Users.CountAsync()));

        var welcome = await client.SubmitAndReadAsync(page, new Dictionary<string, string?>
        {
            ["Input.Password"] = "first-password-typed",
            ["Input.ConfirmPassword"] = "first-password-typed",
        });
        Assert.Equal("/MailServers", welcome.Location.PathName);
        Assert.Equal(1, await app.WithDbAsync(db => db.Users.CountAsync()));
    }

    [SqliteFact("makes SQLite itself read-only, full, locked or unreadable")]
    [Trait("Database", "Sqlite")]
    public async Task Adding_an_administrator_on_a_read_only_database_keeps_the_email_and_adds_nobody()
    {
        var database = new SickDatabase();
        using var app = database.CreateApp();
        var client = await app.CreateBrowserAsync();
        var form = await client.GetPageAsync("/Administrators/Add");

        database.Sickness = Sickness.ReadOnly;
        var (status, page, body) = await SubmitAsync(client, form, new Dictionary<string, string?>
        {
            ["Input.Email"] = "colleague@example.com",
            ["Input.Password"] = "colleague-password-typed",
        });
        database.Sickness = Sickness.Healthy;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal(NotSavedForm, page.ValidationSummary());
        Assert.Equal("colleague@example.com", page.ValueOf("Input.Email"));
        Assert.DoesNotContain("colleague-password-typed", body, StringComparison.Ordinal);
        Assert.Equal(1, await app.WithDbAsync(db => db.Users.CountAsync()));
    }

    [SqliteFact("makes SQLite itself read-only, full, locked or unreadable")]
    [Trait("Database", "Sqlite")]
    public async Task Removing_an_administrator_on_a_read_only_database_answers_503_and_keeps_them()
    {
        var database = new SickDatabase();
        using var app = database.CreateApp();
        await app.EnsureAdministratorAsync("colleague@example.com", "colleague-password-1");
        var client = await app.CreateBrowserAsync();
        var id = await app.WithDbAsync(db => db.Users.Where(u => u.Email == "colleague@example.com").Select(u => u.Id).SingleAsync());
        var confirm = await client.GetPageAsync($"/Administrators/Remove/{id}");

        database.Sickness = Sickness.ReadOnly;
        var (status, page, body) = await SubmitAsync(client, confirm);
        database.Sickness = Sickness.Healthy;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Database unavailable", page.QuerySelector("main h1")?.TextContent.Trim());
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
        Assert.Equal(2, await app.WithDbAsync(db => db.Users.CountAsync()));
    }

    [SqliteFact("makes SQLite itself read-only, full, locked or unreadable")]
    [Trait("Database", "Sqlite")]
    public async Task In_development_too_a_database_fault_gets_the_503_page_and_not_the_developer_page()
    {
        var database = new SickDatabase();
        using var app = database.CreateApp("Development");
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("Relay"));
        var id = await client.FindIdAsync("Relay");
        var confirm = await client.GetPageAsync($"/MailServers/Delete/{id}");

        database.Sickness = Sickness.ReadOnly;
        var (status, page, body) = await SubmitAsync(client, confirm);
        database.Sickness = Sickness.Healthy;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Database unavailable", page.QuerySelector("main h1")?.TextContent.Trim());
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
    }

    private static async Task<(HttpStatusCode Status, IHtmlDocument Page, string Body)> SubmitAsync(
        HttpClient client, IHtmlDocument form, Dictionary<string, string?>? values = null)
    {
        using var response = await client.FollowAsync(await client.SubmitAsync(form, values));
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, await response.ReadPageAsync(), body);
    }

    [GeneratedRegex(@"set-up code to create the first administrator: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})")]
    private static partial Regex CodePattern();
}
