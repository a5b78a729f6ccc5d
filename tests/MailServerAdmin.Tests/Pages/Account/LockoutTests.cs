using System.Diagnostics;
using MailServerAdmin.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace MailServerAdmin.Tests.Pages.Account;

/// <summary>The sign-in page tells nobody whether an address is an administrator's, and the lockout still holds.</summary>
public sealed class LockoutTests
{
    private const string Refusal = "Wrong e-mail or password, or the account is locked for a while after too many failed sign-ins.";

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_even_against_the_right_one()
    {
        using var app = new AppFactory();
        await app.EnsureAdministratorAsync("locked@example.com", "the-right-password");
        var client = app.CreateAnonymousBrowser();

        var page = await client.GetPageAsync("/Account/Login");
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            page = await client.SubmitAndReadAsync(page, new Dictionary<string, string?>
            {
                ["Input.Email"] = "locked@example.com",
                ["Input.Password"] = $"wrong-{attempt}",
            });
        }

        Assert.Equal(Refusal, page.ValidationSummary());

        var stillLocked = await client.SubmitAndReadAsync(page, new Dictionary<string, string?>
        {
            ["Input.Email"] = "locked@example.com",
            ["Input.Password"] = "the-right-password",
        });
        Assert.Equal("/Account/Login", stillLocked.Location.PathName);
        Assert.Equal(Refusal, stillLocked.ValidationSummary());
        Assert.Equal("/Account/Login", (await client.GetPageAsync("/MailServers")).Location.PathName);

        var id = await app.WithDbAsync(db => Task.FromResult(db.Users.Single(u => u.Email == "locked@example.com").Id));
        Assert.Contains(app.Logs.Lines, line => line.StartsWith("Warning ", StringComparison.Ordinal) && line.Contains(id, StringComparison.Ordinal) && line.Contains("locked out", StringComparison.Ordinal));
        Assert.DoesNotContain("wrong-5", app.Logs.All, StringComparison.Ordinal);
        Assert.DoesNotContain("the-right-password", app.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_email_a_wrong_password_and_a_locked_account_get_the_same_answer()
    {
        using var app = new AppFactory();
        await app.EnsureAdministratorAsync("known@example.com", "the-known-password");
        await app.EnsureAdministratorAsync("locked@example.com", "the-locked-password");
        var client = app.CreateAnonymousBrowser();
        var login = await client.GetPageAsync("/Account/Login");
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            await AttemptAsync(client, login, "locked@example.com", $"wrong-{attempt}");
        }

        var unknown = await AttemptAsync(client, login, "nobody@example.com", "the-known-password");
        var wrong = await AttemptAsync(client, login, "known@example.com", "not-the-password");
        var locked = await AttemptAsync(client, login, "locked@example.com", "the-locked-password");

        Assert.Equal(Refusal, unknown.Summary);
        Assert.NotEmpty(unknown.ErrorArea);
        Assert.All(new[] { wrong, locked }, other =>
        {
            Assert.Equal(unknown.Status, other.Status);
            Assert.Equal(unknown.ErrorArea, other.ErrorArea);
        });
        Assert.Equal(System.Net.HttpStatusCode.OK, unknown.Status);
        Assert.Equal("/Account/Login", (await client.GetPageAsync("/MailServers")).Location.PathName);
    }

    [Fact]
    public async Task An_unknown_email_takes_about_as_long_as_a_known_one()
    {
        // A realistic hashing cost, so that a password hash is what the time is made of.
        using var app = new AppFactory { ExtraServices = services => services.Configure<PasswordHasherOptions>(o => o.IterationCount = 100_000) };
        await app.EnsureAdministratorAsync("timed@example.com", "the-timed-password");
        await TimedAttemptAsync(app, "warm-up@example.com", "whatever-it-is");

        var known = new List<TimeSpan>();
        var unknown = new List<TimeSpan>();
        for (var round = 0; round < 4; round++)
        {
            known.Add(await TimedAttemptAsync(app, "timed@example.com", "the-timed-password"));
            unknown.Add(await TimedAttemptAsync(app, $"nobody-{round}@example.com", "the-timed-password"));
        }

        var knownMedian = known.Order().ElementAt(known.Count / 2);
        var unknownMedian = unknown.Order().ElementAt(unknown.Count / 2);
        Assert.True(unknownMedian > knownMedian / 2, $"an unknown e-mail took {unknownMedian.TotalMilliseconds} ms, a known one {knownMedian.TotalMilliseconds} ms");
    }

    /// <summary>How long one sign-in takes, from a browser of its own (a signed-in one would need a new antiforgery token).</summary>
    private static async Task<TimeSpan> TimedAttemptAsync(AppFactory app, string email, string password)
    {
        var client = app.CreateAnonymousBrowser(followRedirects: false);
        var login = await client.GetPageAsync("/Account/Login");
        var watch = Stopwatch.StartNew();
        await AttemptAsync(client, login, email, password);
        return watch.Elapsed;
    }

    private static async Task<Attempt> AttemptAsync(HttpClient client, AngleSharp.Html.Dom.IHtmlDocument login, string email, string password)
    {
        using var response = await client.SubmitAsync(login, new Dictionary<string, string?>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
        var page = await response.ReadPageAsync();
        return new Attempt(
            response.StatusCode,
            page.QuerySelector("main form [role=alert]")?.OuterHtml ?? "",
            page.ValidationSummary());
    }

    private sealed record Attempt(System.Net.HttpStatusCode Status, string ErrorArea, string Summary);
}
