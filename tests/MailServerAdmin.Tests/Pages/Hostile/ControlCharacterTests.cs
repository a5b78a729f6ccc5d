using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.MailServers;
using MailServerAdmin.Tests.Infrastructure.OAuth;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Pages.Hostile;

/// <summary>
/// Line breaks and other control characters never reach a stored name, host, login, URL or scope list, and a secret never
/// holds a line break or NUL: each is refused with a message beside its field.
/// </summary>
public sealed class ControlCharacterTests(OAuthFixture oauth) : IClassFixture<OAuthFixture>
{
    private const string SingleLine = "Use a single line without control characters (no line breaks, tabs or text direction overrides).";
    private const string SecretLineBreak = "This value cannot contain line breaks or NUL characters.";

    /// <summary>
    /// CR/LF, tab, DEL, C1 controls (NEL, CSI), the line and paragraph separators, and bidirectional overrides. (NUL never
    /// reaches a page: the framework refuses a form holding one, see below.)
    /// </summary>
    private static readonly string[] Controls = ["\r\n", "\n", "\t", "\u0001", "\u001B", "\u007F", "\u0085", "\u009B", "\u2028", "\u2029", "\u202E", "\u2066"];

    /// <summary>Field, a valid value with {0} where the character goes, and the form (Basic, Manual or Microsoft).</summary>
    private static readonly (string Field, string Value, string Form)[] SingleLineFields =
    [
        ("Input.Name", "Bad{0}Name", "Basic"),
        ("Input.Host", "smtp{0}.example.com", "Basic"),
        ("Input.UserName", "robot{0}@example.com", "Basic"),
        ("Input.SenderEmail", "noreply{0}@example.com", "Basic"),
        ("Input.SenderName", "Example{0}Robot", "Basic"),
        ("Input.Login", "robot{0}login", "Basic"),
        ("Input.ClientId", "client{0}id", "Manual"),
        ("Input.AuthorizationUrl", "https://login.example.com/{0}authorize", "Manual"),
        ("Input.TokenUrl", "https://login.example.com/{0}token", "Manual"),
        ("Input.RevocationUrl", "https://login.example.com/{0}revoke", "Manual"),
        ("Input.Scopes", "smtp.send{0}offline_access", "Manual"),
        ("Input.Tenant", "contoso{0}.onmicrosoft.com", "Microsoft"),
    ];

    private static readonly (string Field, string Form)[] SecretFields =
    [
        ("Input.Password", "Basic"),
        ("Input.ClientSecret", "Manual"),
        ("Input.AccessToken", "Manual"),
        ("Input.RefreshToken", "Manual"),
    ];

    public static TheoryData<string, string, string, string> SingleLineCases()
    {
        var data = new TheoryData<string, string, string, string>();
        foreach (var (field, value, form) in SingleLineFields)
        {
            // A scope list is split at any white space, line breaks included: only the others can reach it.
            foreach (var control in Controls.Where(c => field != "Input.Scopes" || !char.IsWhiteSpace(c[0])))
            {
                data.Add(field, value, form, Escaped(control));
            }
        }

        return data;
    }

