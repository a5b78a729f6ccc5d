using System.Net;
using System.Text.RegularExpressions;
using MailServerAdmin.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Pages.Setup;

public sealed partial class SetupTests
{
    [Fact]
    public async Task The_first_administrator_is_created_with_the_code_from_the_log_and_then_setup_is_gone()
    {
        using var app = new AppFactory();
        var client = app.CreateAnonymousBrowser();

        var login = await client.GetPageAsync("/MailServers");
        Assert.Equal("/Account/Login", login.Location.PathName);
        Assert.NotNull(login.QuerySelector("[data-testid=setup-pending]"));

        var code = SetupCodeIn(app.Logs.All);
        var form = await client.GetPageAsync("/setup");
        var latecomer = app.CreateAnonymousBrowser();
        var latecomerForm = await latecomer.GetPageAsync("/setup");

        var wrong = await client.SubmitAndReadAsync(form, Fields("ABCD-EFGH-JKLM-NPQR"));
        Assert.Equal("That is not the set-up code. Copy it from the log the app wrote when it started.", wrong.ErrorFor("Input.Code"));
        Assert.Equal("first@example.com", wrong.ValueOf("Input.Email"));
        Assert.NotNull(wrong.QuerySelector("[data-testid=retype-password]"));
        Assert.Equal(0, await app.WithDbAsync(db => db.Users.CountAsync()));

        var welcome = await client.SubmitAndReadAsync(wrong, Fields(code.ToLowerInvariant()));
        Assert.Equal("/MailServers", welcome.Location.PathName);
        Assert.Contains("You are the first administrator (first@example.com)", welcome.StatusMessage(), StringComparison.Ordinal);
        Assert.Equal("first@example.com", welcome.QuerySelector("[data-testid=signed-in-as]")!.TextContent.Trim());

        using var again = await app.CreateAnonymousBrowser().GetAsync(new Uri("/setup", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        using var replay = await latecomer.SubmitAsync(latecomerForm, Fields(code).With("Input.Email", "late@example.com"));
        Assert.Equal(HttpStatusCode.NotFound, replay.StatusCode);
        Assert.Equal(1, await app.WithDbAsync(db => db.Users.CountAsync()));
        Assert.DoesNotContain("correct-horse-battery-staple", app.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Setup_checks_the_email_and_password()
    {
        using var app = new AppFactory();
        var client = app.CreateAnonymousBrowser();
        var code = SetupCodeIn(app.Logs.All);
        var form = await client.GetPageAsync("/setup");

        var refused = await client.SubmitAndReadAsync(form, new Dictionary<string, string?>
        {
            ["Input.Code"] = code,
            ["Input.Email"] = "not-an-address",
            ["Input.Password"] = "short",
            ["Input.ConfirmPassword"] = "different",
        });

        Assert.Equal("Enter an e-mail address such as admin@example.com.", refused.ErrorFor("Input.Email"));
        Assert.Equal("Choose a password of at least 12 characters.", refused.ErrorFor("Input.Password"));
        Assert.Equal("The two passwords differ.", refused.ErrorFor("Input.ConfirmPassword"));
        Assert.Equal(0, await app.WithDbAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task No_code_is_written_when_an_administrator_already_exists()
    {
        var first = new AppFactory();
        await first.EnsureAdministratorAsync("someone@example.com", "long-enough-password");
        Assert.Matches(CodePattern(), first.Logs.All);

        using var restarted = first.Restart();
        _ = restarted.Services;

        Assert.DoesNotMatch(CodePattern(), restarted.Logs.All);
        using var response = await restarted.CreateAnonymousBrowser().GetAsync(new Uri("/setup", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.True(await restarted.WithDbAsync(async db =>
        {
            var user = await db.Users.SingleAsync();
            return new PasswordHasher<IdentityUser>().VerifyHashedPassword(user, user.PasswordHash!, "long-enough-password") != PasswordVerificationResult.Failed;
        }));
    }

    private static Dictionary<string, string?> Fields(string code) => new()
    {
        ["Input.Code"] = code,
        ["Input.Email"] = "first@example.com",
        ["Input.Password"] = "correct-horse-battery-staple",
        ["Input.ConfirmPassword"] = "correct-horse-battery-staple",
    };

    private static string SetupCodeIn(string log) => CodePattern().Match(log).Groups[1].Value;

    [GeneratedRegex(@"set-up code to create the first administrator: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})")]
    private static partial Regex CodePattern();
}
