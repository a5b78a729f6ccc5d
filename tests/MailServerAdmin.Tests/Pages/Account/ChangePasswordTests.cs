using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Audit;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Pages.Account;

public sealed class ChangePasswordTests
{
    private const string Email = "changer@example.com";
    private const string Password = "the-first-password";

    [Fact]
    public async Task Changing_the_password_keeps_this_session_and_ends_the_others()
    {
        using var app = new AppFactory();
        await app.EnsureAdministratorAsync(Email, Password);
        var here = await app.CreateBrowserAsync(Email, Password);
        var elsewhere = await app.CreateBrowserAsync(Email, Password);

        var account = await here.GetPageAsync("/Account/Manage");
        var form = await here.GetPageAsync(account.QuerySelector<AngleSharp.Html.Dom.IHtmlAnchorElement>("a[href$='/Account/Manage/ChangePassword']")!.Href);
        var changed = await here.SubmitAndReadAsync(form, new Dictionary<string, string?>
        {
            ["Input.CurrentPassword"] = Password,
            ["Input.NewPassword"] = "the-second-password",
            ["Input.ConfirmPassword"] = "the-second-password",
        });

        Assert.Equal("/Account/Manage", changed.Location.PathName);
        Assert.Contains("Your password is changed.", changed.StatusMessage(), StringComparison.Ordinal);
        Assert.Equal("/MailServers", (await here.GetPageAsync("/MailServers")).Location.PathName);
        Assert.Equal("/Account/Login", (await elsewhere.GetPageAsync("/MailServers")).Location.PathName);
        Assert.Equal("/Account/Login", (await TwoFactorSteps.PasswordStepAsync(app.CreateAnonymousBrowser(), Email, Password)).Location.PathName);
        Assert.Equal("/MailServers", (await TwoFactorSteps.PasswordStepAsync(app.CreateAnonymousBrowser(), Email, "the-second-password")).Location.PathName);
        var entry = await app.WithDbAsync(db => db.AuditEntries.SingleAsync(e => e.Action == AuditAction.PasswordChanged));
        Assert.Equal(Email, entry.Administrator);
        Assert.DoesNotContain("the-second-password", app.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_current_password_or_a_weak_new_one_is_refused_beside_its_field()
    {
        using var app = new AppFactory();
        await app.EnsureAdministratorAsync(Email, Password);
        var client = await app.CreateBrowserAsync(Email, Password);
        var form = await client.GetPageAsync("/Account/Manage/ChangePassword");

        var weak = await client.SubmitAndReadAsync(form, new Dictionary<string, string?>
        {
            ["Input.CurrentPassword"] = Password,
            ["Input.NewPassword"] = "short",
            ["Input.ConfirmPassword"] = "different",
        });
        Assert.Equal("Choose a password of at least 12 characters.", weak.ErrorFor("Input.NewPassword"));
        Assert.Equal("The two passwords differ.", weak.ErrorFor("Input.ConfirmPassword"));

        var wrong = await client.SubmitAndReadAsync(form, new Dictionary<string, string?>
        {
            ["Input.CurrentPassword"] = "not-the-current-one",
            ["Input.NewPassword"] = "the-second-password",
            ["Input.ConfirmPassword"] = "the-second-password",
        });
        Assert.Equal("That is not your current password.", wrong.ErrorFor("Input.CurrentPassword"));
        Assert.DoesNotContain("not-the-current-one", wrong.Source.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("the-second-password", wrong.Source.Text, StringComparison.Ordinal);
        Assert.Equal(1, await app.WithDbAsync(db => db.Users.Where(u => u.Email == Email).Select(u => u.AccessFailedCount).SingleAsync()));
        Assert.Equal("/MailServers", (await TwoFactorSteps.PasswordStepAsync(app.CreateAnonymousBrowser(), Email, Password)).Location.PathName);
        Assert.False(await app.WithDbAsync(db => db.AuditEntries.AnyAsync(e => e.Action == AuditAction.PasswordChanged)));
    }
}
