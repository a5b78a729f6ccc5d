using System.Net;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Audit;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MailServerAdmin.Tests.Pages.Account;

public sealed class TwoFactorTests
{
    private const string Email = "second@example.com";
    private const string Password = "second-factor-password";

    [Fact]
    public async Task Two_factor_is_turned_on_only_with_a_code_from_the_key_shown_and_then_signing_in_asks_for_a_code()
    {
        using var app = new AppFactory();
        await app.EnsureAdministratorAsync(Email, Password);
        var client = await app.CreateBrowserAsync(Email, Password);

        var setup = await client.GetPageAsync("/Account/Manage/EnableAuthenticator");
        var shownKey = setup.QuerySelector("[data-testid=authenticator-key]")!.TextContent.Trim();
        Assert.Matches(TwoFactorSteps.GroupedKey(), shownKey);
        var key = TwoFactorSteps.KeyOn(setup);
        var qr = setup.QuerySelector<AngleSharp.Html.Dom.IHtmlImageElement>("[data-testid=qr-code]")!;
        Assert.StartsWith("data:image/png;base64,", qr.Source, StringComparison.Ordinal);
        Assert.NotEmpty(qr.AlternativeText!);
        Assert.All(setup.Scripts, script => Assert.False(string.IsNullOrEmpty(script.Source), "the set-up page has an inline script"));
        Assert.Equal(key, TwoFactorSteps.KeyOn(await client.GetPageAsync("/Account/Manage/EnableAuthenticator")));

        var wrong = await client.SubmitAndReadAsync(setup, new Dictionary<string, string?> { ["Input.Code"] = OtherThan(Totp.Code(key)) });
        Assert.Equal("That code does not match the key. Check the time on your phone and enter the code the app shows now.", wrong.ErrorFor("Input.Code"));
        Assert.False(await TwoFactorOnAsync(app, Email));

        var shown = await client.SubmitAndReadAsync(wrong, new Dictionary<string, string?> { ["Input.Code"] = Totp.Code(key) });
        Assert.Equal("/Account/Manage/ShowRecoveryCodes", shown.Location.PathName);
        Assert.Equal(10, TwoFactorSteps.RecoveryCodesOn(shown).Distinct().Count());
        Assert.True(await TwoFactorOnAsync(app, Email));
        Assert.Empty(TwoFactorSteps.RecoveryCodesOn(await client.GetPageAsync("/Account/Manage/ShowRecoveryCodes")));
        Assert.Equal("/MailServers", (await client.GetPageAsync("/MailServers")).Location.PathName);

        var anonymous = app.CreateAnonymousBrowser();
        var second = await TwoFactorSteps.PasswordStepAsync(anonymous, Email, Password, "/Audit");
        Assert.Equal("/Account/LoginWith2fa", second.Location.PathName);
        Assert.Equal("/Account/Login", (await anonymous.GetPageAsync("/MailServers")).Location.PathName);
        second = await anonymous.GetPageAsync(second.Url);
        var refused = await anonymous.SubmitAndReadAsync(second, new Dictionary<string, string?> { ["Input.Code"] = OtherThan(Totp.Code(key)) });
        Assert.Equal("Wrong code, or the account is locked for a while after too many failed attempts.", refused.ValidationSummary());
        var landed = await anonymous.SubmitAndReadAsync(refused, new Dictionary<string, string?> { ["Input.Code"] = Totp.Code(key, DateTimeOffset.UtcNow.AddSeconds(30)) });
        Assert.Equal("/Audit", landed.Location.PathName);
        Assert.Equal(Email, landed.QuerySelector("[data-testid=signed-in-as]")!.TextContent.Trim());

        Assert.DoesNotContain(key, app.Logs.All, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(AuditAction.TwoFactorEnabled, await app.WithDbAsync(db => db.AuditEntries.Select(e => e.Action).ToListAsync()));
    }

    [Fact]
    public async Task A_recovery_code_signs_in_once()
    {
        using var app = new AppFactory();
        await app.EnsureAdministratorAsync(Email, Password);
        var (_, codes) = await TwoFactorSteps.EnableAsync(await app.CreateBrowserAsync(Email, Password));

        var client = app.CreateAnonymousBrowser();
        var second = await TwoFactorSteps.PasswordStepAsync(client, Email, Password);
        var recovery = await client.GetPageAsync(second.QuerySelector<AngleSharp.Html.Dom.IHtmlAnchorElement>("a[href*='LoginWithRecoveryCode']")!.Href);
        var wrong = await client.SubmitAndReadAsync(recovery, new Dictionary<string, string?> { ["Input.Code"] = "AAAAA-BBBBB" });
        Assert.StartsWith("Wrong or already used recovery code", wrong.ValidationSummary(), StringComparison.Ordinal);
        var landed = await client.SubmitAndReadAsync(wrong, new Dictionary<string, string?> { ["Input.Code"] = codes[3] });
        Assert.Equal("/MailServers", landed.Location.PathName);
        Assert.Contains("Recovery codes left: 9.", (await client.GetPageAsync("/Account/Manage")).QuerySelector("[data-testid=recovery-codes-left]")!.TextContent, StringComparison.Ordinal);

        var again = app.CreateAnonymousBrowser();
        await TwoFactorSteps.PasswordStepAsync(again, Email, Password);
        var reused = await again.SubmitAndReadAsync(
            await again.GetPageAsync("/Account/LoginWithRecoveryCode"), new Dictionary<string, string?> { ["Input.Code"] = codes[3] });
        Assert.Equal("/Account/LoginWithRecoveryCode", reused.Location.PathName);
        Assert.StartsWith("Wrong or already used recovery code", reused.ValidationSummary(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_code_page_without_a_password_first_sends_back_to_sign_in()
    {
        using var app = new AppFactory();
        await app.EnsureAdministratorAsync(AppFactory.AdminEmail, AppFactory.AdminPassword);

        var page = await app.CreateAnonymousBrowser().GetPageAsync("/Account/LoginWith2fa");

        Assert.Equal("/Account/Login", page.Location.PathName);
        Assert.Equal("Sign in again with your e-mail and password.", page.StatusMessage().Split('\n')[0].Trim());
    }

    [Fact]
    public async Task Five_wrong_codes_lock_the_account_even_against_the_right_code()
    {
        using var app = new AppFactory();
        await app.EnsureAdministratorAsync(Email, Password);
        var (key, _) = await TwoFactorSteps.EnableAsync(await app.CreateBrowserAsync(Email, Password));
        var client = app.CreateAnonymousBrowser();
        var page = await TwoFactorSteps.PasswordStepAsync(client, Email, Password);

        for (var attempt = 0; attempt < 5; attempt++)
        {
            page = await client.SubmitAndReadAsync(page, new Dictionary<string, string?> { ["Input.Code"] = OtherThan(Totp.Code(key)) });
        }

        var refused = await client.SubmitAndReadAsync(page, new Dictionary<string, string?> { ["Input.Code"] = Totp.Code(key) });
        Assert.Equal("/Account/LoginWith2fa", refused.Location.PathName);
        Assert.Equal("Wrong code, or the account is locked for a while after too many failed attempts.", refused.ValidationSummary());
        Assert.True(await app.WithDbAsync(db => db.Users.Where(u => u.Email == Email).Select(u => u.LockoutEnd > DateTimeOffset.UtcNow).SingleAsync()));
        Assert.Equal("/Account/Login", (await client.GetPageAsync("/MailServers")).Location.PathName);
    }

    [Fact]
    public async Task Turning_two_factor_off_takes_the_password_or_a_code_and_drops_the_key()
    {
        using var app = new AppFactory();
        await app.EnsureAdministratorAsync(Email, Password);
        var (key, codes) = await TwoFactorSteps.EnableAsync(await app.CreateBrowserAsync(Email, Password));
        var client = await TwoFactorSteps.SignInWithCodeAsync(app, Email, Password, key);

        var form = await client.GetPageAsync("/Account/Manage/Disable2fa");
        var wrong = await client.SubmitAndReadAsync(form, new Dictionary<string, string?> { ["Input.PasswordOrCode"] = "not-my-password" });
        Assert.Equal("That is neither your password nor a current code from your app.", wrong.ErrorFor("Input.PasswordOrCode"));
        Assert.DoesNotContain("not-my-password", wrong.Source.Text, StringComparison.Ordinal);
        var wrongCode = await client.SubmitAndReadAsync(form, new Dictionary<string, string?> { ["Input.PasswordOrCode"] = OtherThan(Totp.Code(key)) });
        Assert.Equal("That is neither your password nor a current code from your app.", wrongCode.ErrorFor("Input.PasswordOrCode"));
        Assert.True(await TwoFactorOnAsync(app, Email));

        var off = await client.SubmitAndReadAsync(form, new Dictionary<string, string?> { ["Input.PasswordOrCode"] = Totp.Code(key) });
        Assert.Equal("/Account/Manage", off.Location.PathName);
        Assert.Contains("Two-factor sign-in is off.", off.StatusMessage(), StringComparison.Ordinal);
        Assert.False(await TwoFactorOnAsync(app, Email));
        Assert.Equal("/MailServers", (await client.GetPageAsync("/MailServers")).Location.PathName);

        Assert.Equal("/MailServers", (await TwoFactorSteps.PasswordStepAsync(app.CreateAnonymousBrowser(), Email, Password)).Location.PathName);
        var fresh = await client.GetPageAsync("/Account/Manage/EnableAuthenticator");
        Assert.NotEqual(key, TwoFactorSteps.KeyOn(fresh));
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        Assert.Equal(0, await users.CountRecoveryCodesAsync((await users.FindByEmailAsync(Email))!));
        Assert.NotEmpty(codes);
    }

    [Fact]
    public async Task Where_two_factor_is_required_an_administrator_without_it_reaches_nothing_but_the_set_up()
    {
        using var app = new AppFactory { Settings = new Dictionary<string, string?> { ["Admin:RequireTwoFactor"] = "true" } };
        await app.EnsureAdministratorAsync(Email, Password);
        var client = app.CreateAnonymousBrowser();

        var setup = await TwoFactorSteps.PasswordStepAsync(client, Email, Password, "/Audit");
        Assert.Equal("/Account/Manage/EnableAuthenticator", setup.Location.PathName);
        Assert.NotNull(setup.QuerySelector("[data-testid=two-factor-required]"));
        foreach (var path in new[] { "/MailServers", "/Administrators", "/Account/Manage", "/Account/Manage/ChangePassword" })
        {
            Assert.Equal("/Account/Manage/EnableAuthenticator", (await client.GetPageAsync(path)).Location.PathName);
        }

        using var post = await client.SubmitAsync(await client.GetPageAsync("/Account/Manage/EnableAuthenticator"), new Dictionary<string, string?>(), formSelector: "form[action='/Account/Logout']");
        Assert.Equal(HttpStatusCode.OK, (await client.FollowAsync(post)).StatusCode);

        var again = await TwoFactorSteps.PasswordStepAsync(client, Email, Password, "/Audit");
        var key = TwoFactorSteps.KeyOn(again);
        var shown = await client.SubmitAndReadAsync(again, new Dictionary<string, string?> { ["Input.Code"] = Totp.Code(key) });
        Assert.Equal("/Account/Manage/ShowRecoveryCodes", shown.Location.PathName);
        var next = await client.GetPageAsync(shown.QuerySelector<AngleSharp.Html.Dom.IHtmlAnchorElement>("main a.btn-primary")!.Href);
        Assert.Equal("/Audit", next.Location.PathName);
        Assert.Equal("/MailServers", (await client.GetPageAsync("/MailServers")).Location.PathName);
    }

    [Fact]
    public async Task New_recovery_codes_replace_the_old_ones()
    {
        using var app = new AppFactory();
        await app.EnsureAdministratorAsync(Email, Password);
        var client = await app.CreateBrowserAsync(Email, Password);
        var (key, old) = await TwoFactorSteps.EnableAsync(client);

        var confirm = await client.GetPageAsync("/Account/Manage/GenerateRecoveryCodes");
        var shown = await client.SubmitAndReadAsync(confirm);
        var fresh = TwoFactorSteps.RecoveryCodesOn(shown);
        Assert.Equal(10, fresh.Count);
        Assert.Empty(fresh.Intersect(old));

        var other = app.CreateAnonymousBrowser();
        await TwoFactorSteps.PasswordStepAsync(other, Email, Password);
        var refused = await other.SubmitAndReadAsync(
            await other.GetPageAsync("/Account/LoginWithRecoveryCode"), new Dictionary<string, string?> { ["Input.Code"] = old[0] });
        Assert.Equal("/Account/LoginWithRecoveryCode", refused.Location.PathName);
        var landed = await other.SubmitAndReadAsync(refused, new Dictionary<string, string?> { ["Input.Code"] = fresh[0] });
        Assert.Equal("/MailServers", landed.Location.PathName);
        Assert.NotEmpty(key);
        Assert.Contains(AuditAction.RecoveryCodesGenerated, await app.WithDbAsync(db => db.AuditEntries.Select(e => e.Action).ToListAsync()));
    }

    private static Task<bool> TwoFactorOnAsync(AppFactory app, string email) =>
        app.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.TwoFactorEnabled).SingleAsync());

    /// <summary>A 6-digit code that is not <paramref name="code"/> (nor, most likely, any code the key gives within minutes).</summary>
    private static string OtherThan(string code) =>
        ((int.Parse(code, System.Globalization.CultureInfo.InvariantCulture) + 500_000) % 1_000_000).ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
}
