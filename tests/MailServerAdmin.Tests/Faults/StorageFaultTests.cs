using MailServerAdmin.MailServers;
using System.Net;
using AngleSharp.Html.Dom;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Tests.Localization;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Faults;

/// <summary>
/// A database that cannot be written (read-only, full, locked) or read: every page answers 503 with a clear message
/// inside the layout, and a form comes back with everything typed, except the password.
/// </summary>
public sealed class StorageFaultTests
{
    private const string NotSavedForm =
        "The database cannot be written right now (read-only or full). Nothing was saved; your input is below. " +
        "Try again, or ask the operator to check the disk and permissions.";

    private const string NotSaved =
        "The database cannot be written right now (read-only or full). Nothing was saved. " +
        "Try again, or ask the operator to check the disk and permissions.";

    private const string BusyForm =
        "The database is busy with another change and did not answer in time. Nothing was saved; your input is below. Try again in a moment.";

    private const string NotRead =
        "The database cannot be read right now. Try again, or ask the operator to check the database file, the disk and its permissions.";

    private static Dictionary<string, string?> TypedForm() => new()
    {
        ["Input.Name"] = "Typed Relay 7",
        ["Input.Host"] = "typed-host-7.example.net",
        ["Input.Port"] = "2525",
        ["Input.Security"] = "SslOnConnect",
        ["Input.UserName"] = "typed-user-7@example.net",
        ["Input.SenderEmail"] = "typed-sender-7@example.net",
        ["Input.SenderName"] = "Typed Sender Seven",
        ["Input.IsDefault"] = "false",
        ["Input.RequiresAuthentication"] = "true",
        ["Input.Login"] = "typed-login-7",
        ["Input.Password"] = "typed-password-7",
    };

    [SqliteFact("makes SQLite itself read-only, full, locked or unreadable")]
    [Trait("Database", "Sqlite")]
    public async Task Saving_a_new_server_on_a_read_only_database_keeps_everything_typed_but_the_password()
    {
        var database = new SickDatabase();
        using var app = database.CreateApp();
        var client = await app.CreateBrowserAsync();
        var form = await client.GetPageAsync("/MailServers/Create");
        var typed = TypedForm();

        database.Sickness = Sickness.ReadOnly;
        var (status, page, body) = await SubmitAsync(client, form, typed);
        database.Sickness = Sickness.Healthy;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("/MailServers/Create", page.Location.PathName);
        Assert.Equal(NotSavedForm, page.ValidationSummary());
        foreach (var field in typed.Keys.Where(f => f != "Input.Password"))
        {
            Assert.Equal(typed[field], page.ValueOf(field));
        }

        Assert.True(string.IsNullOrEmpty(page.ValueOf("Input.Password")));
        Assert.DoesNotContain("typed-password-7", body, StringComparison.Ordinal);
        AssertNoTrace(body);
        Assert.Equal(0, await app.WithDbAsync(db => db.MailServers.CountAsync()));

        var saved = await client.SubmitAndReadAsync(page, new Dictionary<string, string?> { ["Input.Password"] = "typed-password-7" });
        Assert.Equal("/MailServers", saved.Location.PathName);
        var server = await app.WithDbAsync(db => db.MailServers.SingleAsync());
        Assert.Equal(
            ("Typed Relay 7", "typed-host-7.example.net", 2525, "typed-sender-7@example.net", "typed-login-7", "typed-password-7"),
            (server.Name, server.Host, server.Port, server.SenderEmail, server.Login, app.Secret(server, SecretField.Password)));
    }

