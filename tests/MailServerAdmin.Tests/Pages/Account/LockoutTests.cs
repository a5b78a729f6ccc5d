using MailServerAdmin.Tests.Infrastructure;

namespace MailServerAdmin.Tests.Pages.Account;

public sealed class LockoutTests
{
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

        Assert.StartsWith("Too many failed sign-ins: this account is locked for 15 more minutes.", page.ValidationSummary(), StringComparison.Ordinal);

        var stillLocked = await client.SubmitAndReadAsync(page, new Dictionary<string, string?>
        {
            ["Input.Email"] = "locked@example.com",
            ["Input.Password"] = "the-right-password",
        });
        Assert.Equal("/Account/Login", stillLocked.Location.PathName);
        Assert.StartsWith("Too many failed sign-ins", stillLocked.ValidationSummary(), StringComparison.Ordinal);
        Assert.Equal("/Account/Login", (await client.GetPageAsync("/MailServers")).Location.PathName);
    }
}
