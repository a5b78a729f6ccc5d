using System.Globalization;
using System.Text.RegularExpressions;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Localization;
using MailServerAdmin.Web.Localization;
using MailServerAdmin.OAuth;
using MailServerAdmin.Resources;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace MailServerAdmin.Tests.Localization;

/// <summary>Dates and numbers follow the reader's culture; "UTC" stays where the time is UTC.</summary>
public sealed partial class CultureFormatTests(PageLanguageTests.Site site) : IClassFixture<PageLanguageTests.Site>
{
    [Theory]
    [InlineData("es")]
    [InlineData("pt-BR")]
    [InlineData("en")]
    public async Task Audit_times_follow_the_culture(string culture)
    {
        var client = await Translated.BrowserAsync(site.App, culture);
        var first = await site.App.WithDbAsync(db => Task.FromResult(db.AuditEntries.OrderByDescending(e => e.Id).First()));

        var page = await client.GetPageAsync("/Audit");

        var shown = page.QuerySelector("tbody tr td")!.TextContent.Trim();
        Assert.Equal(first.TimeUtc.ToString("G", AppLocalization.Culture(culture)), shown);
        if (culture != "en")
        {
            Assert.Matches(DayMonthYear(), shown);
            Assert.Equal(first.TimeUtc.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture), shown[..10]);
        }
    }

    [Theory]
    [InlineData("es", "02/01/2030 3:04 UTC")]
    [InlineData("pt-BR", "02/01/2030 03:04 UTC")]
    [InlineData("en", null)]
    public async Task Token_expiry_follows_the_culture_and_says_UTC(string culture, string? expiry)
    {
        var client = await Translated.BrowserAsync(site.App, culture);
        // English times end in "AM", after the culture's own (narrow, no-break) space.
        expiry ??= new DateTime(2030, 1, 2, 3, 4, 0, DateTimeKind.Utc).ToString("g", AppLocalization.Culture(culture)) + " UTC";

        var edit = await client.GetPageAsync($"/MailServers/Edit/{site.OAuthId}");
        var status = await client.GetPageAsync($"/MailServers/Status/{site.OAuthId}");

        Assert.Contains(expiry, edit.QuerySelector("[data-testid=token-status]")!.TextContent, StringComparison.Ordinal);
        Assert.Contains(expiry, status.QuerySelector("[data-testid=token-health]")!.TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("es", "10.000 servidores", "Página 1 de 1.234")]
    [InlineData("pt-BR", "10.000 servidores", "Página 1 de 1.234")]
    [InlineData("en", "10000 servers", "Page 1 of 1234")]
    public void Counts_follow_the_culture(string culture, string total, string page)
    {
        var localizer = Localizer();
        using (new CultureScope(culture))
        {
            Assert.Equal(total, localizer["Servers_Total", 10_000].Value);
            Assert.Equal(page, localizer["Common_PageOf", 1, 1234].Value);
        }
    }

    [Fact]
    public void A_service_text_is_English_for_logs_and_translated_for_a_page()
    {
        var health = new TokenHealth(true, true, new DateTime(2030, 1, 2, 3, 4, 0, DateTimeKind.Utc), null, null, null, false);
        var text = health.Describe(new DateTime(2030, 1, 2, 2, 4, 0, DateTimeKind.Utc));
        var localizer = Localizer();

        Assert.Equal("Valid, expires in 60 min (2030-01-02 03:04 UTC).", text.ToString());
        using (new CultureScope("es"))
        {
            Assert.Equal("Válido, caduca en 60 min (02/01/2030 3:04 UTC).", localizer.Localize(text));
            Assert.Equal("Valid, expires in 60 min (2030-01-02 03:04 UTC).", text.ToString());
        }

        using (new CultureScope("pt-BR"))
        {
            Assert.Equal("Válido, expira em 60 min (02/01/2030 03:04 UTC).", localizer.Localize(text));
        }
    }

    [Fact]
    public void A_stored_text_is_shown_in_the_readers_language_and_older_plain_text_as_it_is()
    {
        var stored = LocalizableText.Join(" ", [LocalizableText.Plain("invalid_client: Bad secret."), LocalizableText.Of("OAuth_Hint_InvalidClient")]).ToJson();
        var localizer = Localizer();

        using (new CultureScope("pt-BR"))
        {
            Assert.Equal(
                "invalid_client: Bad secret. O provedor rejeitou a ID do cliente ou o segredo do cliente. Copie-os de novo do console do provedor.",
                localizer.Localize(LocalizableText.FromStored(stored)));
            Assert.Equal("Old text, stored before.", localizer.Localize(LocalizableText.FromStored("Old text, stored before.")));
        }
    }

    private static IStringLocalizer Localizer() =>
        new ResourceManagerStringLocalizerFactory(Options.Create(new LocalizationOptions()), NullLoggerFactory.Instance).Create(typeof(SharedResource));

    [GeneratedRegex(@"^\d{2}/\d{2}/\d{4} ")]
    private static partial Regex DayMonthYear();

    /// <summary>Runs a block in a culture, as a request does, and puts the previous one back.</summary>
    private sealed class CultureScope : IDisposable
    {
        private readonly CultureInfo _culture = CultureInfo.CurrentCulture;
        private readonly CultureInfo _uiCulture = CultureInfo.CurrentUICulture;

        public CultureScope(string culture) =>
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (AppLocalization.Culture(culture), AppLocalization.Culture(culture));

        public void Dispose() => (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (_culture, _uiCulture);
    }
}