    public static TheoryData<string, string, string> SecretCases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (field, form) in SecretFields)
        {
            foreach (var control in new[] { "\r\n", "\n", "\r" })
            {
                data.Add(field, form, Escaped(control));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SingleLineCases))]
    public async Task A_control_character_in_a_single_line_field_is_refused_beside_it(string field, string template, string form, string control)
    {
        var name = $"Controls {Guid.NewGuid():N}";
        var value = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, Unescaped(control));

        var page = await SubmitNewAsync(Form(form, name).With(field, value));

        Assert.True(SingleLine == page.ErrorFor(field), $"{field} with {control}: '{page.ErrorFor(field)}'");
        Assert.Equal("/MailServers/Create", page.Location.PathName);
        Assert.False(await oauth.App.WithDbAsync(db => db.MailServers.AnyAsync(s => s.Name == name || s.Name == value)));
    }

    [Theory]
    [MemberData(nameof(SecretCases))]
    public async Task A_line_break_or_nul_in_a_secret_is_refused_beside_it_and_not_echoed(string field, string form, string control)
    {
        var name = $"Secret {Guid.NewGuid():N}";
        var secret = $"secret-{Guid.NewGuid():N}{Unescaped(control)}tail-{Guid.NewGuid():N}";

        var page = await SubmitNewAsync(Form(form, name).With(field, secret));

        Assert.Equal(SecretLineBreak, page.ErrorFor(field));
        Assert.DoesNotContain(secret.Split(Unescaped(control))[0], page.Source.Text, StringComparison.Ordinal);
        Assert.False(await oauth.App.WithDbAsync(db => db.MailServers.AnyAsync(s => s.Name == name)));
    }

    [Theory]
    [InlineData("Input.Name")]
    [InlineData("Input.Password")]
    [InlineData("Input.SenderName")]
    public async Task A_form_holding_a_nul_is_refused_whole_and_nothing_is_stored(string field)
    {
        var name = $"Nul {Guid.NewGuid():N}";
        var client = await oauth.App.CreateBrowserAsync();
        var form = await client.GetPageAsync("/MailServers/Create");

        using var response = await client.SubmitAsync(form, ServerForms.Basic(name).With(field, "before\0after"));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(await oauth.App.WithDbAsync(db => db.MailServers.AnyAsync(s => s.Name == name || s.Name.StartsWith("before"))));
    }

    [Fact]
    public async Task A_secret_may_hold_any_printable_character()
    {
        var name = $"Printable {Guid.NewGuid():N}";
        const string password = "p@ss wörd \"'<>&\u00A0€ 🔑 \u202E end";

        var client = await oauth.App.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic(name, password));

        Assert.Equal(password, oauth.App.Secret(await oauth.App.WithDbAsync(db => db.MailServers.SingleAsync(s => s.Name == name)), SecretField.Password));
    }

    [Theory]
    [InlineData("colleague@example.com\r\nBcc: x@example.com")]
    [InlineData("colleague\u202E@example.com")]
    public async Task A_control_character_in_an_administrators_email_is_refused_beside_it(string email)
    {
        var client = await oauth.App.CreateBrowserAsync();
        var form = await client.GetPageAsync("/Administrators/Add");

        var page = await client.SubmitAndReadAsync(form, new Dictionary<string, string?>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = "a-long-enough-password",
        });

        Assert.Equal(SingleLine, page.ErrorFor("Input.Email"));
        Assert.Equal("/Administrators/Add", page.Location.PathName);
    }

    private static string Escaped(string control) => string.Concat(control.Select(c => $"U+{(int)c:X4}"));

    private static string Unescaped(string escaped) =>
        string.Concat(escaped.Split("U+", StringSplitOptions.RemoveEmptyEntries).Select(hex => (char)Convert.ToInt32(hex, 16)));

    private Dictionary<string, string?> Form(string form, string name) => form switch
    {
        "Basic" => ServerForms.Basic(name),
        "Manual" => oauth.Manual(name)
            .With("Input.RevocationUrl", oauth.Provider.RevocationEndpoint.ToString())
            .With("Input.AccessToken", "pasted-access")
            .With("Input.RefreshToken", "pasted-refresh"),
        _ => oauth.Microsoft(name, "contoso.onmicrosoft.com"),
    };

    private async Task<AngleSharp.Html.Dom.IHtmlDocument> SubmitNewAsync(Dictionary<string, string?> values)
    {
        var client = await oauth.App.CreateBrowserAsync();
        var form = await client.GetPageAsync("/MailServers/Create");
        using var response = await client.SubmitAsync(form, values);
        Assert.True((int)response.StatusCode < 500, $"answered {(int)response.StatusCode}");
        return await response.ReadPageAsync();
    }
}
