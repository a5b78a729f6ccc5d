using System.Collections;
using System.Globalization;
using System.Resources;
using System.Text.RegularExpressions;
using AngleSharp.Html.Parser;
using MailServerAdmin.Resources;

namespace MailServerAdmin.Tests.Localization;

/// <summary>The app's texts as built: English (the neutral resources) and each translation, read without fallback.</summary>
public static partial class Resources
{
    public const string Spanish = "es";
    public const string Portuguese = "pt-BR";

    public static readonly string[] Translations = [Spanish, Portuguese];

    private static readonly ResourceManager Manager = new(typeof(SharedResource).FullName!, typeof(SharedResource).Assembly);
    private static readonly HtmlParser Parser = new();

    public static IReadOnlyDictionary<string, string> English { get; } = Read(CultureInfo.InvariantCulture);

    /// <summary>The texts of one language exactly as its file holds them (no English fallback).</summary>
    public static IReadOnlyDictionary<string, string> In(string culture) =>
        culture == "en" ? English : Read(CultureInfo.GetCultureInfo(culture));

    /// <summary><c>{0}</c>, <c>{1:N0}</c> → <c>{0}</c>, <c>{1}</c>; <c>{MaxLength}</c> and <c>{tenant}</c> as they are.</summary>
    public static IReadOnlyList<string> Placeholders(string value) =>
        [.. Placeholder().Matches(value).Select(m => "{" + m.Groups[1].Value + "}").Order(StringComparer.Ordinal)];

    /// <summary>The tags of a text with inline markup, in order.</summary>
    public static IReadOnlyList<string> Tags(string value) => [.. Tag().Matches(value).Select(m => m.Value)];

    /// <summary>What a reader sees of a resource: markup removed, entities decoded, spaces collapsed.</summary>
    public static string Visible(string value) =>
        Whitespace().Replace(Parser.ParseDocument($"<body>{value}</body>").Body!.TextContent, " ").Trim();

    /// <summary>
    /// The parts of an English text that must not appear on a page in another language: the visible text split at its
    /// placeholders, each part with at least four letters.
    /// </summary>
    public static IEnumerable<string> Fragments(string value) =>
        Placeholder().Split(Visible(value))
            .Where((_, i) => i % 2 == 0)
            .Select(part => part.Trim(' ', '(', ')', '\'', '"', '“', '”', '«', '»', ',', ';', ':', '.', '…', '·', '-', '—'))
            .Where(part => part.Count(char.IsLetter) >= 4);

    private static Dictionary<string, string> Read(CultureInfo culture)
    {
        // The manager keeps the set it returns: it is read, not disposed.
        var set = Manager.GetResourceSet(culture, createIfNotExists: true, tryParents: false)
            ?? throw new InvalidOperationException($"No resources for '{culture.Name}'.");
        var texts = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in set)
        {
            texts[(string)entry.Key] = entry.Value as string ?? "";
        }

        return texts;
    }

    [GeneratedRegex(@"\{([A-Za-z0-9_]+)(?:[,:][^}]*)?\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"</?[a-z]+[^>]*>")]
    private static partial Regex Tag();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
