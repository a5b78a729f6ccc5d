using System.Net;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Tests.Infrastructure.OAuth;

namespace MailServerAdmin.Tests.Faults;

/// <summary>The provider sends the browser back while the database cannot be written.</summary>
public sealed class OAuthStorageFaultTests
{
    [SqliteFact("makes SQLite itself read-only, full, locked or unreadable")]
    [Trait("Database", "Sqlite")]
    public async Task A_callback_on_a_read_only_database_answers_503_without_echoing_the_code()
    {
        await using var provider = await TestOAuthProvider.StartAsync();
        var database = new SickDatabase();
        using var app = database.CreateApp(oauthProvider: provider.BaseUri);
        var client = await app.CreateBrowserAsync(followRedirects: false);
        var form = await client.GetPageAsync("/MailServers/Create");
        var authorizationUrl = await OAuthFixture.GetTokenAsync(client, form, ServerForms.Basic("Cloud", password: null)
            .With("Input.UserName", provider.Options.DefaultUser.Email)
            .With("Input.AuthenticationType", "OAuth")
            .With("Input.Provider", "Manual")
            .With("Input.ClientId", provider.Options.ClientId)
            .With("Input.ClientSecret", provider.Options.ClientSecret)
            .With("Input.AuthorizationUrl", provider.AuthorizationEndpoint.ToString())
            .With("Input.TokenUrl", provider.TokenEndpoint.ToString())
            .With("Input.Scopes", "smtp.send offline_access"));
        var answer = await provider.AuthorizeAsync(authorizationUrl);

        database.Sickness = Sickness.ReadOnly;
        using var response = await client.GetAsync(new Uri(answer.RedirectUri!.PathAndQuery, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        database.Sickness = Sickness.Healthy;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("The database cannot be written right now (read-only or full). Nothing was saved.", body, StringComparison.Ordinal);
        Assert.DoesNotContain(answer.Code!, body, StringComparison.Ordinal);
        Assert.DoesNotContain(answer.State!, body, StringComparison.Ordinal);
        // (ASP.NET Core's own request lines, at Information, carry the whole URL; the app's settings keep them off.)
        Assert.DoesNotContain(
            app.Logs.Lines.Where(line => !line.Contains("Microsoft.AspNetCore.Hosting.Diagnostics", StringComparison.Ordinal)),
            line => line.Contains(answer.Code!, StringComparison.Ordinal));
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
    }
}
