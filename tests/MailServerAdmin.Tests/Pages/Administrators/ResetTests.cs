using AngleSharp.Html.Dom;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Tests.Pages.Account;
using MailServerAdmin.Audit;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Pages.Administrators;

public sealed class ResetTests
{
    private const string Colleague = "colleague@example.com";
    private const string ColleaguePassword = "colleague-password";

    [Fact]
    public async Task Resetting_a_colleagues_password_ends_their_sessions_lifts_their_lockout_and_is_audited()
    {
        using var app = new AppFactory();
        var admin = await app.CreateBrowserAsync();
        await app.EnsureAdministratorAsync(Colleague, ColleaguePassword);
        var colleague = await app.CreateBrowserAsync(Colleague, ColleaguePassword);
        var locker = app.CreateAnonymousBrowser();
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await TwoFactorSteps.PasswordStepAsync(locker, Colleague, $"guess-{attempt}");
        }

        var list = await admin.GetPageAsync("/Administrators");
        var form = await admin.GetPageAsync(Link(list, Colleague, "reset-password"));
        var differ = await admin.SubmitAndReadAsync(form, new Dictionary<string, string?>
        {
            ["Input.Password"] = "a-brand-new-password",
            ["Input.ConfirmPassword"] = "another-new-password",
        });
        Assert.Equal("The two passwords differ.", differ.ErrorFor("Input.ConfirmPassword"));
        Assert.DoesNotContain("a-brand-new-password", differ.Source.Text, StringComparison.Ordinal);

        var done = await admin.SubmitAndReadAsync(form, new Dictionary<string, string?>
        {
            ["Input.Password"] = "a-brand-new-password",
            ["Input.ConfirmPassword"] = "a-brand-new-password",
        });
        Assert.Equal("/Administrators", done.Location.PathName);
        Assert.Contains($"The password of {Colleague} is reset", done.StatusMessage(), StringComparison.Ordinal);

