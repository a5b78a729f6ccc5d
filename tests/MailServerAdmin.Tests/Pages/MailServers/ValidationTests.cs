using MailServerAdmin.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Pages.MailServers;

/// <summary>Every rule of the New form: the message beside the field, everything typed kept, nothing saved.</summary>
public sealed class ValidationTests(AppFactory app) : IClassFixture<AppFactory>
{
    public static TheoryData<string, string, string> BrokenRules => new()
    {
        { "Input.Name", "", "Enter a name for the server." },
        { "Input.Name", new string('n', 101), "The name can have at most 100 characters" },
        { "Input.Host", "", "Enter the SMTP server's host name or IP address." },
        { "Input.Host", "smtp example.com", "Enter a host name such as smtp.example.com" },
        { "Input.Host", "-smtp.example.com", "Enter a host name such as smtp.example.com" },
        { "Input.Host", "smtp..example.com", "Enter a host name such as smtp.example.com" },
        { "Input.Host", "http://smtp.example.com", "Enter a host name such as smtp.example.com" },
        { "Input.Host", "999.1.1.1", "Enter a host name such as smtp.example.com" },
        { "Input.Host", "1.2.3", "Enter a host name such as smtp.example.com" },
        { "Input.Host", "[fe80::1::2]", "Enter a host name such as smtp.example.com" },
        { "Input.Host", string.Join('.', Enumerable.Repeat(new string('a', 60), 5)), "A host name can have at most 253 characters." },
        { "Input.Host", new string('a', 64) + ".example.com", "Enter a host name such as smtp.example.com" },
        { "Input.Port", "", "Enter the port" },
        { "Input.Port", "0", "The port must be a number from 1 to 65535." },
        { "Input.Port", "65536", "The port must be a number from 1 to 65535." },
        { "Input.Port", "smtp", "The value 'smtp' is not valid for Port." },
        { "Input.SenderEmail", "", "Enter the sender's e-mail address." },
        { "Input.SenderEmail", "not-an-address", "Enter an e-mail address such as mail@example.com." },
        { "Input.SenderEmail", "two@@example.com", "Enter an e-mail address such as mail@example.com." },
        { "Input.SenderEmail", "Robot <robot@example.com>", "Enter an e-mail address such as mail@example.com." },
        { "Input.SenderEmail", "robot@exa mple.com", "Enter an e-mail address such as mail@example.com." },
        { "Input.SenderEmail", new string('a', 64) + "@" + string.Join('.', Enumerable.Repeat(new string('b', 50), 4)) + ".com", "An e-mail address can have at most 254 characters." },
        { "Input.UserName", new string('u', 255), "The user name can have at most 254 characters." },
        { "Input.SenderName", new string('s', 101), "The display name can have at most 100 characters." },
        { "Input.Security", "Telnet", "The value 'Telnet' is not valid for Security." },
        { "Input.Password", "", "Enter the password, or turn off \"Requires authentication\"." },
        { "Input.Login", new string('l', 255), "The login can have at most 254 characters." },
    };

    [Theory]
    [MemberData(nameof(BrokenRules))]
    public async Task A_broken_rule_shows_its_message_beside_the_field_keeps_the_input_and_saves_nothing(
        string field, string value, string message)
    {
        var client = await app.CreateBrowserAsync();
        var form = await client.GetPageAsync("/MailServers/Create");
        var values = ServerForms.Basic($"Rule {Guid.NewGuid():N}").With(field, value);

        var result = await client.SubmitAndReadAsync(form, values);

        Assert.Equal("/MailServers/Create", result.Location.PathName);
        Assert.Contains(message, result.ErrorFor(field), StringComparison.Ordinal);
        foreach (var kept in new[] { "Input.Name", "Input.Host", "Input.Port", "Input.UserName", "Input.SenderEmail", "Input.SenderName", "Input.Login" })
        {
            Assert.Equal(values[kept], result.ValueOf(kept));
        }

        if (field != "Input.Security")
        {
            Assert.Equal(values["Input.Security"], result.ValueOf("Input.Security"));
        }
        Assert.Equal(0, await app.WithDbAsync(db => db.MailServers.CountAsync()));
    }

    [Fact]
    public async Task Login_is_required_when_authentication_is_required_and_there_is_no_user_name()
    {
        var client = await app.CreateBrowserAsync();
        var form = await client.GetPageAsync("/MailServers/Create");

        var result = await client.SubmitAndReadAsync(form, ServerForms.Basic("No login")
            .With("Input.UserName", "")
            .With("Input.Login", ""));

        Assert.Equal("Enter the login, or a user name to use as the login.", result.ErrorFor("Input.Login"));
        Assert.Equal(0, await app.WithDbAsync(db => db.MailServers.CountAsync()));
    }

    [Fact]
    public async Task A_typed_password_is_not_echoed_back_and_the_page_asks_for_it_again()
    {
        var client = await app.CreateBrowserAsync();
        var form = await client.GetPageAsync("/MailServers/Create");

        using var response = await client.SubmitAsync(form, ServerForms.Basic("Echo", password: "Typed-Secret-123").With("Input.Port", "0"));
        var html = await response.Content.ReadAsStringAsync();
        var page = await response.ReadPageAsync();

        Assert.DoesNotContain("Typed-Secret-123", html, StringComparison.Ordinal);
        Assert.Equal("", page.ValueOf("Input.Password") ?? "");
        Assert.NotNull(page.QuerySelector("[data-testid=retype-password]"));
    }

    [Fact]
    public async Task Client_side_rules_are_rendered_for_the_browser()
    {
        var form = await (await app.CreateBrowserAsync()).GetPageAsync("/MailServers/Create");

        var name = form.QuerySelector("[name='Input.Name']")!;
        Assert.Equal("true", name.GetAttribute("data-val"));
        Assert.Equal("Enter a name for the server.", name.GetAttribute("data-val-required"));
        Assert.Equal("100", name.GetAttribute("data-val-maxlength-max"));
        Assert.Equal("The name can have at most 100 characters.", name.GetAttribute("data-val-maxlength"));
        Assert.NotNull(form.QuerySelector("[name='Input.SenderEmail'][data-val-email]"));
        Assert.NotNull(form.QuerySelector("[name='Input.Port'][data-val-range-max='65535']"));
    }
}
