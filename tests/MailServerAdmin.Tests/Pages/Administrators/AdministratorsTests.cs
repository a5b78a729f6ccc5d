using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Web.Administrators;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MailServerAdmin.Tests.Pages.Administrators;

public sealed class AdministratorsTests
{
    [Fact]
    public async Task An_added_administrator_can_sign_in_and_a_removed_one_is_signed_out_at_once()
    {
        using var app = new AppFactory();
        var admin = await app.CreateBrowserAsync();

        var form = await admin.GetPageAsync("/Administrators/Add");
        var list = await admin.SubmitAndReadAsync(form, new Dictionary<string, string?>
        {
            ["Input.Email"] = "colleague@example.com",
            ["Input.Password"] = "colleague-password",
        });
        Assert.Equal("/Administrators", list.Location.PathName);
        Assert.Contains("colleague@example.com is now an administrator.", list.StatusMessage(), StringComparison.Ordinal);
        Assert.NotNull(list.QuerySelector("tr[data-admin='colleague@example.com']"));

        var colleague = await app.CreateBrowserAsync("colleague@example.com", "colleague-password");
        Assert.Equal("/MailServers", (await colleague.GetPageAsync("/MailServers")).Location.PathName);

        var remove = await admin.GetPageAsync(list.QuerySelector<AngleSharp.Html.Dom.IHtmlAnchorElement>("tr[data-admin='colleague@example.com'] a[href*='/Remove/']")!.Href);
        var after = await admin.SubmitAndReadAsync(remove);
        Assert.Contains("colleague@example.com is no longer an administrator.", after.StatusMessage(), StringComparison.Ordinal);
        Assert.Null(after.QuerySelector("tr[data-admin='colleague@example.com']"));

        Assert.Equal("/Account/Login", (await colleague.GetPageAsync("/MailServers")).Location.PathName);
    }

    [Fact]
    public async Task Adding_checks_the_email_the_password_and_duplicates_keeping_the_input()
    {
        using var app = new AppFactory();
        var admin = await app.CreateBrowserAsync();
        var form = await admin.GetPageAsync("/Administrators/Add");

        var invalid = await admin.SubmitAndReadAsync(form, new Dictionary<string, string?>
        {
            ["Input.Email"] = "colleague@",
            ["Input.Password"] = "short",
        });
        Assert.Equal("Enter an e-mail address such as admin@example.com.", invalid.ErrorFor("Input.Email"));
        Assert.Equal("Choose a password of at least 12 characters.", invalid.ErrorFor("Input.Password"));
        Assert.Equal("colleague@", invalid.ValueOf("Input.Email"));
        Assert.DoesNotContain("value=\"short\"", invalid.Source.Text, StringComparison.Ordinal);

        var duplicate = await admin.SubmitAndReadAsync(form, new Dictionary<string, string?>
        {
            ["Input.Email"] = AppFactory.AdminEmail.ToUpperInvariant(),
            ["Input.Password"] = "another-long-password",
        });
        Assert.Equal($"{AppFactory.AdminEmail.ToUpperInvariant()} is already an administrator.", duplicate.ErrorFor("Input.Email"));
        Assert.Equal(1, await app.WithDbAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task Nobody_can_remove_themselves()
    {
        using var app = new AppFactory();
        var admin = await app.CreateBrowserAsync();
        await app.EnsureAdministratorAsync("other@example.com", "other-long-password");
        var selfId = await app.WithDbAsync(db => db.Users.Where(u => u.Email == AppFactory.AdminEmail).Select(u => u.Id).SingleAsync());

        var list = await admin.GetPageAsync("/Administrators");
        Assert.Null(list.QuerySelector($"tr[data-admin='{AppFactory.AdminEmail}'] a[href*='/Remove/']"));

        var confirm = await admin.GetPageAsync($"/Administrators/Remove/{selfId}");
        var refused = await admin.SubmitAndReadAsync(confirm);

        Assert.Contains("You cannot remove yourself", refused.StatusMessage(), StringComparison.Ordinal);
        Assert.Equal(2, await app.WithDbAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task The_last_administrator_is_never_removed()
    {
        using var app = new AppFactory();
        await app.EnsureAdministratorAsync("only@example.com", "only-long-password");
        var id = await app.WithDbAsync(db => db.Users.Select(u => u.Id).SingleAsync());

        // Not through a page (the only administrator is always the one signed in), but the rule holds anyway.
        await using var scope = app.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<AdministratorService>().RemoveAsync(id);

        Assert.Equal(RemoveResult.Last, result);
        Assert.NotNull(await scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>().FindByIdAsync(id));
    }
}
