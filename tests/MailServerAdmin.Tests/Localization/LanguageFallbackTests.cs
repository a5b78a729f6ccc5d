using System.Net;
using System.Net.Http.Headers;
using MailServerAdmin.Tests.Infrastructure;

namespace MailServerAdmin.Tests.Localization;

/// <summary>Every Portuguese and Spanish locale a browser asks for gets the texts of its language.</summary>
public sealed class LanguageFallbackTests : IDisposable
{
    private readonly AppFactory _fresh = new();

    public void Dispose() => _fresh.Dispose();

    [Theory]
    [InlineData("pt", "pt-BR")]
    [InlineData("pt-PT", "pt-BR")]
    [InlineData("pt-AO", "pt-BR")]
    [InlineData("es-AR", "es")]
    [InlineData("es-ES", "es")]
    [InlineData("es-419", "es")]
    [InlineData("fr-FR, pt-PT;q=0.8, en;q=0.5", "pt-BR")]
    [InlineData("de, en;q=0.9", "en")]
    [InlineData("it", "en")]
    public async Task The_browsers_language_picks_the_texts_of_that_language(string acceptLanguage, string expected)
    {
        var client = _fresh.CreateAnonymousBrowser();
        client.DefaultRequestHeaders.AcceptLanguage.Clear();
        client.DefaultRequestHeaders.AcceptLanguage.ParseAdd(acceptLanguage);

        var page = await client.GetPageAsync("/Account/Login");

        Assert.Equal(expected, page.DocumentElement.GetAttribute("lang"));
    }

    [Fact]
    public async Task The_status_page_for_a_visitor_who_has_not_signed_in_offers_the_sign_in()
    {
        // An unknown address asks a visitor to sign in first (it reveals nothing); the status page itself is open.
        var client = _fresh.CreateAnonymousBrowser(followRedirects: false);
        client.DefaultRequestHeaders.AcceptLanguage.Add(new StringWithQualityHeaderValue("pt-PT"));
        using (var unknown = await client.GetAsync(new Uri("/no/such/page", UriKind.Relative)))
        {
            Assert.Equal("/Account/Login", unknown.Headers.Location!.AbsolutePath);
        }

        using var response = await client.GetAsync(new Uri("/status/404", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var page = await response.ReadPageAsync();
        Assert.Equal("Página não encontrada", page.QuerySelector("h1")!.TextContent.Trim());
        Assert.Equal("/Account/Login", page.QuerySelector<AngleSharp.Html.Dom.IHtmlAnchorElement>("[data-testid=status-back]")!.PathName);
    }
}
