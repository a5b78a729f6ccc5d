using System.Net;
using AngleSharp.Html.Dom;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Tests.Infrastructure.OAuth;
using MailServerAdmin.MailServers;
using MailServerAdmin.Web.Validation;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Pages.Hostile;

/// <summary>
/// Hostile values in every field of New and Edit, Basic and OAuth (Manual configuration): never an error page, every
/// refusal explained on the page, and no stored row that breaks a rule. Each form is read once and posted again and
/// again with its real antiforgery token, one field changed at a time.
/// </summary>
public sealed class FormFuzzTests(OAuthFixture oauth) : IClassFixture<OAuthFixture>
{
    private const string Nul = "NUL";

    /// <summary>A megabyte that is easy to recognise in a page or a log.</summary>
    private static readonly string Megabyte = string.Concat(Enumerable.Repeat("fuzz-megabyte-", 75_000));

    private static readonly (string Label, string Value)[] Corpus =
    [
        ("empty", ""),
        ("white space", "  \t  "),
        ("10 kB", new string('k', 10_240)),
        ("1 MB", Megabyte),
        (Nul, "before\0after"),
        ("C0 control", "before\u0001after"),
        ("CR/LF", "before\r\nafter"),
        ("LF", "before\nafter"),
        ("RTL override and emoji", "relay \u202Eyalp\u202C 📧🚀"),
        ("HTML and script", "<script>alert('x')</script><b>bold</b>"),
        ("-1", "-1"),
        ("0", "0"),
        ("65536", "65536"),
        ("99999999999", "99999999999"),
        ("enum number", "7"),
        ("enum name", "Bogus"),
        ("boolean on", "on"),
        ("boolean 2", "2"),
        ("malformed URL", "ht!tp://::/a b"),
        ("non-https URL", "http://example.com/oauth/token"),
        ("script URL", "javascript:alert(1)"),
        ("bad date", "2024-13-45T99:99"),
    ];

    private static readonly string[] CommonFields =
    [
        "Input.Name", "Input.Host", "Input.Port", "Input.Security", "Input.UserName", "Input.SenderEmail", "Input.SenderName",
        "Input.IsDefault", "Input.AuthenticationType", "Input.Id", "Input.Version", "Input.DraftId",
    ];

    private static readonly string[] BasicFields = ["Input.RequiresAuthentication", "Input.Login", "Input.Password", "Input.ClearPassword"];

    private static readonly string[] OAuthFields =
    [
        "Input.Provider", "Input.Tenant", "Input.ClientId", "Input.ClientSecret", "Input.AuthorizationUrl", "Input.TokenUrl",
        "Input.RevocationUrl", "Input.Scopes", "Input.AccessToken", "Input.RefreshToken", "Input.AccessTokenExpiresUtc",
    ];

    private static readonly HashSet<string> SecretFields = ["Input.Password", "Input.ClientSecret", "Input.AccessToken", "Input.RefreshToken"];

    /// <summary>Fields whose value a rule checks together with another field's, where the message then stands.</summary>
    private static readonly Dictionary<string, string[]> Related = new()
    {
        ["Input.Host"] = ["Input.Password", "Input.AccessToken", "Input.RefreshToken"],
        ["Input.Port"] = ["Input.Password", "Input.AccessToken", "Input.RefreshToken"],
        ["Input.Security"] = ["Input.Password", "Input.AccessToken", "Input.RefreshToken"],
        ["Input.UserName"] = ["Input.Login"],
        ["Input.RequiresAuthentication"] = ["Input.Password", "Input.Login"],
        ["Input.ClearPassword"] = ["Input.Password"],
        // The stored client secret goes only to the endpoints it was typed for; tokens belong to their issuer and destination.
        ["Input.AuthorizationUrl"] = ["Input.TokenUrl", "Input.ClientSecret"],
        ["Input.TokenUrl"] = ["Input.ClientSecret", "Input.AccessToken", "Input.RefreshToken"],
    };

    private AppFactory App => oauth.App;

