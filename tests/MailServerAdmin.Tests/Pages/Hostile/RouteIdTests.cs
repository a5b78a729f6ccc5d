using System.Globalization;
using AngleSharp.Html.Dom;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Tests.Infrastructure.OAuth;
using MailServerAdmin.MailServers;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MailServerAdmin.Tests.Pages.Hostile;

/// <summary>
/// A page acts on the server (or administrator) named in its URL and on no other: an <c>id</c> smuggled into the posted
/// form (as <c>id</c>, <c>Id</c> or <c>Input.Id</c>) changes nothing anywhere else.
/// </summary>
public sealed class RouteIdTests(OAuthFixture oauth) : IClassFixture<OAuthFixture>
{
    public static TheoryData<string> ForeignIdFields => ["id", "Id", "Input.Id"];

    private AppFactory App => oauth.App;

    [Theory]
    [MemberData(nameof(ForeignIdFields))]
    public async Task Saving_the_edit_form_with_a_foreign_id_changes_nothing_on_the_other_server(string field)
    {
        var client = await App.CreateBrowserAsync();
        var a = await CreateBasicAsync(client, "Edit A", "a.example.com", 587, "a-password");
        var b = await CreateBasicAsync(client, "Edit B", "b.example.com", 2525, "b-password");
        var before = await RowAsync(b);
        var edit = await client.GetPageAsync($"/MailServers/Edit/{a}");

        // The other server's version too, as someone who opened its form would know it.
        using var response = await client.FollowAsync(await client.SubmitAsync(edit, new Dictionary<string, string?>
        {
            [field] = Id(b),
            ["Input.Name"] = $"Renamed {Guid.NewGuid():N}",
            ["Input.Version"] = before.Version.ToString(),
        }));

        Assert.True((int)response.StatusCode < 500, $"answered {(int)response.StatusCode}");
        var after = await RowAsync(b);
        Assert.Equal(
            (before.Name, before.Host, before.Port, before.ProtectedPassword, before.Version),
            (after.Name, after.Host, after.Port, after.ProtectedPassword, after.Version));
        Assert.Equal("a.example.com", (await RowAsync(a)).Host);
    }

    [Theory]
    [MemberData(nameof(ForeignIdFields))]
    public async Task Saving_the_edit_form_with_a_stray_id_saves_the_server_of_the_url(string field)
    {
        var client = await App.CreateBrowserAsync();
        var a = await CreateBasicAsync(client, "Stray A", "a.example.com", 587, "a-password");
        var b = await CreateBasicAsync(client, "Stray B", "b.example.com", 2525, "b-password");
        var before = await RowAsync(b);
        var edit = await client.GetPageAsync($"/MailServers/Edit/{a}");
        var renamed = $"Renamed {Guid.NewGuid():N}";

        var list = await client.SubmitAndReadAsync(edit, new Dictionary<string, string?> { [field] = Id(b), ["Input.Name"] = renamed });

        Assert.Contains($"Mail server '{renamed}' saved.", list.StatusMessage(), StringComparison.Ordinal);
        Assert.Equal(renamed, (await RowAsync(a)).Name);
        Assert.Equal(before.Version, (await RowAsync(b)).Version);
    }

    [Theory]
    [MemberData(nameof(ForeignIdFields))]
    public async Task Deleting_with_a_foreign_id_deletes_only_the_server_of_the_url(string field)
    {
        var client = await App.CreateBrowserAsync();
        var a = await CreateBasicAsync(client, "Delete A", "a.example.com", 587, "a-password");
        var b = await CreateBasicAsync(client, "Delete B", "b.example.com", 587, "b-password");
        var confirm = await client.GetPageAsync($"/MailServers/Delete/{a}");

        await client.SubmitAndReadAsync(confirm, new Dictionary<string, string?> { [field] = Id(b) });

        Assert.True(await App.WithDbAsync(db => db.MailServers.AnyAsync(s => s.Id == b)));
        Assert.False(await App.WithDbAsync(db => db.MailServers.AnyAsync(s => s.Id == a)));
    }

    [Theory]
    [MemberData(nameof(ForeignIdFields))]
    public async Task Make_default_with_a_foreign_id_makes_only_the_server_of_the_button_the_default(string field)
    {
        var client = await App.CreateBrowserAsync();
        var tag = Guid.NewGuid().ToString("N");
        var first = await CreateBasicAsync(client, $"Default {tag} 1", "a.example.com", 587, "pw", isDefault: true);
        var other = await CreateBasicAsync(client, $"Default {tag} 2", "b.example.com", 587, "pw");
        var chosen = await CreateBasicAsync(client, $"Default {tag} 3", "c.example.com", 587, "pw");
        var list = await client.GetPageAsync($"/MailServers?q={tag}");
        var form = $"tr[data-server-id='{chosen}'] button[data-action=make-default]";

        await client.SubmitAndReadAsync(list, new Dictionary<string, string?> { [field] = Id(other) }, button: form);

        var defaults = await App.WithDbAsync(db => db.MailServers.Where(s => s.IsDefault).Select(s => s.Id).ToListAsync());
        Assert.Equal([chosen], defaults);
        Assert.NotEqual(first, chosen);
    }

