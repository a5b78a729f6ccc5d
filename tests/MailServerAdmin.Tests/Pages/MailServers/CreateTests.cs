using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.MailServers;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Pages.MailServers;

public sealed class CreateTests
{
    [Fact]
    public async Task Creating_a_basic_server_stores_every_field_and_shows_it_in_the_list()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();

        var list = await client.CreateServerAsync(ServerForms.Basic("Office 365 relay")
            .With("Input.Host", "SMTP.Office365.com")
            .With("Input.Port", "2525")
            .With("Input.Security", "SslOnConnect")
            .With("Input.Login", "relay-login"));

        Assert.Contains("Mail server 'Office 365 relay' created.", list.StatusMessage(), StringComparison.Ordinal);
        var row = list.QuerySelector("tbody tr")!;
        Assert.Contains("Office 365 relay", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("smtp.office365.com:2525", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("SSL on connect", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("Example Robot <noreply@example.com>", row.TextContent, StringComparison.Ordinal);
        Assert.Contains("Basic (relay-login)", row.TextContent, StringComparison.Ordinal);

        var stored = await app.WithDbAsync(db => db.MailServers.SingleAsync());
        Assert.Equal("Office 365 relay", stored.Name);
        Assert.Equal("smtp.office365.com", stored.Host);
        Assert.Equal(2525, stored.Port);
        Assert.Equal(SmtpSecurity.SslOnConnect, stored.Security);
        Assert.Equal("robot@example.com", stored.UserName);
        Assert.Equal("noreply@example.com", stored.SenderEmail);
        Assert.Equal("Example Robot", stored.SenderName);
        Assert.True(stored.RequiresAuthentication);
        Assert.Equal("relay-login", stored.Login);
        Assert.Equal("Pa55word!", app.Secret(stored, SecretField.Password));
    }

    [Fact]
    public async Task The_new_form_starts_with_port_587_and_starttls()
    {
        using var app = new AppFactory();
        var form = await (await app.CreateBrowserAsync()).GetPageAsync("/MailServers/Create");

        Assert.Equal("587", form.ValueOf("Input.Port"));
        Assert.Equal("StartTls", form.ValueOf("Input.Security"));
        Assert.NotNull(form.QuerySelector("[data-testid=will-be-default]"));
    }

    [Fact]
    public async Task Values_are_trimmed_and_the_login_defaults_to_the_user_name()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();

        await client.CreateServerAsync(ServerForms.Basic("  Padded  ")
            .With("Input.Host", "  smtp.example.com ")
            .With("Input.UserName", " mailbox@example.com ")
            .With("Input.SenderEmail", " sender@example.com  ")
            .With("Input.Password", " keeps its spaces "));

        var stored = await app.WithDbAsync(db => db.MailServers.SingleAsync());
        Assert.Equal("Padded", stored.Name);
        Assert.Equal("smtp.example.com", stored.Host);
        Assert.Equal("mailbox@example.com", stored.Login);
        Assert.Equal("sender@example.com", stored.SenderEmail);
        Assert.Equal(" keeps its spaces ", app.Secret(stored, SecretField.Password));
    }

    [Fact]
    public async Task A_server_without_authentication_stores_no_login_or_password()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();

        var list = await client.CreateServerAsync(ServerForms.Basic("Internal relay")
            .With("Input.RequiresAuthentication", "false")
            .With("Input.Login", "ignored")
            .With("Input.Password", "ignored-too"));

        var stored = await app.WithDbAsync(db => db.MailServers.SingleAsync());
        Assert.False(stored.RequiresAuthentication);
        Assert.Null(stored.Login);
        Assert.Null(app.Secret(stored, SecretField.Password));
        Assert.Contains("None", list.QuerySelector("tbody tr")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ipv6_literal_is_accepted_and_shown_in_brackets()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();

        var list = await client.CreateServerAsync(ServerForms.Basic("Literal").With("Input.Host", "[2001:DB8::25]"));

        Assert.Equal("2001:db8::25", (await app.WithDbAsync(db => db.MailServers.SingleAsync())).Host);
        Assert.Contains("[2001:db8::25]:587", list.QuerySelector("tbody tr")!.TextContent, StringComparison.Ordinal);
    }
}
