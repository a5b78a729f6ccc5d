using System.Net;
using System.Text.RegularExpressions;
using MailServerAdmin.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Hosting;

/// <summary>
/// The first-run set-up code is kept hashed in the database, not in one process: a code any instance (or an earlier
/// start) wrote to its log works on every instance, once.
/// </summary>
public sealed partial class SetupCodeTests
{
    [Fact]
    public async Task A_code_from_another_instance_or_an_earlier_start_works_and_is_stored_only_hashed()
    {
        var first = new AppFactory();
        _ = first.Services;
        var earlier = Code(first.Logs.All);
        using var restarted = first.Restart();
        _ = restarted.Services;
        using var other = restarted.Sibling();
        _ = other.Services;
        var codes = new[] { earlier, Code(restarted.Logs.All), Code(other.Logs.All) };
        Assert.Equal(3, codes.Distinct().Count());

        var hashes = await restarted.WithDbAsync(db => db.SetupCodes.Select(c => c.Hash).ToListAsync());
        Assert.Equal(3, hashes.Count);
        Assert.All(hashes, hash => Assert.All(codes, code =>
        {
            Assert.DoesNotContain(code, hash, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(code.Replace("-", "", StringComparison.Ordinal), hash, StringComparison.OrdinalIgnoreCase);
        }));

        // The code of the earlier start, entered on the other instance.
        var browser = other.CreateAnonymousBrowser();
        var welcome = await browser.SubmitAndReadAsync(await browser.GetPageAsync("/setup"), Fields(earlier, "first@example.com"));

        Assert.Equal("/MailServers", welcome.Location.PathName);
        Assert.Empty(await other.WithDbAsync(db => db.SetupCodes.ToListAsync()));
        using var setupAgain = await restarted.CreateAnonymousBrowser().GetAsync(new Uri("/setup", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, setupAgain.StatusCode);
        var login = await restarted.CreateAnonymousBrowser().GetPageAsync("/Account/Login");
        Assert.Null(login.QuerySelector("[data-testid=setup-pending]"));
    }

    [Fact]
    public async Task Two_set_ups_at_once_on_two_instances_create_one_first_administrator()
    {
        using var a = new AppFactory();
        _ = a.Services;
        using var b = a.Sibling();
        _ = b.Services;
        var onA = a.CreateAnonymousBrowser(followRedirects: false);
        var onB = b.CreateAnonymousBrowser(followRedirects: false);
        var formA = await onA.GetPageAsync("/setup");
        var formB = await onB.GetPageAsync("/setup");

        var statuses = await Task.WhenAll(
            SubmitAsync(onA, formA, Fields(Code(a.Logs.All), "a@example.com")),
            SubmitAsync(onB, formB, Fields(Code(b.Logs.All), "b@example.com")));

        Assert.Equal([HttpStatusCode.Redirect, HttpStatusCode.NotFound], statuses.Order());
        Assert.Equal(1, await a.WithDbAsync(db => db.Users.CountAsync()));
        Assert.Empty(await a.WithDbAsync(db => db.SetupCodes.ToListAsync()));
    }

    [Fact]
    public async Task A_refused_first_administrator_gives_the_code_back()
    {
        using var app = new AppFactory();
        _ = app.Services;
        var code = Code(app.Logs.All);
        var browser = app.CreateAnonymousBrowser();
        var form = await browser.GetPageAsync("/setup");

        // Identity refuses this e-mail as a user name (the page's own checks let it through): nothing is created.
        var refused = await browser.SubmitAndReadAsync(form, Fields(code, "o'hara@example.com"));
        Assert.NotEqual("/MailServers", refused.Location.PathName);
        Assert.Contains("o'hara@example.com", refused.ErrorFor("Input.Email"), StringComparison.Ordinal);
        Assert.Equal(0, await app.WithDbAsync(db => db.Users.CountAsync()));
        Assert.Single(await app.WithDbAsync(db => db.SetupCodes.ToListAsync()));

        var welcome = await browser.SubmitAndReadAsync(refused, Fields(code, "ohara@example.com"));
        Assert.Equal("/MailServers", welcome.Location.PathName);
    }

    private static async Task<HttpStatusCode> SubmitAsync(HttpClient client, AngleSharp.Html.Dom.IHtmlDocument form, Dictionary<string, string?> fields)
    {
        using var response = await client.SubmitAsync(form, fields);
        return response.StatusCode;
    }

    private static Dictionary<string, string?> Fields(string code, string email) => new()
    {
        ["Input.Code"] = code,
        ["Input.Email"] = email,
        ["Input.Password"] = "correct-horse-battery-staple",
        ["Input.ConfirmPassword"] = "correct-horse-battery-staple",
    };

    private static string Code(string log) => CodePattern().Match(log).Groups[1].Value;

    [GeneratedRegex(@"set-up code to create the first administrator: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})")]
    private static partial Regex CodePattern();
}