    /// <summary>The five forms are fuzzed side by side (each on its own browser and server), then every row is checked.</summary>
    [Fact]
    public async Task Hostile_values_in_every_field_never_fail_the_page_go_unexplained_or_break_a_stored_rule()
    {
        var editBasic = await CreateAsync(ServerForms.Basic($"Fuzzed basic {Guid.NewGuid():N}"));
        var editOAuth = await CreateAsync(ManualValues($"Fuzzed OAuth {Guid.NewGuid():N}"));
        var noChange = new Dictionary<string, string?>();

        var found = await Task.WhenAll(
            FuzzAsync("New, Basic", [.. CommonFields, .. BasicFields], serverId: null, values: name => ServerForms.Basic(name)),
            FuzzAsync("New, OAuth", [.. CommonFields, .. OAuthFields], serverId: null, values: ManualValues),
            FuzzAsync("Edit, Basic", [.. CommonFields, .. BasicFields], editBasic, values: _ => new(noChange)),
            FuzzAsync("Edit, OAuth", [.. CommonFields, .. OAuthFields], editOAuth, values: _ => new(noChange)),
            FuzzAsync("Get Token, OAuth", ["Input.Name", "Input.UserName", .. OAuthFields], serverId: null, values: ManualValues, button: "[data-testid=get-token]"));

        var problems = found.SelectMany(p => p).Concat(await BrokenRowsAsync()).ToList();
        if (App.Logs.All.Contains(Megabyte[..200], StringComparison.Ordinal))
        {
            problems.Add("the log holds the 1 MB value");
        }

        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    private Dictionary<string, string?> ManualValues(string name) => oauth.Manual(name)
        .With("Input.RevocationUrl", oauth.Provider.RevocationEndpoint.ToString())
        .With("Input.AccessToken", "pasted-access-token")
        .With("Input.RefreshToken", "pasted-refresh-token");

    /// <summary>Posts every corpus value into every field of one form; returns what went wrong.</summary>
    private async Task<List<string>> FuzzAsync(
        string formName, string[] fields, int? serverId, Func<string, Dictionary<string, string?>> values, string? button = null)
    {
        var client = await App.CreateBrowserAsync(followRedirects: false);
        var form = await client.GetPageAsync(serverId is { } id ? $"/MailServers/Edit/{id}" : "/MailServers/Create");
        var problems = new List<string>();
        foreach (var field in fields)
        {
            foreach (var (label, value) in Corpus)
            {
                var posted = values($"Fuzz {Guid.NewGuid():N}");
                if (serverId is { } server)
                {
                    // The form as it was read, at the version saved meanwhile by the previous posts.
                    posted["Input.Version"] = (await App.WithDbAsync(db => db.MailServers.Where(s => s.Id == server).Select(s => s.Version).SingleAsync()))
                        .ToString();
                }

                posted[field] = value;
                var problem = await PostAsync(client, form, posted, field, label, value, button);
                if (problem is not null)
                {
                    problems.Add($"{formName}: {field} = {label}: {problem}");
                }
            }
        }

        return problems;
    }

    /// <summary>What is wrong with the answer to one post, or null.</summary>
    private static async Task<string?> PostAsync(
        HttpClient client, IHtmlDocument form, Dictionary<string, string?> posted, string field, string label, string value, string? button)
    {
        using var response = button is null ? await client.SubmitAsync(form, posted) : await client.SubmitAsync(form, posted, button: button);
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            return $"answered {status}";
        }

        if (label == Nul)
        {
            // The framework refuses a form holding NUL as a whole, before any page runs.
            return response.StatusCode == HttpStatusCode.BadRequest ? null : $"a NUL answered {status}";
        }

        if (response.StatusCode == HttpStatusCode.Redirect)
        {
            // Saved (to the list) or sent to the provider (Get Token).
            return null;
        }

        var page = await response.ReadPageAsync();
        if (page.QuerySelector("main form[method=post]") is null)
        {
            return $"answered {status} without the form";
        }

        if (SecretFields.Contains(field) && value.Length >= 8 && (page.Source.Text.Contains(value, StringComparison.Ordinal)
            || page.Source.Text.Contains(WebUtility.HtmlEncode(value), StringComparison.Ordinal)))
        {
            return "the typed secret is in the page";
        }

        var explained = page.ErrorFor(field).Length > 0
            || page.ValidationSummary().Length > 0
            || page.QuerySelector("[data-testid=form-damaged]") is not null
            || Related.GetValueOrDefault(field, []).Any(other => page.ErrorFor(other).Length > 0)
            // A type or provider switch brings in the other fields' rules; each says where it fails.
            || (field is "Input.AuthenticationType" or "Input.Provider" && page.QuerySelectorAll(".field-validation-error").Any(e => e.TextContent.Trim().Length > 0));
        return explained ? null : $"refused ({status}) with no message beside the field or in the summary";
    }

