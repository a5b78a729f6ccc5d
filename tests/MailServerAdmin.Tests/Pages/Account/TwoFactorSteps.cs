using System.Text.RegularExpressions;
using AngleSharp.Html.Dom;
using MailServerAdmin.Tests.Infrastructure;

namespace MailServerAdmin.Tests.Pages.Account;

/// <summary>Two-factor sign-in as an administrator goes through it: the set-up page, then signing in with a code.</summary>
public static partial class TwoFactorSteps
{
    /// <summary>The key shown on the set-up page, without its spaces.</summary>
    public static string KeyOn(IHtmlDocument setup) =>
        setup.QuerySelector("[data-testid=authenticator-key]")!.TextContent.Trim().Replace(" ", "", StringComparison.Ordinal);

    /// <summary>Opens the set-up page, verifies a code from the key it shows; returns the key and the recovery codes shown.</summary>
    public static async Task<(string Key, IReadOnlyList<string> RecoveryCodes)> EnableAsync(HttpClient client)
    {
        var setup = await client.GetPageAsync("/Account/Manage/EnableAuthenticator");
        var key = KeyOn(setup);
        var shown = await client.SubmitAndReadAsync(setup, new Dictionary<string, string?> { ["Input.Code"] = Totp.Code(key) });
        Assert.Equal("/Account/Manage/ShowRecoveryCodes", shown.Location.PathName);
        return (key, RecoveryCodesOn(shown));
    }

    public static IReadOnlyList<string> RecoveryCodesOn(IHtmlDocument page) =>
        [.. page.QuerySelectorAll("[data-testid=recovery-codes] code").Select(c => c.TextContent.Trim())];

    /// <summary>Submits e-mail and password on the sign-in page; returns the page it leads to.</summary>
    public static async Task<IHtmlDocument> PasswordStepAsync(HttpClient client, string email, string password, string start = "/Account/Login")
    {
        var login = await client.GetPageAsync(start);
        return await client.SubmitAndReadAsync(login, new Dictionary<string, string?>
        {
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        });
    }

    /// <summary>Signs in with the password and then a code computed from <paramref name="key"/>.</summary>
    public static async Task<HttpClient> SignInWithCodeAsync(AppFactory app, string email, string password, string key)
    {
        var client = app.CreateAnonymousBrowser();
        var second = await PasswordStepAsync(client, email, password);
        Assert.Equal("/Account/LoginWith2fa", second.Location.PathName);
        var landed = await client.SubmitAndReadAsync(second, new Dictionary<string, string?> { ["Input.Code"] = Totp.Code(key) });
        Assert.Equal("/MailServers", landed.Location.PathName);
        return client;
    }

    /// <summary>Groups of four letters and digits of the base32 alphabet.</summary>
    [GeneratedRegex("^[A-Z2-7]{4}( [A-Z2-7]{4})*( [A-Z2-7]{1,3})?$")]
    public static partial Regex GroupedKey();
}
