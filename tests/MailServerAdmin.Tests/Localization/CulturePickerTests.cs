using System.Net;
using AngleSharp.Html.Dom;
using MailServerAdmin.Tests.Infrastructure;
using Microsoft.AspNetCore.Localization;

namespace MailServerAdmin.Tests.Localization;

/// <summary>The language follows the browser, and the picker in the layout changes it for a year.</summary>
public sealed class CulturePickerTests(PageLanguageTests.Site site) : IClassFixture<PageLanguageTests.Site>
{
    [Fact]
    public async Task The_browsers_language_is_used_until_one_is_picked()
    {
        var client = site.App.CreateAnonymousBrowser();

        var english = await client.GetPageAsync("/Account/Login");
        var spanish = await client.Speaking("es-MX").GetPageAsync("/Account/Login");
        var portuguese = await client.Speaking("pt-BR").GetPageAsync("/Account/Login");
        var unsupported = await client.Speaking("de-DE").GetPageAsync("/Account/Login");

        Assert.Equal(["en", "es", "pt-BR", "en"], new[] { english, spanish, portuguese, unsupported }.Select(p => p.DocumentElement.GetAttribute("lang")));
        Assert.Equal("Iniciar sesión", spanish.QuerySelector("h1")!.TextContent.Trim());
        Assert.Equal("Entrar", portuguese.QuerySelector("h1")!.TextContent.Trim());
        Assert.Equal("Sign in", unsupported.QuerySelector("h1")!.TextContent.Trim());
    }

    [Fact]
    public async Task The_picker_is_a_labelled_select_of_the_three_languages_that_shows_the_current_one()
    {
        var page = await site.App.CreateAnonymousBrowser().Speaking("pt-BR").GetPageAsync("/Account/Login");

        var picker = page.QuerySelector<IHtmlSelectElement>("select#culture-picker")!;
        Assert.Equal(["en", "es", "pt-BR"], picker.Options.Select(o => o.Value));
        Assert.Equal("pt-BR", picker.Value);
        Assert.Equal("Idioma", page.QuerySelector("label[for=culture-picker]")!.TextContent.Trim());
        Assert.Equal("get", picker.Form!.Method);
        Assert.NotNull(picker.Form.QuerySelector("[data-testid=culture-submit]"));
    }

    [Fact]
    public async Task Picking_a_language_sets_the_culture_cookie_for_a_year_and_returns_to_the_page()
    {
        var client = site.App.CreateAnonymousBrowser(followRedirects: false).Speaking("es");
        var login = await client.GetPageAsync("/Account/Login?ReturnUrl=%2FAudit");

        using var response = await client.PickAsync(login, "pt-BR");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/Account/Login?ReturnUrl=%2FAudit", response.Headers.Location!.OriginalString);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(CookieRequestCultureProvider.DefaultCookieName + "=", StringComparison.Ordinal));
        Assert.StartsWith($"{CookieRequestCultureProvider.DefaultCookieName}={Uri.EscapeDataString("c=pt-BR|uic=pt-BR")};", cookie, StringComparison.Ordinal);
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        var expires = DateTimeOffset.Parse(cookie.Split(';').Select(p => p.Trim()).Single(p => p.StartsWith("expires=", StringComparison.OrdinalIgnoreCase))["expires=".Length..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires, DateTimeOffset.UtcNow.AddDays(364), DateTimeOffset.UtcNow.AddDays(366));
    }

    [Fact]
    public async Task The_picked_language_wins_over_the_browsers_on_every_next_page()
    {
        var client = (await site.App.CreateBrowserAsync()).Speaking("es");
        var list = await client.GetPageAsync("/MailServers");
        Assert.Equal("es", list.DocumentElement.GetAttribute("lang"));

        var picked = await client.PickAndReadAsync(list, "pt-BR");
        var next = await client.GetPageAsync("/Administrators");

        Assert.Equal("/MailServers", picked.Location.PathName);
        Assert.Equal("pt-BR", picked.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Servidores de e-mail", picked.QuerySelector("h1")!.TextContent.Trim());
        Assert.Equal("pt-BR", next.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Administradores", next.QuerySelector("h1")!.TextContent.Trim());

        var english = await client.PickAndReadAsync(next, "en");
        Assert.Equal("en", english.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Administrators", english.QuerySelector("h1")!.TextContent.Trim());
    }

    [Theory]
    [InlineData("/culture?culture=xx&returnUrl=%2FAccount%2FLogin", "/Account/Login", false)]
    [InlineData("/culture?culture=es&returnUrl=https%3A%2F%2Fevil.example%2F", "/", true)]
    [InlineData("/culture?culture=es&returnUrl=%2F%2Fevil.example", "/", true)]
    [InlineData("/culture?culture=es", "/", true)]
    public async Task The_picker_only_takes_supported_languages_and_only_returns_to_this_site(string url, string location, bool setsCookie)
    {
        var client = site.App.CreateAnonymousBrowser(followRedirects: false);

        using var response = await client.GetAsync(new Uri(url, UriKind.Relative));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(location, response.Headers.Location!.OriginalString);
        Assert.Equal(setsCookie, response.Headers.TryGetValues("Set-Cookie", out var cookies)
            && cookies.Any(c => c.StartsWith(CookieRequestCultureProvider.DefaultCookieName + "=", StringComparison.Ordinal)));
    }
}
