using System.Net;
using AngleSharp.Html.Dom;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Tests.Localization;

namespace MailServerAdmin.Tests.Pages.Account;

/// <summary>The account, two-factor, reset and single sign-on pages in Spanish and Portuguese carry no English.</summary>
public sealed class AccountLanguageTests(AccountLanguageTests.Site site) : IClassFixture<AccountLanguageTests.Site>
{
    /// <summary>An administrator with two-factor sign-in on, and a colleague with it on too.</summary>
    public sealed class Site : IAsyncLifetime
    {
        public AppFactory App { get; } = new();

        public string Key { get; private set; } = "";

        public string ColleagueId { get; private set; } = "";

        public async Task InitializeAsync()
        {
            (Key, _) = await TwoFactorSteps.EnableAsync(await App.CreateBrowserAsync());
            await App.EnsureAdministratorAsync("colega@example.com", "colega-password-1234");
            await TwoFactorSteps.EnableAsync(await App.CreateBrowserAsync("colega@example.com", "colega-password-1234"));
            ColleagueId = await App.WithDbAsync(db => Task.FromResult(db.Users.Single(u => u.Email == "colega@example.com").Id));
        }

        public Task DisposeAsync()
        {
            App.Dispose();
            return Task.CompletedTask;
        }
    }

    /// <summary>Each page, and a text of its own that must be there in the reader's language.</summary>
    private static readonly Dictionary<string, string> Expected = new()
    {
        ["account"] = "Account_TwoFactor_On",
        ["change-password"] = "ChangePassword_Intro",
        ["change-password-invalid"] = "ChangePassword_WrongCurrent",
        ["disable"] = "DisableTwoFactor_Text",
        ["generate"] = "RecoveryCodes_Generate_Text",
        ["recovery-codes"] = "RecoveryCodes_Title",
        ["login-code"] = "Login2fa_Intro",
        ["login-code-wrong"] = "Login2fa_Wrong",
        ["login-recovery"] = "LoginRecovery_Intro",
        ["reset-password"] = "Admins_ResetPassword_Text",
        ["reset-two-factor"] = "Admins_ResetTwoFactor_Text",
        ["administrators"] = "Admins_TwoFactor_On",
        ["sso-failed"] = "Sso_Failed",
    };

    public static TheoryData<string, string> Pages()
    {
        var data = new TheoryData<string, string>();
        foreach (var culture in MailServerAdmin.Tests.Localization.Resources.Translations)
        {
            foreach (var page in Expected.Keys)
            {
                data.Add(culture, page);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task An_account_page_in_a_translation_has_no_English_UI_text(string culture, string name)
    {
        var page = await OpenAsync(culture, name);

        Assert.Equal(culture, page.DocumentElement.GetAttribute("lang"));
        Assert.Contains(Translated.Of(Expected[name], culture), page.Text(), StringComparison.Ordinal);
        var english = page.EnglishLeftIn(culture);
        Assert.True(english.Count == 0, $"{name} in {culture} still shows English: {string.Join("; ", english)}");
    }

    private async Task<IHtmlDocument> OpenAsync(string culture, string name)
    {
        var anonymous = site.App.CreateAnonymousBrowser().Speaking(culture);
        switch (name)
        {
            case "sso-failed":
                using (var response = await anonymous.GetAsync(new Uri("/Account/ExternalLogin?handler=Failed", UriKind.Relative)))
                {
                    Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                    return await response.ReadPageAsync();
                }

            case "login-code":
            case "login-code-wrong":
            case "login-recovery":
                var second = await TwoFactorSteps.PasswordStepAsync(anonymous, AppFactory.AdminEmail, AppFactory.AdminPassword);
                return name switch
                {
                    "login-code" => second,
                    "login-code-wrong" => await anonymous.SubmitAndReadAsync(second, new Dictionary<string, string?> { ["Input.Code"] = Wrong(site.Key) }),
                    _ => await anonymous.GetPageAsync("/Account/LoginWithRecoveryCode"),
                };
        }

        var client = (await TwoFactorSteps.SignInWithCodeAsync(site.App, AppFactory.AdminEmail, AppFactory.AdminPassword, site.Key)).Speaking(culture);
        switch (name)
        {
            case "change-password-invalid":
                return await client.SubmitAndReadAsync(await client.GetPageAsync("/Account/Manage/ChangePassword"), new Dictionary<string, string?>
                {
                    ["Input.CurrentPassword"] = "not-the-password",
                    ["Input.NewPassword"] = "long-enough-new-password",
                    ["Input.ConfirmPassword"] = "long-enough-new-password",
                });
            case "recovery-codes":
                return await client.SubmitAndReadAsync(await client.GetPageAsync("/Account/Manage/GenerateRecoveryCodes"));
        }

        return await client.GetPageAsync(name switch
        {
            "account" => "/Account/Manage",
            "change-password" => "/Account/Manage/ChangePassword",
            "disable" => "/Account/Manage/Disable2fa",
            "generate" => "/Account/Manage/GenerateRecoveryCodes",
            "reset-password" => $"/Administrators/ResetPassword/{site.ColleagueId}",
            "reset-two-factor" => $"/Administrators/ResetTwoFactor/{site.ColleagueId}",
            "administrators" => "/Administrators",
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
        });
    }

    private static string Wrong(string key) =>
        ((int.Parse(Totp.Code(key), System.Globalization.CultureInfo.InvariantCulture) + 500_000) % 1_000_000)
            .ToString("D6", System.Globalization.CultureInfo.InvariantCulture);
}
