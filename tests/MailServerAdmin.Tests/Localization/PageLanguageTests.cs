using System.Net;
using AngleSharp.Html.Dom;
using MailServerAdmin.Tests.Infrastructure;

namespace MailServerAdmin.Tests.Localization;

/// <summary>Every page shown in Spanish and in Portuguese carries no English UI text, and its own texts are there.</summary>
public sealed class PageLanguageTests(PageLanguageTests.Site site) : IClassFixture<PageLanguageTests.Site>
{
    /// <summary>One installation with servers (Basic, OAuth, one that refuses connections), one without, one not set up.</summary>
    public sealed class Site : IAsyncLifetime
    {
        public AppFactory App { get; } = new();

        public AppFactory Empty { get; } = new();

        public AppFactory Fresh { get; } = new();

        public int BasicId { get; private set; }

        public int OAuthId { get; private set; }

        public int RefusingId { get; private set; }

        public string ColleagueId { get; private set; } = "";

        public async Task InitializeAsync()
        {
            var client = await App.CreateBrowserAsync();
            await client.CreateServerAsync(ServerForms.Basic("Relé Norte"));
            await client.CreateServerAsync(ServerForms.Basic("Nube Sur", password: null)
                .With("Input.UserName", "buzon@example.com")
                .With("Input.AuthenticationType", "OAuth")
                .With("Input.Provider", "Manual")
                .With("Input.ClientId", "cliente-1")
                .With("Input.TokenUrl", "https://auth.example.net/token")
                .With("Input.AccessToken", "pasted-access-token-1")
                .With("Input.RefreshToken", "pasted-refresh-token-1")
                .With("Input.AccessTokenExpiresUtc", "2030-01-02T03:04"));
            await client.CreateServerAsync(ServerForms.Basic("Local 1", password: null)
                .With("Input.Host", "127.0.0.1")
                .With("Input.Port", "1")
                .With("Input.Security", "None")
                .With("Input.RequiresAuthentication", "false"));
            BasicId = await client.FindIdAsync("Relé Norte");
            OAuthId = await client.FindIdAsync("Nube Sur");
            RefusingId = await client.FindIdAsync("Local 1");
            await client.SubmitAndReadAsync(await client.GetPageAsync("/Administrators/Add"), new Dictionary<string, string?>
            {
                ["Input.Email"] = "colega@example.com",
                ["Input.Password"] = "colega-password-1234",
            });
            ColleagueId = await App.WithDbAsync(db => Task.FromResult(db.Users.Single(u => u.Email == "colega@example.com").Id));
            await Empty.CreateBrowserAsync();
            _ = Fresh.Services;
        }

        public Task DisposeAsync()
        {
            App.Dispose();
            Empty.Dispose();
            Fresh.Dispose();
            return Task.CompletedTask;
        }
    }

    /// <summary>Each page, and a text of its own that must be there in the reader's language.</summary>
    private static readonly Dictionary<string, string> Expected = new()
    {
        ["list"] = "Servers_Title",
        ["list-empty"] = "Servers_Empty_Text",
        ["new"] = "Fields_GetToken",
        ["new-invalid"] = "Validation_NameRequired",
        ["edit-basic"] = "Edit_Heading",
        ["edit-oauth"] = "Field_RefreshToken",
        ["delete"] = "Delete_Warning",
        ["check-basic"] = "Check_TestConnection",
        ["check-oauth"] = "Check_RefreshNow",
        ["check-failed"] = "Smtp_NothingListens_Hint",
        ["audit"] = "Audit_Intro",
        ["administrators"] = "Admins_Intro",
        ["add-administrator"] = "Field_InitialPassword",
        ["remove-administrator"] = "Admins_Remove_Text",
        ["logout"] = "Logout_Heading",
        ["login"] = "Login_SetupPending_Before",
        ["setup"] = "Setup_Heading",
        ["callback"] = "Callback_Unknown",
        ["error"] = "Error_Text",
    };

