using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using AngleSharp.Html.Dom;
using MailServerAdmin.Tests.Infrastructure;

namespace MailServerAdmin.Tests.Localization;

/// <summary>Browsers that ask for a language, and what a page shows a reader.</summary>
public static partial class Translated
{
    /// <summary>A signed-in browser whose Accept-Language asks for <paramref name="culture"/>.</summary>
    public static async Task<HttpClient> BrowserAsync(AppFactory app, string culture)
    {
        var client = await app.CreateBrowserAsync();
        return client.Speaking(culture);
    }

    public static HttpClient Speaking(this HttpClient client, string culture)
    {
        client.DefaultRequestHeaders.AcceptLanguage.Clear();
        client.DefaultRequestHeaders.AcceptLanguage.Add(new StringWithQualityHeaderValue(culture));
        return client;
    }

    /// <summary>Default messages of ASP.NET Core and FluentValidation, which the app must have replaced with its own.</summary>
    private static readonly string[] FrameworkEnglish =
    [
        "field is required", "is not valid", "is invalid", "must be a number", "must not be empty", "is not a valid",
        "must be between", "must be less than", "Status Code:",
    ];

    /// <summary>Chooses <paramref name="culture"/> with the layout's picker (a GET form), as a browser submits it.</summary>
    public static async Task<HttpResponseMessage> PickAsync(this HttpClient client, IHtmlDocument page, string culture)
    {
        var form = page.QuerySelector<IHtmlFormElement>("form[data-testid=culture-form]")
            ?? throw new InvalidOperationException($"No language picker on {page.Url}");
        var picker = form.QuerySelector<IHtmlSelectElement>("#culture-picker")!;
        Assert.Contains(culture, picker.Options.Select(o => o.Value));
        var fields = form.Elements.OfType<IHtmlInputElement>()
            .Where(input => input.Type == "hidden")
            .Select(input => (input.Name!, input.Value))
            .Append((picker.Name!, culture))
            .Select(field => $"{Uri.EscapeDataString(field.Item1)}={Uri.EscapeDataString(field.Item2)}");
        Assert.Equal("get", form.Method);
        return await client.GetAsync(new Uri(new Uri(page.Url), $"{form.GetAttribute("action")}?{string.Join('&', fields)}"));
    }

    public static async Task<IHtmlDocument> PickAndReadAsync(this HttpClient client, IHtmlDocument page, string culture)
    {
        using var response = await client.FollowAsync(await client.PickAsync(page, culture));
        Assert.True(response.IsSuccessStatusCode, $"choosing {culture} answered {(int)response.StatusCode}");
        return await response.ReadPageAsync();
    }

    /// <summary>
    /// Everything a reader (or a screen reader) gets from the page: its title, its text, labels given in attributes and
    /// the messages of client-side validation (<c>data-val-rule</c>, not the rules' parameters); spaces collapsed.
    /// With <paramref name="piecewise"/>, each text node and attribute stays apart (" | "), so that no match spans two
    /// elements; otherwise the body's text runs on, as a sentence with inline markup reads.
    /// </summary>
    public static string Text(this IHtmlDocument page, bool piecewise = false)
    {
        var attributes = page.All
            .SelectMany(e => e.Attributes)
            .Where(a => a.Name is "aria-label" or "placeholder" or "title" or "alt" || ValidationMessage().IsMatch(a.Name))
            .Select(a => a.Value);
        var body = piecewise
            ? string.Join(" | ", page.Body!.Descendants<AngleSharp.Dom.IText>().Select(t => t.Data))
            : page.Body?.TextContent ?? "";
        var text = string.Join(" | ", [page.Title ?? "", body, .. attributes]);
        return Whitespace().Replace(text, " ");
    }

    /// <summary>The English texts of the UI that are still on a page shown in <paramref name="culture"/>.</summary>
    public static IReadOnlyList<string> EnglishLeftIn(this IHtmlDocument page, string culture)
    {
        // A text with inline markup is looked for in the running text, any other in each piece of the page.
        var running = page.Text();
        var pieces = page.Text(piecewise: true);
        var translated = Resources.In(culture);
        var framework = FrameworkEnglish.Where(phrase => running.Contains(phrase, StringComparison.Ordinal)).Select(phrase => $"framework: “{phrase}”");
        return [.. framework, .. Resources.English
            .Where(english => translated.TryGetValue(english.Key, out var other) && other != english.Value)
            .SelectMany(english => Resources.Fragments(english.Value)
                .Where(fragment => !Resources.Visible(translated[english.Key]).Contains(fragment, StringComparison.Ordinal))
                .Where(fragment => Regex.IsMatch(
                    Resources.Tags(english.Value).Count > 0 ? running : pieces,
                    $@"(?<![\p{{L}}\p{{N}}_{{]){Regex.Escape(fragment)}(?![\p{{L}}\p{{N}}_}}])"))
                .Select(fragment => $"{english.Key}: “{fragment}”"))
            .Distinct()];
    }

    /// <summary>The text of <paramref name="key"/> in <paramref name="culture"/>, as a reader sees it.</summary>
    public static string Of(string key, string culture) => Resources.Visible(Resources.In(culture)[key]);

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    [GeneratedRegex(@"^data-val-[a-z]+$")]
    private static partial Regex ValidationMessage();
}
