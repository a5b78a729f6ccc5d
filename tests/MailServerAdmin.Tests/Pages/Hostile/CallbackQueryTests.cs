using System.Net;
using AngleSharp.Html.Dom;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Tests.Localization;

namespace MailServerAdmin.Tests.Pages.Hostile;

/// <summary>The authorization code and state in the callback's address never reappear in the page or in a redirect after it.</summary>
public sealed class CallbackQueryTests(AppFactory app) : IClassFixture<AppFactory>
{
    [Theory]
    [InlineData("code={0}&state={1}")]
    [InlineData("state={1}&code={0}&session_state=x")]
    [InlineData("error=access_denied&error_description={0}&state={1}")]
    public async Task The_refused_callback_page_repeats_neither_the_code_nor_the_state(string query)
    {
        var client = await app.CreateBrowserAsync(followRedirects: false);
        var code = $"code-{Guid.NewGuid():N}";
        var state = $"state-{Guid.NewGuid():N}";

        using var response = await client.GetAsync(new Uri($"/oauth/callback?{string.Format(System.Globalization.CultureInfo.InvariantCulture, query, code, state)}", UriKind.Relative));
        var page = await response.ReadPageAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotEmpty(page.QuerySelector("[data-testid=callback-problem]")!.TextContent.Trim());
        Assert.DoesNotContain(code, page.Source.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(state, page.Source.Text, StringComparison.Ordinal);

        // Changing the language from there goes to the list, with nothing of the callback's address.
        using var picked = await client.PickAsync(page, "es");
        Assert.Equal(HttpStatusCode.Redirect, picked.StatusCode);
        Assert.Equal("/MailServers", picked.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task The_picker_carries_back_only_the_query_parameters_of_the_pages_themselves()
    {
        var client = await app.CreateBrowserAsync(followRedirects: false);

        var list = await client.GetPageAsync("/MailServers?q=relay&p=2&code=leaked&access_token=leaked");

        var returnUrl = list.QuerySelector<IHtmlInputElement>("form[data-testid=culture-form] input[name=returnUrl]")!.Value;
        Assert.Equal("/MailServers?q=relay&p=2", returnUrl);
    }
}
