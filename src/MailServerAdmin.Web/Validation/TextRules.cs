using FluentValidation;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Validation;

/// <summary>
/// What a typed text may hold. A single-line field (a name, a host, a login, a URL, a scope list) is one line of
/// visible text: no control character, no line or paragraph separator, no bidirectional override that makes it read
/// differently from what is stored. A secret may hold anything printable, but no line break and no NUL, which would
/// end or split it wherever it is sent.
/// </summary>
public static class TextRules
{
    /// <summary>No C0 control (tab, CR and LF included), DEL, C1 control, U+2028/U+2029, or bidirectional override or isolate.</summary>
    public static bool IsSingleLine(string? value) => value is null || !value.AsSpan().ContainsAny(NotInOneLine);

    /// <summary>No CR, LF or NUL.</summary>
    public static bool HasNoLineBreak(string? value) => value is null || !value.AsSpan().ContainsAny('\r', '\n', '\0');

    public static IRuleBuilderOptions<T, string?> SingleLine<T>(this IRuleBuilder<T, string?> rule, IStringLocalizer localizer) =>
        rule.Must(IsSingleLine).WithMessage(_ => localizer["Validation_SingleLine"]);

    public static IRuleBuilderOptions<T, string?> NoLineBreak<T>(this IRuleBuilder<T, string?> rule, IStringLocalizer localizer) =>
        rule.Must(HasNoLineBreak).WithMessage(_ => localizer["Validation_SecretLineBreak"]);

    private static readonly System.Buffers.SearchValues<char> NotInOneLine = System.Buffers.SearchValues.Create(
        [
            .. Range('\u0000', '\u001F'),
            .. Range('\u007F', '\u009F'),
            '\u2028', '\u2029',
            .. Range('\u202A', '\u202E'),
            .. Range('\u2066', '\u2069'),
        ]);

    private static IEnumerable<char> Range(char first, char last)
    {
        for (var c = first; c <= last; c++)
        {
            yield return c;
        }
    }
}