    /// <summary>Every stored row against the rules that must always hold.</summary>
    private async Task<List<string>> BrokenRowsAsync()
    {
        var rows = await App.WithDbAsync(db => db.MailServers.AsNoTracking().ToListAsync());
        var problems = new List<string>();
        foreach (var same in rows.GroupBy(r => NameKeys.For(r.Name)).Where(g => g.Count() > 1))
        {
            problems.Add($"names that read the same: {string.Join(", ", same.Select(r => r.Id))}");
        }

        problems.AddRange(rows.Where(r => r.NormalizedName != NameKeys.For(r.Name)).Select(r => $"server {r.Id}: name key not normalised"));
        if (rows.Count(r => r.IsDefault) > 1)
        {
            problems.Add("more than one default");
        }

        foreach (var row in rows)
        {
            var singleLine = new Dictionary<string, string?>
            {
                [nameof(row.Name)] = row.Name, [nameof(row.Host)] = row.Host, [nameof(row.UserName)] = row.UserName,
                [nameof(row.SenderEmail)] = row.SenderEmail, [nameof(row.SenderName)] = row.SenderName, [nameof(row.Login)] = row.Login,
                [nameof(row.Tenant)] = row.Tenant, [nameof(row.ClientId)] = row.ClientId, [nameof(row.AuthorizationUrl)] = row.AuthorizationUrl,
                [nameof(row.TokenUrl)] = row.TokenUrl, [nameof(row.RevocationUrl)] = row.RevocationUrl, [nameof(row.Scopes)] = row.Scopes,
            };
            problems.AddRange(singleLine.Where(c => !TextRules.IsSingleLine(c.Value)).Select(c => $"server {row.Id}: control character in {c.Key}"));
            var secrets = new Dictionary<string, string?>
            {
                [nameof(SecretField.Password)] = App.Secret(row, SecretField.Password), [nameof(SecretField.ClientSecret)] = App.Secret(row, SecretField.ClientSecret),
                [nameof(SecretField.AccessToken)] = App.Secret(row, SecretField.AccessToken), [nameof(SecretField.RefreshToken)] = App.Secret(row, SecretField.RefreshToken),
            };
            problems.AddRange(secrets.Where(c => !TextRules.HasNoLineBreak(c.Value)).Select(c => $"server {row.Id}: line break in {c.Key}"));
            if (row.AuthenticationType == AuthenticationType.OAuth && (string.IsNullOrEmpty(App.Secret(row, SecretField.AccessToken)) || string.IsNullOrEmpty(App.Secret(row, SecretField.RefreshToken))))
            {
                problems.Add($"server {row.Id}: OAuth without both tokens");
            }
        }

        return problems;
    }

    private async Task<int> CreateAsync(Dictionary<string, string?> values)
    {
        var client = await App.CreateBrowserAsync();
        await client.CreateServerAsync(values);
        var name = values["Input.Name"];
        return await App.WithDbAsync(db => db.MailServers.Where(s => s.Name == name).Select(s => s.Id).SingleAsync());
    }
}