    [SqliteFact("makes SQLite itself read-only, full, locked or unreadable")]
    [Trait("Database", "Sqlite")]
    public async Task A_write_refused_by_the_database_is_logged_once_with_its_code_and_without_the_form()
    {
        var database = new SickDatabase();
        using var app = database.CreateApp();
        var client = await app.CreateBrowserAsync();
        var form = await client.GetPageAsync("/MailServers/Create");

        database.Sickness = Sickness.ReadOnly;
        var (status, _, _) = await SubmitAsync(client, form, TypedForm());
        database.Sickness = Sickness.Healthy;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var faults = app.Logs.Lines.Where(line => line.Contains("MailServerAdmin.Web.Faults", StringComparison.Ordinal)).ToList();
        var fault = Assert.Single(faults);
        Assert.StartsWith("Error ", fault, StringComparison.Ordinal);
        Assert.Contains("SQLite error 8", fault, StringComparison.Ordinal);
        foreach (var value in TypedForm().Values.Where(v => v?.Contains("typed", StringComparison.OrdinalIgnoreCase) == true))
        {
            Assert.DoesNotContain(value!, app.Logs.All, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(app.Logs.Lines, line => line.Contains("An unhandled exception", StringComparison.Ordinal));
    }

    [SqliteFact("makes SQLite itself read-only, full, locked or unreadable")]
    [Trait("Database", "Sqlite")]
    public async Task Editing_on_a_read_only_database_keeps_the_changes_typed_and_changes_nothing()
    {
        var database = new SickDatabase();
        using var app = database.CreateApp();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("Relay"));
        var id = await client.FindIdAsync("Relay");
        var form = await client.GetPageAsync($"/MailServers/Edit/{id}");

        database.Sickness = Sickness.ReadOnly;
        var (status, page, body) = await SubmitAsync(client, form, new Dictionary<string, string?>
        {
            ["Input.Name"] = "Relay (renamed)",
            ["Input.Host"] = "typed-host-8.example.net",
            ["Input.SenderName"] = "Renamed Sender",
            ["Input.Password"] = "typed-password-8",
        });
        database.Sickness = Sickness.Healthy;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal($"/MailServers/Edit/{id}", page.Location.PathName);
        Assert.Equal(NotSavedForm, page.ValidationSummary());
        Assert.Equal("Relay (renamed)", page.ValueOf("Input.Name"));
        Assert.Equal("typed-host-8.example.net", page.ValueOf("Input.Host"));
        Assert.Equal("Renamed Sender", page.ValueOf("Input.SenderName"));
        Assert.Equal($"/MailServers/Edit/{id}", new Uri(new Uri(page.Url), page.QuerySelector<IHtmlFormElement>("main form[method=post]")!.Action).AbsolutePath);
        Assert.DoesNotContain("typed-password-8", body, StringComparison.Ordinal);
        AssertNoTrace(body);
        var stored = await app.WithDbAsync(db => db.MailServers.SingleAsync());
        Assert.Equal(("Relay", "smtp.example.com"), (stored.Name, stored.Host));
    }

    [SqliteFact("makes SQLite itself read-only, full, locked or unreadable")]
    [Trait("Database", "Sqlite")]
    public async Task Deleting_on_a_read_only_database_answers_503_with_the_message_and_keeps_the_server()
    {
        var database = new SickDatabase();
        using var app = database.CreateApp();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("Relay"));
        var id = await client.FindIdAsync("Relay");
        var confirm = await client.GetPageAsync($"/MailServers/Delete/{id}");

        database.Sickness = Sickness.ReadOnly;
        var (status, page, body) = await SubmitAsync(client, confirm);
        database.Sickness = Sickness.Healthy;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        AssertStoragePage(page, NotSaved);
        Assert.Equal($"/MailServers/Delete/{id}", page.QuerySelector<IHtmlAnchorElement>("main a[data-testid=storage-retry]")!.PathName);
        AssertNoTrace(body);
        Assert.Equal(1, await app.WithDbAsync(db => db.MailServers.CountAsync()));
    }

    [SqliteFact("makes SQLite itself read-only, full, locked or unreadable")]
    [Trait("Database", "Sqlite")]
    public async Task Make_default_on_a_read_only_database_answers_503_and_the_default_stays()
    {
        var database = new SickDatabase();
        using var app = database.CreateApp();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("First"));
        var list = await client.CreateServerAsync(ServerForms.Basic("Second"));