        Assert.Equal("/Account/Login", (await colleague.GetPageAsync("/MailServers")).Location.PathName);
        Assert.Equal("/Account/Login", (await TwoFactorSteps.PasswordStepAsync(app.CreateAnonymousBrowser(), Colleague, ColleaguePassword)).Location.PathName);
        Assert.Equal("/MailServers", (await TwoFactorSteps.PasswordStepAsync(app.CreateAnonymousBrowser(), Colleague, "a-brand-new-password")).Location.PathName);
        var entry = await app.WithDbAsync(db => db.AuditEntries.SingleAsync(e => e.Action == AuditAction.PasswordReset));
        Assert.Equal(AppFactory.AdminEmail, entry.Administrator);
        Assert.Equal(Colleague, entry.Detail);
        Assert.DoesNotContain("a-brand-new-password", app.Logs.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resetting_a_colleagues_two_factor_lets_them_sign_in_with_the_password_alone()
    {
        using var app = new AppFactory();
        var admin = await app.CreateBrowserAsync();
        await app.EnsureAdministratorAsync(Colleague, ColleaguePassword);
        var (key, _) = await TwoFactorSteps.EnableAsync(await app.CreateBrowserAsync(Colleague, ColleaguePassword));
        var colleague = await TwoFactorSteps.SignInWithCodeAsync(app, Colleague, ColleaguePassword, key);

        var list = await admin.GetPageAsync("/Administrators");
        Assert.Equal("On", list.QuerySelector($"tr[data-admin='{Colleague}'] [data-testid=two-factor]")!.TextContent.Trim());
        var confirm = await admin.GetPageAsync(Link(list, Colleague, "reset-two-factor"));
        var done = await admin.SubmitAndReadAsync(confirm);

        Assert.Contains($"The two-factor sign-in of {Colleague} is reset", done.StatusMessage(), StringComparison.Ordinal);
        Assert.Equal("Off", done.QuerySelector($"tr[data-admin='{Colleague}'] [data-testid=two-factor]")!.TextContent.Trim());
        Assert.Null(done.QuerySelector($"tr[data-admin='{Colleague}'] [data-testid=reset-two-factor]"));
        Assert.Equal("/Account/Login", (await colleague.GetPageAsync("/MailServers")).Location.PathName);
        Assert.Equal("/MailServers", (await TwoFactorSteps.PasswordStepAsync(app.CreateAnonymousBrowser(), Colleague, ColleaguePassword)).Location.PathName);
        var entry = await app.WithDbAsync(db => db.AuditEntries.SingleAsync(e => e.Action == AuditAction.TwoFactorReset));
        Assert.Equal((AppFactory.AdminEmail, Colleague), (entry.Administrator, entry.Detail));
    }

    [Fact]
    public async Task Nobody_resets_their_own_account_from_the_administrators_page()
    {
        using var app = new AppFactory();
        var admin = await app.CreateBrowserAsync();
        await app.EnsureAdministratorAsync(Colleague, ColleaguePassword);
        var (key, _) = await TwoFactorSteps.EnableAsync(admin);
        admin = await TwoFactorSteps.SignInWithCodeAsync(app, AppFactory.AdminEmail, AppFactory.AdminPassword, key);
        var selfId = await app.WithDbAsync(db => db.Users.Where(u => u.Email == AppFactory.AdminEmail).Select(u => u.Id).SingleAsync());
        var colleagueId = await app.WithDbAsync(db => db.Users.Where(u => u.Email == Colleague).Select(u => u.Id).SingleAsync());

        var list = await admin.GetPageAsync("/Administrators");
        Assert.Empty(list.QuerySelectorAll($"tr[data-admin='{AppFactory.AdminEmail}'] [data-testid^=reset]"));
        var redirected = await admin.GetPageAsync($"/Administrators/ResetPassword/{selfId}");
        Assert.Equal("/Administrators", redirected.Location.PathName);
        Assert.Contains("You cannot reset your own account here", redirected.StatusMessage(), StringComparison.Ordinal);

        // A form for a colleague, posted to one's own address.
        var form = await admin.GetPageAsync($"/Administrators/ResetPassword/{colleagueId}");
        var values = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = form.QuerySelector<IHtmlInputElement>("input[name=__RequestVerificationToken]")!.Value,
            ["Input.Password"] = "taking-over-myself",
            ["Input.ConfirmPassword"] = "taking-over-myself",
        };
        using (var content = new FormUrlEncodedContent(values))
        {
            var refused = await (await admin.FollowAsync(await admin.PostAsync(new Uri($"/Administrators/ResetPassword/{selfId}", UriKind.Relative), content))).ReadPageAsync();
            Assert.Contains("You cannot reset your own account here", refused.StatusMessage(), StringComparison.Ordinal);
        }

        using (var content = new FormUrlEncodedContent(values))
        {
            var refused = await (await admin.FollowAsync(await admin.PostAsync(new Uri($"/Administrators/ResetTwoFactor/{selfId}", UriKind.Relative), content))).ReadPageAsync();
            Assert.Contains("You cannot reset your own account here", refused.StatusMessage(), StringComparison.Ordinal);
        }

        Assert.True(await app.WithDbAsync(db => db.Users.Where(u => u.Id == selfId).Select(u => u.TwoFactorEnabled).SingleAsync()));
        Assert.Equal("/Account/LoginWith2fa", (await TwoFactorSteps.PasswordStepAsync(app.CreateAnonymousBrowser(), AppFactory.AdminEmail, AppFactory.AdminPassword)).Location.PathName);
        Assert.False(await app.WithDbAsync(db => db.AuditEntries.AnyAsync(e => e.Action == AuditAction.PasswordReset || e.Action == AuditAction.TwoFactorReset)));
    }

    private static string Link(IHtmlDocument list, string email, string action) =>
        list.QuerySelector<IHtmlAnchorElement>($"tr[data-admin='{email}'] [data-testid={action}]")!.Href;
}