    [Theory]
    [MemberData(nameof(ForeignIdFields))]
    public async Task Test_connection_on_the_check_page_with_a_foreign_id_tests_the_server_of_the_url(string field)
    {
        var client = await App.CreateBrowserAsync();
        var port = ClosedPort();
        var a = await CreateBasicAsync(client, "Check A", "127.0.0.1", port, null);
        var b = await CreateBasicAsync(client, "Check B", "127.0.0.1", port, "b-password");
        var check = await client.GetPageAsync($"/MailServers/Status/{a}");

        var page = await client.SubmitAndReadAsync(check, new Dictionary<string, string?> { [field] = Id(b) }, button: "[data-testid=test-connection]");

        Assert.NotNull(page.QuerySelector("[data-testid=smtp-result]"));
        Assert.Equal(await NameOfAsync(a), NameInHeading(page));
    }

    [Theory]
    [MemberData(nameof(ForeignIdFields))]
    public async Task Send_test_message_on_the_check_page_with_a_foreign_id_uses_the_server_of_the_url(string field)
    {
        var client = await App.CreateBrowserAsync();
        var port = ClosedPort();
        var a = await CreateBasicAsync(client, "Send A", "127.0.0.1", port, null);
        var b = await CreateBasicAsync(client, "Send B", "127.0.0.1", port, "b-password");
        var check = await client.GetPageAsync($"/MailServers/Status/{a}");

        var page = await client.SubmitAndReadAsync(
            check, new Dictionary<string, string?> { [field] = Id(b), ["TestRecipient"] = "someone@example.com" }, button: "[data-testid=send-test]");

        Assert.NotNull(page.QuerySelector("[data-testid=smtp-result]"));
        Assert.Equal(await NameOfAsync(a), NameInHeading(page));
    }

    [Theory]
    [MemberData(nameof(ForeignIdFields))]
    public async Task Refresh_now_with_a_foreign_id_leaves_the_other_servers_tokens_alone(string field)
    {
        var client = await App.CreateBrowserAsync();
        var a = await CreateManualAsync(client, "Refresh A");
        var b = await CreateManualAsync(client, "Refresh B");
        var before = await RowAsync(b);
        var own = await RowAsync(a);
        var check = await client.GetPageAsync($"/MailServers/Status/{a}");

        await client.SubmitAndReadAsync(check, new Dictionary<string, string?> { [field] = Id(b) }, formSelector: "main form[action*='handler=Refresh']");

        AssertSameTokens(before, await RowAsync(b));
        var refreshed = await RowAsync(a);
        Assert.NotEqual((own.ProtectedAccessToken, own.TokenError, own.TokenVersion), (refreshed.ProtectedAccessToken, refreshed.TokenError, refreshed.TokenVersion));
    }

    [Theory]
    [MemberData(nameof(ForeignIdFields))]
    public async Task Revoke_with_a_foreign_id_leaves_the_other_servers_tokens_alone(string field)
    {
        var client = await App.CreateBrowserAsync();
        var a = await CreateManualAsync(client, "Revoke A");
        var b = await CreateManualAsync(client, "Revoke B");
        var before = await RowAsync(b);
        var check = await client.GetPageAsync($"/MailServers/Status/{a}");

        await client.SubmitAndReadAsync(check, new Dictionary<string, string?> { [field] = Id(b) }, formSelector: "main form[action*='handler=Revoke']");

        AssertSameTokens(before, await RowAsync(b));
        Assert.Null((await RowAsync(a)).ProtectedRefreshToken);
    }