    public static TheoryData<string, string> Pages()
    {
        var data = new TheoryData<string, string>();
        foreach (var culture in Resources.Translations)
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
    public async Task A_page_in_a_translation_has_no_English_UI_text(string culture, string name)
    {
        var page = await OpenAsync(culture, name);

        Assert.Equal(culture, page.DocumentElement.GetAttribute("lang"));
        Assert.Contains(Translated.Of(Expected[name], culture), page.Text(), StringComparison.Ordinal);
        var english = page.EnglishLeftIn(culture);
        Assert.True(english.Count == 0, $"{name} in {culture} still shows English: {string.Join("; ", english)}");
    }

    [Fact]
    public async Task The_same_pages_in_English_show_the_English_texts()
    {
        var client = await site.App.CreateBrowserAsync();

        var list = await client.GetPageAsync("/MailServers");
        var edit = await client.GetPageAsync($"/MailServers/Edit/{site.OAuthId}");

        Assert.Equal("en", list.DocumentElement.GetAttribute("lang"));
        Assert.Contains("Mail servers", list.Text(), StringComparison.Ordinal);
        Assert.Contains("Get Token", edit.Text(), StringComparison.Ordinal);
        Assert.Contains("Refresh token", edit.Text(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("es")]
    [InlineData("pt-BR")]
    public async Task The_browsers_own_validation_messages_come_in_the_readers_language(string culture)
    {
        var client = await Translated.BrowserAsync(site.App, culture);

        var page = await client.GetPageAsync("/MailServers/Create");

        var messages = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(
            page.QuerySelector("#validation-messages")!.GetAttribute("data-messages")!)!;
        Assert.Equal(Translated.Of("ClientValidation_Email", culture), messages["email"]);
        Assert.Equal(Translated.Of("ClientValidation_Min", culture), messages["min"]);
        Assert.All(messages.Values, message => Assert.Contains(message, Resources.In(culture).Values));
        var script = page.QuerySelector("script[src*='validation-messages']")!.GetAttribute("src")!;
        using var served = await client.GetAsync(new Uri(script, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Theory]
    [InlineData("es", "Página no encontrada", "No encontrado (404)")]
    [InlineData("pt-BR", "Página não encontrada", "Não encontrado (404)")]
    [InlineData("en", "Page not found", "Not found (404)")]
    public async Task A_missing_page_says_so_in_the_readers_language_inside_the_layout(string culture, string title, string start)
    {
        var client = await Translated.BrowserAsync(site.App, culture);

        using var response = await client.GetAsync(new Uri("/MailServers/Edit/999999", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var page = await response.ReadPageAsync();
        Assert.Equal(culture, page.DocumentElement.GetAttribute("lang"));
        Assert.StartsWith(title, page.Title, StringComparison.Ordinal);
        Assert.Equal(title, page.QuerySelector("h1")!.TextContent.Trim());
        Assert.StartsWith(start, page.QuerySelector("main p")!.TextContent.Trim(), StringComparison.Ordinal);
        Assert.Equal("/MailServers", page.QuerySelector<IHtmlAnchorElement>("[data-testid=status-back]")!.PathName);
        Assert.NotNull(page.QuerySelector("nav"));
    }

    private async Task<IHtmlDocument> OpenAsync(string culture, string name)
    {
        switch (name)
        {
            case "login":
            case "setup":
                return await site.Fresh.CreateAnonymousBrowser().Speaking(culture).GetPageAsync(name == "login" ? "/Account/Login" : "/setup");
            case "list-empty":
                return await (await Translated.BrowserAsync(site.Empty, culture)).GetPageAsync("/MailServers");
        }

        var client = await Translated.BrowserAsync(site.App, culture);
        switch (name)
        {
            case "new-invalid":
                return await client.SubmitAndReadAsync(await client.GetPageAsync("/MailServers/Create"), ServerForms.Basic("").With("Input.Port", "0"));
            case "check-failed":
                var status = await client.GetPageAsync($"/MailServers/Status/{site.RefusingId}");
                return await client.SubmitAndReadAsync(status, button: "[data-testid=test-connection]");
            case "callback":
                using (var response = await client.GetAsync(new Uri("/oauth/callback?state=unknown&code=x", UriKind.Relative)))
                {
                    Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                    return await response.ReadPageAsync();
                }
        }

        return await client.GetPageAsync(name switch
        {
            "list" => "/MailServers",
            "new" => "/MailServers/Create",
            "edit-basic" => $"/MailServers/Edit/{site.BasicId}",
            "edit-oauth" => $"/MailServers/Edit/{site.OAuthId}",
            "delete" => $"/MailServers/Delete/{site.BasicId}",
            "check-basic" => $"/MailServers/Status/{site.BasicId}",
            "check-oauth" => $"/MailServers/Status/{site.OAuthId}",
            "audit" => "/Audit",
            "administrators" => "/Administrators",
            "add-administrator" => "/Administrators/Add",
            "remove-administrator" => $"/Administrators/Remove/{site.ColleagueId}",
            "logout" => "/Account/Logout",
            "error" => "/Error",
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
        });
    }
}
