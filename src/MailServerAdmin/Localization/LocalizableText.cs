using System.Globalization;
using System.Resources;
using System.Text.Json;
using System.Text.Json.Nodes;
using MailServerAdmin.Resources;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Localization;

/// <summary>
/// A text for an administrator, kept as a resource key and its arguments until it is shown: a page shows it in the
/// request's language (<see cref="LocalizableTextExtensions.Localize"/>), and <see cref="ToString"/> gives the English
/// text for logs and for callers outside a request. Arguments may be texts themselves; other values (names, addresses,
/// server replies, numbers, <see cref="UtcTime"/>) are formatted with the culture the text is shown in.
/// </summary>
public sealed class LocalizableText
{
    private static readonly ResourceManager English = new(typeof(SharedResource).FullName!, typeof(SharedResource).Assembly);

    private readonly string? _key;
    private readonly object?[] _arguments;
    private readonly string? _plain;
    private readonly string? _separator;
    private readonly LocalizableText[] _parts;

    private LocalizableText(string? key, object?[] arguments, string? plain, string? separator, LocalizableText[] parts)
    {
        _key = key;
        _arguments = arguments;
        _plain = plain;
        _separator = separator;
        _parts = parts;
    }

    /// <summary>The resource <paramref name="key"/>, with <c>{0}</c>-style <paramref name="arguments"/>.</summary>
    public static LocalizableText Of(string key, params object?[] arguments)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return new(key, arguments ?? [], null, null, []);
    }

    /// <summary>Text shown as it is in every language: what a provider or a server said, a name.</summary>
    public static LocalizableText Plain(string text) => new(null, [], text ?? "", null, []);

    /// <summary>Texts shown one after the other with <paramref name="separator"/> between them.</summary>
    public static LocalizableText Join(string separator, IEnumerable<LocalizableText> parts) =>
        new(null, [], null, separator, [.. parts]);

    /// <summary>The resource key, or null for a plain or joined text.</summary>
    public string? Key => _key;

    /// <summary>The text in English, whatever the current culture: for logs and callers outside a request.</summary>
    public override string ToString() =>
        Render(key => English.GetString(key, CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>The text in the localizer's language, values formatted with the current culture.</summary>
    public string Localize(IStringLocalizer localizer)
    {
        ArgumentNullException.ThrowIfNull(localizer);
        return Render(key => localizer[key] is { ResourceNotFound: false } found ? found.Value : null, CultureInfo.CurrentCulture);
    }

    /// <summary>The same text with <paramref name="transform"/> applied to every value that is not a resource text.</summary>
    public LocalizableText Map(Func<string, string> transform)
    {
        ArgumentNullException.ThrowIfNull(transform);
        return new(
            _key,
            [.. _arguments.Select(a => a switch
            {
                LocalizableText text => text.Map(transform),
                string value => transform(value),
                _ => a,
            })],
            _plain is null ? null : transform(_plain),
            _separator,
            [.. _parts.Select(p => p.Map(transform))]);
    }

    /// <summary>
    /// The text as JSON, to be stored and shown later in the language of whoever reads it. Values other than texts are
    /// kept as their invariant strings.
    /// </summary>
    public string ToJson() => ToNode().ToJsonString();

    /// <summary>A text stored with <see cref="ToJson"/>; anything else (text stored before) is shown as it is.</summary>
    public static LocalizableText FromStored(string stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (stored.StartsWith('{'))
        {
            try
            {
                if (JsonNode.Parse(stored) is JsonObject node && FromNode(node) is { } text)
                {
                    return text;
                }
            }
            catch (JsonException)
            {
                // Not one of ours: shown as stored.
            }
        }

        return Plain(stored);
    }

    private string Render(Func<string, string?> lookup, IFormatProvider culture)
    {
        if (_plain is not null)
        {
            return _plain;
        }

        if (_key is null)
        {
            return string.Join(_separator, _parts.Select(p => p.Render(lookup, culture)));
        }

        var format = lookup(_key) ?? _key;
        if (_arguments.Length == 0)
        {
            return format;
        }

        var values = _arguments.Select(a => a is LocalizableText text ? text.Render(lookup, culture) : a).ToArray();
        return string.Format(culture, format, values);
    }

    private JsonNode ToNode()
    {
        if (_plain is not null)
        {
            return JsonValue.Create(_plain);
        }

        if (_key is null)
        {
            return new JsonObject { ["join"] = _separator, ["parts"] = new JsonArray([.. _parts.Select(p => p.ToNode())]) };
        }

        return new JsonObject
        {
            ["key"] = _key,
            ["args"] = new JsonArray([.. _arguments.Select(a => a switch
            {
                LocalizableText text => text.ToNode(),
                null => null,
                IFormattable formattable => JsonValue.Create(formattable.ToString(null, CultureInfo.InvariantCulture)),
                _ => JsonValue.Create(a.ToString()),
            })]),
        };
    }

    private static LocalizableText? FromNode(JsonNode? node)
    {
        if (node is JsonValue value)
        {
            return value.TryGetValue<string>(out var plain) ? Plain(plain) : null;
        }

        if (node is not JsonObject o)
        {
            return null;
        }

        if (o["key"] is JsonValue key && key.TryGetValue<string>(out var name) && name.Length > 0)
        {
            var arguments = (o["args"] as JsonArray ?? []).Select(a => a is null ? null : (object?)FromNode(a));
            return Of(name, [.. arguments]);
        }

        if (o["join"] is JsonValue separator && separator.TryGetValue<string>(out var joint))
        {
            return Join(joint, (o["parts"] as JsonArray ?? []).Select(FromNode).OfType<LocalizableText>());
        }

        return null;
    }
}

public static class LocalizableTextExtensions
{
    /// <summary>The text in the localizer's language; "" for null.</summary>
    public static string Localize(this IStringLocalizer localizer, LocalizableText? text) =>
        text is null ? "" : text.Localize(localizer);
}