    [Theory]
    [MemberData(nameof(ForeignIdFields))]
    public async Task Get_token_with_a_foreign_id_comes_back_to_the_server_of_the_url(string field)
    {
        var client = await oauth.BrowserAsync();
        var a = await CreateManualAsync(client, "Token A");
        var b = await CreateManualAsync(client, "Token B");
        var before = await RowAsync(b);
        var edit = await client.GetPageAsync($"/MailServers/Edit/{a}");

        var authorize = await OAuthFixture.GetTokenAsync(client, edit, new Dictionary<string, string?>
        {
            [field] = Id(b),
            ["Input.ClientSecret"] = oauth.Provider.Options.ClientSecret,
        });
        var answer = await oauth.Provider.AuthorizeAsync(authorize);
        using var callback = await client.GetAsync(new Uri(answer.RedirectUri!.PathAndQuery, UriKind.Relative));

        Assert.Equal(System.Net.HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal($"/MailServers/Edit/{a}", callback.Headers.Location!.OriginalString.Split('?')[0]);
        AssertSameTokens(before, await RowAsync(b));
    }

    [Theory]
    [MemberData(nameof(ForeignIdFields))]
    public async Task Test_connection_on_the_edit_form_with_a_foreign_id_never_uses_the_other_servers_password(string field)
    {
        var client = await App.CreateBrowserAsync();
        var port = ClosedPort();
        var a = await CreateBasicAsync(client, "Form test A", "127.0.0.1", port, null);
        var b = await CreateBasicAsync(client, "Form test B", "127.0.0.1", port, "b-password");
        var edit = await client.GetPageAsync($"/MailServers/Edit/{a}");
        var values = new Dictionary<string, string?>
        {
            [field] = Id(b),
            ["Input.RequiresAuthentication"] = "true",
            ["Input.Login"] = "someone",
            ["Input.Password"] = "",
        };

        var tested = await client.SubmitAndReadAsync(edit, values, button: "[data-testid=test-connection]");
        var sent = await client.SubmitAndReadAsync(
            edit, new Dictionary<string, string?>(values) { ["TestRecipient"] = "someone@example.com" }, button: "[data-testid=send-test]");

        foreach (var page in new[] { tested, sent })
        {
            // A has no stored password: the test stops at the password, it does not borrow B's.
            Assert.Null(page.QuerySelector("[data-testid=smtp-result]"));
            Assert.Equal("Enter the login and password to test with.", page.ErrorFor("Input.Password"));
            Assert.EndsWith($"/MailServers/Edit/{a}", page.QuerySelector<IHtmlFormElement>("main form[method=post]")!.Action.Split('?')[0], StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(ForeignIdFields))]
    public async Task Removing_an_administrator_with_a_foreign_id_removes_only_the_one_of_the_url(string field)
    {
        var client = await App.CreateBrowserAsync();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var leaving = await AddAdministratorAsync($"leaving-{tag}@example.com");
        var staying = await AddAdministratorAsync($"staying-{tag}@example.com");
        var confirm = await client.GetPageAsync($"/Administrators/Remove/{leaving}");

        await client.SubmitAndReadAsync(confirm, new Dictionary<string, string?> { [field] = staying });

        var remaining = await AdministratorIdsAsync();
        Assert.Contains(staying, remaining);
        Assert.DoesNotContain(leaving, remaining);
    }

    private static void AssertSameTokens(MailServer before, MailServer after) => Assert.Equal(
        (before.ProtectedAccessToken, before.ProtectedRefreshToken, before.TokenError, before.TokenNeedsAuthorization, before.TokenVersion, before.Version),
        (after.ProtectedAccessToken, after.ProtectedRefreshToken, after.TokenError, after.TokenNeedsAuthorization, after.TokenVersion, after.Version));

    private static string Id(int id) => id.ToString(CultureInfo.InvariantCulture);

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string NameInHeading(IHtmlDocument page) => page.QuerySelector("ol.breadcrumb li[aria-current=page]")!.TextContent.Trim();

    private Task<string> NameOfAsync(int id) => App.WithDbAsync(db => db.MailServers.Where(s => s.Id == id).Select(s => s.Name).SingleAsync());

    private Task<MailServer> RowAsync(int id) => App.WithDbAsync(db => db.MailServers.AsNoTracking().SingleAsync(s => s.Id == id));

    private async Task<int> CreateBasicAsync(HttpClient client, string name, string host, int port, string? password, bool isDefault = false)
    {
        var unique = $"{name} {Guid.NewGuid():N}";
        var values = ServerForms.Basic(unique, password)
            .With("Input.Host", host)
            .With("Input.Port", port.ToString(CultureInfo.InvariantCulture))
            .With("Input.Security", "None")
            .With("Input.IsDefault", isDefault ? "true" : "false")
            .With("Input.RequiresAuthentication", password is null ? "false" : "true");
        await SubmitNewAsync(client, values);
        return await App.WithDbAsync(db => db.MailServers.Where(s => s.Name == unique).Select(s => s.Id).SingleAsync());
    }

    /// <summary>A Manual configuration server on the test provider, with pasted tokens and a revocation URL.</summary>
    private async Task<int> CreateManualAsync(HttpClient client, string name)
    {
        var unique = $"{name} {Guid.NewGuid():N}";
        var values = oauth.Manual(unique)
            .With("Input.RevocationUrl", oauth.Provider.RevocationEndpoint.ToString())
            .With("Input.AccessToken", $"access-{Guid.NewGuid():N}")
            .With("Input.RefreshToken", $"refresh-{Guid.NewGuid():N}");
        await SubmitNewAsync(client, values);
        return await App.WithDbAsync(db => db.MailServers.Where(s => s.Name == unique).Select(s => s.Id).SingleAsync());
    }

    private static async Task SubmitNewAsync(HttpClient client, Dictionary<string, string?> values)
    {
        var form = await client.GetPageAsync("/MailServers/Create");
        using var response = await client.FollowAsync(await client.SubmitAsync(form, values));
        var page = await response.ReadPageAsync();
        Assert.True(page.Location.PathName == "/MailServers", $"New was refused: {page.ValidationSummary()} {string.Join(" ", page.QuerySelectorAll(".field-validation-error").Select(e => e.TextContent))}");
    }

    private async Task<string> AddAdministratorAsync(string email)
    {
        await App.EnsureAdministratorAsync(email, "a-long-enough-password");
        return (await AdministratorIdsAsync(email)).Single();
    }

    private async Task<List<string>> AdministratorIdsAsync(string? email = null)
    {
        await using var scope = App.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        return await users.Users.Where(u => email == null || u.Email == email).Select(u => u.Id).ToListAsync();
    }
}
