using System.Text.RegularExpressions;

namespace MailServerAdmin.Tests.Localization;

/// <summary>Spanish and Portuguese are complete: every English text has its translation, with the same placeholders.</summary>
public sealed partial class ResourceTests
{
    /// <summary>Language names (each in its own language), product names, protocol words and symbols.</summary>
    private static readonly string[] SameInEveryLanguage =
    [
        "Language_en", "Language_es", "Language_pt-BR", "Provider_Microsoft", "Provider_Google", "Security_StartTls",
        "Fields_Auth_OAuth", "Fields_Tenant_Note", "Servers_Auth_OAuth", "Check_Auth_OAuth", "Check_Tokens", "Fields_UtcTime",
        "Health_Minutes", "Health_Hours",
    ];

    private static readonly string[] SameInSpanish = ["Common_No"];

    private static readonly string[] SameInPortuguese = ["Field_Login", "Field_Email"];

    /// <summary>Build output and generated migrations hold no texts.</summary>
    private static readonly string[] SkippedFolders = ["obj", "bin", "Migrations"];

    public static TheoryData<string> Translations => [.. Resources.Translations];

    [Fact]
    public void English_has_texts()
    {
        Assert.True(Resources.English.Count > 300, $"only {Resources.English.Count} English texts");
        Assert.All(Resources.English, text => Assert.False(string.IsNullOrWhiteSpace(text.Value), $"'{text.Key}' is empty in English"));
    }

    [Theory]
    [MemberData(nameof(Translations))]
    public void Every_text_is_translated_and_nothing_else(string culture)
    {
        var translated = Resources.In(culture);

        var missing = Resources.English.Keys.Where(key => !translated.TryGetValue(key, out var text) || string.IsNullOrWhiteSpace(text)).ToList();
        var extra = translated.Keys.Where(key => !Resources.English.ContainsKey(key)).ToList();

        Assert.True(missing.Count == 0, $"missing in {culture}: {string.Join(", ", missing)}");
        Assert.True(extra.Count == 0, $"in {culture} but not in English: {string.Join(", ", extra)}");
    }

    [Theory]
    [MemberData(nameof(Translations))]
    public void Every_translation_keeps_the_placeholders_and_the_markup(string culture)
    {
        var translated = Resources.In(culture);

        var wrong = Resources.English
            .Where(text => translated.ContainsKey(text.Key))
            .Where(text => !Resources.Placeholders(text.Value).SequenceEqual(Resources.Placeholders(translated[text.Key]))
                || !Resources.Tags(text.Value).Order().SequenceEqual(Resources.Tags(translated[text.Key]).Order()))
            .Select(text => $"{text.Key}: '{text.Value}' → '{translated[text.Key]}'")
            .ToList();

        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Theory]
    [MemberData(nameof(Translations))]
    public void Only_names_and_symbols_read_the_same_as_in_English(string culture)
    {
        var translated = Resources.In(culture);

        var same = Resources.English.Where(text => translated.GetValueOrDefault(text.Key) == text.Value).Select(text => text.Key).ToHashSet();
        same.ExceptWith(SameInEveryLanguage);
        same.ExceptWith(culture == Resources.Spanish ? SameInSpanish : SameInPortuguese);

        Assert.True(same.Count == 0, $"left in English in {culture}: {string.Join(", ", same)}");
    }

    [Fact]
    public void Every_key_the_code_uses_exists()
    {
        var root = RepositoryRoot();
        var source = Path.Combine(root, "src", "MailServerAdmin.Web");
        var used = Directory.EnumerateFiles(source, "*.*", SearchOption.AllDirectories)
            .Where(path => path.EndsWith(".cs", StringComparison.Ordinal) || path.EndsWith(".cshtml", StringComparison.Ordinal))
            .Where(path => !SkippedFolders.Any(folder =>
                path.Contains($"{Path.DirectorySeparatorChar}{folder}{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
            .SelectMany(path => KeyUse().Matches(File.ReadAllText(path)).Select(m => (Path.GetFileName(path), Key: m.Groups["key"].Value)))
            .ToList();

        Assert.True(used.Count > 300, $"only {used.Count} uses of resource keys found");
        var unknown = used.Where(use => !Resources.English.ContainsKey(use.Key)).Distinct().Select(use => $"{use.Item1}: {use.Key}").ToList();
        Assert.True(unknown.Count == 0, $"keys without a text: {string.Join(", ", unknown)}");
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MailServerAdmin.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (MailServerAdmin.sln) was not found above the test binaries.");
    }

    /// <summary>
    /// <c>L["Key"</c>, <c>H["Key"</c>, <c>localizer["Key"</c>, <c>Localizer["Key"</c>, <c>Of("Key"</c>,
    /// <c>Display(Name = "Key")</c> and keys handed around as strings (<c>"Missing_Tenant"</c>, <c>"Smtp_…"</c>).
    /// </summary>
    [GeneratedRegex("""(?:\b(?:L|H|localizer|Localizer)\[|\bOf\(|Display\(Name = |\? |: |Add\(|=> )"(?<key>[A-Z][A-Za-z]+_[A-Za-z0-9_]*[A-Za-z0-9])"(?=[\],):;\s])""")]
    private static partial Regex KeyUse();
}
