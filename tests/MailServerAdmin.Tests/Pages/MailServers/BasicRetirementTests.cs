using AngleSharp.Html.Dom;
using MailServerAdmin.MailServers;
using MailServerAdmin.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Pages.MailServers;

/// <summary>Basic servers of providers that retire Basic authentication are told so, and switch to OAuth keeping what applies.</summary>
public sealed class BasicRetirementTests : IClassFixture<AppFactory>
{
    private readonly AppFactory _app;

    public BasicRetirementTests(AppFactory app) => _app = app;

    [Fact]
    public async Task A_basic_Microsoft_365_server_shows_the_notice_and_switch_to_OAuth_opens_it_as_app_only_keeping_host_port_security_and_sender()
    {
        var client = await _app.CreateBrowserAsync();
        var name = $"Office relay {Guid.NewGuid():N}";
        await client.CreateServerAsync(ServerForms.Basic(name)
            .With("Input.Host", "smtp.office365.com")
            .With("Input.UserName", "")
            .With("Input.Login", "invoices@contoso.com")
            .With("Input.SenderEmail", "invoices@contoso.com")
            .With("Input.SenderName", "Contoso Invoicing"));
        var id = await client.FindIdAsync(name);

        // The list says why and offers the switch: click one.
        var list = await client.GetPageAsync($"/MailServers?q={Uri.EscapeDataString(name)}");
        var notice = list.QuerySelector($"tr[data-server-id='{id}'] [data-testid=basic-retirement]")!;
        Assert.Contains("Microsoft is turning off Basic authentication for SMTP: switch this server to OAuth.", notice.TextContent, StringComparison.Ordinal);
        var link = notice.QuerySelector<IHtmlAnchorElement>("[data-testid=switch-to-oauth]")!;
        var form = await client.GetPageAsync(link.Href);

        Assert.Equal($"/MailServers/Edit/{id}", form.Location.PathName);
        Assert.Equal("OAuth", form.QuerySelector<IHtmlInputElement>("input[name='Input.AuthenticationType']:checked")!.Value);
        Assert.Equal("MicrosoftAppOnly", form.ValueOf("Input.Provider"));
        Assert.Equal("smtp.office365.com", form.ValueOf("Input.Host"));
        Assert.Equal("587", form.ValueOf("Input.Port"));
        Assert.Equal("StartTls", form.ValueOf("Input.Security"));
        Assert.Equal("invoices@contoso.com", form.ValueOf("Input.SenderEmail"));
        Assert.Equal("Contoso Invoicing", form.ValueOf("Input.SenderName"));
        Assert.Equal("invoices@contoso.com", form.ValueOf("Input.UserName"));
        Assert.Equal("https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token", form.ValueOf("Input.TokenUrl"));
        Assert.Equal("https://outlook.office365.com/.default", form.ValueOf("Input.Scopes"));
        Assert.Contains("Switched to OAuth · Microsoft 365 (app-only)", form.QuerySelector("[data-testid=switched-to-oauth]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("Add-MailboxPermission -Identity invoices@contoso.com", form.QuerySelector("[data-testid=exchange-commands]")!.TextContent, StringComparison.Ordinal);

        // Nothing is saved by switching; saving (the second click) asks for what an app-only server needs.
        Assert.Equal(AuthenticationType.Basic, await _app.WithDbAsync(db => db.MailServers.Where(s => s.Id == id).Select(s => s.AuthenticationType).SingleAsync()));
        var refused = await client.SubmitMultipartAndReadAsync(form);
        Assert.Contains("Missing: tenant, client ID, client secret or certificate, a token from Test sign-in.", refused.ValidationSummary(), StringComparison.Ordinal);
        Assert.Equal("smtp.office365.com", refused.ValueOf("Input.Host"));
        Assert.Equal(AuthenticationType.Basic, await _app.WithDbAsync(db => db.MailServers.Where(s => s.Id == id).Select(s => s.AuthenticationType).SingleAsync()));
    }

    [Theory]
    [InlineData("smtp.gmail.com", "Google", "Google accepts a password for SMTP only as an app password")]
    [InlineData("smtp-mail.outlook.com", "Microsoft", "Microsoft is turning off Basic authentication for SMTP on Outlook.com")]
    public async Task Gmail_and_Outlook_com_switch_to_their_delegated_providers(string host, string provider, string notice)
    {
        var client = await _app.CreateBrowserAsync();
        var name = $"{host} {Guid.NewGuid():N}";
        await client.CreateServerAsync(ServerForms.Basic(name).With("Input.Host", host));
        var id = await client.FindIdAsync(name);

        var list = await client.GetPageAsync($"/MailServers?q={Uri.EscapeDataString(name)}");
        Assert.Contains(notice, list.QuerySelector($"tr[data-server-id='{id}'] [data-testid=basic-retirement]")!.TextContent, StringComparison.Ordinal);
        var form = await client.GetPageAsync($"/MailServers/Edit/{id}?switch=oauth");

        Assert.Equal(provider, form.ValueOf("Input.Provider"));
        Assert.Equal(host, form.ValueOf("Input.Host"));
        Assert.Equal("robot@example.com", form.ValueOf("Input.UserName"));
    }

    [Fact]
    public async Task The_forms_own_switch_keeps_what_was_typed_and_other_hosts_get_no_notice()
    {
        var client = await _app.CreateBrowserAsync();
        var name = $"Elsewhere {Guid.NewGuid():N}";
        await client.CreateServerAsync(ServerForms.Basic(name).With("Input.Host", "mail.example.org"));
        var id = await client.FindIdAsync(name);
        var list = await client.GetPageAsync($"/MailServers?q={Uri.EscapeDataString(name)}");
        Assert.Null(list.QuerySelector($"tr[data-server-id='{id}'] [data-testid=basic-retirement]"));

        // A new Basic server typed for Microsoft 365: the refused form shows the notice, its button switches without saving.
        var typed = ServerForms.Basic($"Typed {Guid.NewGuid():N}", password: null).With("Input.Host", "smtp.office365.com").With("Input.Port", "25");
        var refused = await client.SubmitMultipartAndReadAsync(await client.GetPageAsync("/MailServers/Create"), typed);
        Assert.NotNull(refused.QuerySelector("[data-testid=basic-retirement]"));
        var switched = await client.SubmitMultipartAndReadAsync(refused, button: "[data-testid=switch-to-oauth]");

        Assert.Equal("MicrosoftAppOnly", switched.ValueOf("Input.Provider"));
        Assert.Equal("OAuth", switched.QuerySelector<IHtmlInputElement>("input[name='Input.AuthenticationType']:checked")!.Value);
        Assert.Equal(typed["Input.Name"], switched.ValueOf("Input.Name"));
        Assert.Equal("25", switched.ValueOf("Input.Port"));
        Assert.Equal("", switched.ValidationSummary());
        Assert.False(await _app.WithDbAsync(db => db.MailServers.AnyAsync(s => s.Name == typed["Input.Name"])));
    }
}
