using System.Globalization;

namespace MailServerAdmin.Localization;

/// <summary>
/// A UTC time (or day) as a text argument: in a language, the culture's short date and time; in English outside a
/// request (logs, the invariant culture), <c>yyyy-MM-dd HH:mm</c>. The text around it says "UTC".
/// </summary>
public readonly record struct UtcTime(DateTime Value, bool DateOnly = false) : IFormattable
{
    public static UtcTime Day(DateTime value) => new(value, DateOnly: true);

    public string ToString(string? format, IFormatProvider? formatProvider)
    {
        var culture = formatProvider as CultureInfo ?? CultureInfo.CurrentCulture;
        if (culture.Equals(CultureInfo.InvariantCulture))
        {
            return Value.ToString(DateOnly ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
        }

        return Value.ToString(format ?? (DateOnly ? "d" : "g"), culture);
    }

    public override string ToString() => ToString(null, CultureInfo.CurrentCulture);
}