        database.Sickness = Sickness.ReadOnly;
        var (status, page, body) = await SubmitAsync(client, list, button: "button[data-action=make-default]");
        database.Sickness = Sickness.Healthy;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        AssertStoragePage(page, NotSaved);
        // Try again opens the list (the route names the server the button was for; a GET there shows the list).
        Assert.StartsWith("/MailServers", page.QuerySelector<IHtmlAnchorElement>("main a[data-testid=storage-retry]")!.PathName, StringComparison.Ordinal);
        AssertNoTrace(body);
        Assert.Equal(["First"], await app.WithDbAsync(db => db.MailServers.Where(s => s.IsDefault).Select(s => s.Name).ToListAsync()));
    }

    [SqliteFact("makes SQLite itself read-only, full, locked or unreadable")]
    [Trait("Database", "Sqlite")]
    public async Task The_list_on_a_database_that_cannot_be_opened_answers_503_with_the_message_in_the_layout()
    {
        var database = new SickDatabase();
        using var app = database.CreateApp();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("Relay"));

        database.Sickness = Sickness.Unreadable;
        using var response = await client.GetAsync(new Uri("/MailServers?q=Relay", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        var page = await response.ReadPageAsync();
        database.Sickness = Sickness.Healthy;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        AssertStoragePage(page, NotRead);
        Assert.Equal("/MailServers", page.QuerySelector("main a[data-testid=storage-retry]")!.GetAttribute("href"));
        Assert.Contains("SQLite error 14", app.Logs.All, StringComparison.Ordinal);
        AssertNoTrace(body);

        // Once the database is back, the same browser is still signed in.
        var list = await client.GetPageAsync("/MailServers?q=Relay");
        Assert.Equal("/MailServers", list.Location.PathName);
        Assert.NotNull(list.QuerySelector("[data-testid=signed-in-as]"));
    }

    [SqliteTheory("makes SQLite itself read-only, full, locked or unreadable")]
    [Trait("Database", "Sqlite")]
    [InlineData("es")]
    [InlineData("pt-BR")]
    public async Task The_database_message_comes_in_the_readers_language(string culture)
    {
        var database = new SickDatabase();
        using var app = database.CreateApp();
        var client = await Translated.BrowserAsync(app, culture);

        database.Sickness = Sickness.Unreadable;
        using var response = await client.GetAsync(new Uri("/MailServers", UriKind.Relative));
        var page = await response.ReadPageAsync();
        database.Sickness = Sickness.Healthy;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(culture, page.DocumentElement.GetAttribute("lang"));
        Assert.Contains(Translated.Of("Storage_NotRead", culture), page.Text(), StringComparison.Ordinal);
        var english = page.EnglishLeftIn(culture);
        Assert.True(english.Count == 0, $"still in English: {string.Join("; ", english)}");
    }

    [SqliteFact("makes SQLite itself read-only, full, locked or unreadable")]
    [Trait("Database", "Sqlite")]
    public async Task Saving_on_a_full_database_answers_503_and_keeps_the_form()
    {
        var database = new SickDatabase();
        using var app = database.CreateApp();
        var client = await app.CreateBrowserAsync();
        var form = await client.GetPageAsync("/MailServers/Create");
        await SickDatabase.CompactAsync(app);

        // Pasted tokens this long need new pages in the file, which a full disk cannot give.
        database.Sickness = Sickness.Full;
        var (status, page, body) = await SubmitAsync(client, form, ServerForms.Basic("Cloud", password: null)
            .With("Input.UserName", "mailbox@example.com")
            .With("Input.AuthenticationType", "OAuth")
            .With("Input.Provider", "Manual")
            .With("Input.ClientId", "typed-client-9")
            .With("Input.TokenUrl", "https://auth.example.net/token")
            .With("Input.AccessToken", new string('a', 12_000))
            .With("Input.RefreshToken", new string('r', 12_000))
            .With("Input.AccessTokenExpiresUtc", "2030-01-02T03:04"));
        database.Sickness = Sickness.Healthy;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal(NotSavedForm, page.ValidationSummary());
        Assert.Equal("Cloud", page.ValueOf("Input.Name"));
        Assert.Equal("typed-client-9", page.ValueOf("Input.ClientId"));
        Assert.DoesNotContain(new string('a', 100), body, StringComparison.Ordinal);
        Assert.Contains("SQLite error 13", app.Logs.All, StringComparison.Ordinal);
        AssertNoTrace(body);
        Assert.Equal(0, await app.WithDbAsync(db => db.MailServers.CountAsync()));
    }

    [SqliteFact("makes SQLite itself read-only, full, locked or unreadable")]
    [Trait("Database", "Sqlite")]
    public async Task Saving_while_another_writer_holds_the_database_answers_503_and_keeps_the_form()
    {
        var database = new SickDatabase();
        using var app = database.CreateApp();
        var client = await app.CreateBrowserAsync();
        var form = await client.GetPageAsync("/MailServers/Create");

        database.Sickness = Sickness.Busy;
        HttpStatusCode status;
        IHtmlDocument page;
        string body;
        await using (await SickDatabase.HoldWriteLockAsync(app))
        {
            (status, page, body) = await SubmitAsync(client, form, TypedForm());
        }

        database.Sickness = Sickness.Healthy;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal(BusyForm, page.ValidationSummary());
        Assert.Equal("typed-host-7.example.net", page.ValueOf("Input.Host"));
        Assert.Contains("SQLite error 5", app.Logs.All, StringComparison.Ordinal);
        AssertNoTrace(body);
        Assert.Equal(0, await app.WithDbAsync(db => db.MailServers.CountAsync()));
    }

    [SqliteFact("makes SQLite itself read-only, full, locked or unreadable")]
    [Trait("Database", "Sqlite")]
    public async Task A_failed_sign_in_that_cannot_be_counted_answers_503_and_keeps_the_email()
    {
        var database = new SickDatabase();
        using var app = database.CreateApp();
        await app.EnsureAdministratorAsync(AppFactory.AdminEmail, AppFactory.AdminPassword);
        var client = app.CreateAnonymousBrowser();
        var login = await client.GetPageAsync("/Account/Login");

        database.Sickness = Sickness.ReadOnly;
        var (status, page, body) = await SubmitAsync(client, login, new Dictionary<string, string?>
        {
            ["Input.Email"] = AppFactory.AdminEmail,
            ["Input.Password"] = "wrong-password-typed",
        });
        database.Sickness = Sickness.Healthy;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal(NotSavedForm, page.ValidationSummary());
        Assert.Equal(AppFactory.AdminEmail, page.ValueOf("Input.Email"));
        Assert.DoesNotContain("wrong-password-typed", body, StringComparison.Ordinal);
        AssertNoTrace(body);
    }

    private static async Task<(HttpStatusCode Status, IHtmlDocument Page, string Body)> SubmitAsync(
        HttpClient client, IHtmlDocument form, Dictionary<string, string?>? values = null, string formSelector = "main form[method=post]", string? button = null)
    {
        using var response = await client.FollowAsync(await client.SubmitAsync(form, values, formSelector, button));
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, await response.ReadPageAsync(), body);
    }

    /// <summary>The 503 page: inside the layout, with its heading and the message, and nothing of the generic error page.</summary>
    private static void AssertStoragePage(IHtmlDocument page, string message)
    {
        Assert.NotNull(page.QuerySelector("header nav"));
        Assert.Equal("Database unavailable", page.QuerySelector("main h1")?.TextContent.Trim());
        Assert.Equal(message, page.QuerySelector("main [data-testid=storage-message]")?.TextContent.Trim());
        Assert.DoesNotContain("request ID", page.Body!.TextContent, StringComparison.OrdinalIgnoreCase);
    }

    private static void AssertNoTrace(string body)
    {
        Assert.DoesNotContain("Exception", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("SQLite", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(" at MailServerAdmin", body, StringComparison.Ordinal);
    }
}
