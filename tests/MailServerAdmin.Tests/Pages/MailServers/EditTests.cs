using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.MailServers;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Pages.MailServers;

public sealed class EditTests
{
    [Fact]
    public async Task Editing_changes_the_stored_server_and_keeps_the_password_when_left_blank()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("Relay", password: "original-secret"));
        var id = await client.FindIdAsync("Relay");

        var form = await client.GetPageAsync($"/MailServers/Edit/{id}");
        Assert.Equal("Relay", form.ValueOf("Input.Name"));
        Assert.NotNull(form.QuerySelector("[data-testid=password-stored]"));
        var list = await client.SubmitAndReadAsync(form, new Dictionary<string, string?>
        {
            ["Input.Name"] = "Relay (renamed)",
            ["Input.SenderEmail"] = "alerts@example.com",
            ["Input.SenderName"] = "",
        });

        Assert.Equal("/MailServers", list.Location.PathName);
        Assert.Contains("Mail server 'Relay (renamed)' saved.", list.StatusMessage(), StringComparison.Ordinal);
        var stored = await app.WithDbAsync(db => db.MailServers.SingleAsync());
        Assert.Equal("Relay (renamed)", stored.Name);
        Assert.Equal("alerts@example.com", stored.SenderEmail);
        Assert.Null(stored.SenderName);
        Assert.Equal("original-secret", app.Secret(stored, SecretField.Password));
    }

    [Theory]
    [InlineData("Input.Host", "attacker.example.net")]
    [InlineData("Input.Port", "2525")]
    [InlineData("Input.Security", "None")]
    public async Task Moving_a_stored_password_to_another_destination_requires_typing_it_again(string field, string value)
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("Relay", password: "original-secret"));
        var id = await client.FindIdAsync("Relay");

        var form = await client.GetPageAsync($"/MailServers/Edit/{id}");
        var refused = await client.SubmitAndReadAsync(form, new Dictionary<string, string?> { [field] = value });

        Assert.Equal("You changed the server, port or security: type the password again to confirm it may be sent there.", refused.ErrorFor("Input.Password"));
        Assert.Equal(value, refused.ValueOf(field));
        var unchanged = await app.WithDbAsync(db => db.MailServers.SingleAsync());
        Assert.Equal(("smtp.example.com", 587, MailServerAdmin.MailServers.SmtpSecurity.StartTls), (unchanged.Host, unchanged.Port, unchanged.Security));

        var saved = await client.SubmitAndReadAsync(refused, new Dictionary<string, string?> { [field] = value, ["Input.Password"] = "original-secret" });
        Assert.Equal("/MailServers", saved.Location.PathName);
        var moved = await app.WithDbAsync(db => db.MailServers.SingleAsync());
        Assert.Equal(value, field switch
        {
            "Input.Host" => moved.Host,
            "Input.Port" => moved.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => moved.Security.ToString(),
        });
        Assert.Equal("original-secret", app.Secret(moved, SecretField.Password));
    }

    [Fact]
    public async Task A_new_password_replaces_the_stored_one()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("Relay", password: "old-secret"));
        var id = await client.FindIdAsync("Relay");

        var form = await client.GetPageAsync($"/MailServers/Edit/{id}");
        await client.SubmitAndReadAsync(form, new Dictionary<string, string?> { ["Input.Password"] = "new-secret" });

        Assert.Equal("new-secret", app.Secret((await app.WithDbAsync(db => db.MailServers.SingleAsync())), SecretField.Password));
    }

    [Fact]
    public async Task Clearing_the_stored_password_needs_a_new_one_while_authentication_is_required()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("Relay", password: "old-secret"));
        var id = await client.FindIdAsync("Relay");

        var form = await client.GetPageAsync($"/MailServers/Edit/{id}");
        var refused = await client.SubmitAndReadAsync(form, new Dictionary<string, string?> { ["Input.ClearPassword"] = "true" });
        Assert.Contains("You chose to clear the stored password", refused.ErrorFor("Input.Password"), StringComparison.Ordinal);
        Assert.Equal("old-secret", app.Secret((await app.WithDbAsync(db => db.MailServers.SingleAsync())), SecretField.Password));

        var cleared = await client.SubmitAndReadAsync(refused, new Dictionary<string, string?>
        {
            ["Input.ClearPassword"] = "true",
            ["Input.RequiresAuthentication"] = "false",
        });
        Assert.Equal("/MailServers", cleared.Location.PathName);
        var stored = await app.WithDbAsync(db => db.MailServers.SingleAsync());
        Assert.Null(app.Secret(stored, SecretField.Password));
        Assert.False(stored.RequiresAuthentication);
    }

    [Fact]
    public async Task A_rename_to_another_servers_name_in_other_case_is_refused()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("Primary"));
        await client.CreateServerAsync(ServerForms.Basic("Secondary"));
        var id = await client.FindIdAsync("Secondary");

        var form = await client.GetPageAsync($"/MailServers/Edit/{id}");
        var result = await client.SubmitAndReadAsync(form, new Dictionary<string, string?> { ["Input.Name"] = "PRIMARY" });

        Assert.Equal("A server named 'PRIMARY' already exists (names are compared ignoring case).", result.ErrorFor("Input.Name"));
        Assert.Equal("PRIMARY", result.ValueOf("Input.Name"));
        Assert.Equal(["Primary", "Secondary"], await app.WithDbAsync(db => db.MailServers.OrderBy(s => s.Name).Select(s => s.Name).ToListAsync()));
    }

    [Fact]
    public async Task Keeping_its_own_name_in_other_case_is_allowed()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("Relay"));
        var id = await client.FindIdAsync("Relay");

        var form = await client.GetPageAsync($"/MailServers/Edit/{id}");
        await client.SubmitAndReadAsync(form, new Dictionary<string, string?> { ["Input.Name"] = "RELAY" });

        Assert.Equal("RELAY", (await app.WithDbAsync(db => db.MailServers.SingleAsync())).Name);
    }

    [Fact]
    public async Task A_server_that_does_not_exist_answers_404()
    {
        using var app = new AppFactory();
        using var response = await (await app.CreateBrowserAsync()).GetAsync(new Uri("/MailServers/Edit/4242", UriKind.Relative));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, response.StatusCode);
    }
}
