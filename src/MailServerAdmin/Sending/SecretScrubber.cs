using System.Text;

namespace MailServerAdmin.Sending;

/// <summary>
/// Replaces a credential's secret with <c>********</c> in any text: the password or token as typed, in base64
/// (alone, at any byte offset inside a longer base64 string, in UTF-8 and Latin-1) and inside the SASL PLAIN
/// and XOAUTH2 strings. MailKit already masks AUTH in its protocol log; this is the second line of defence
/// for everything a result or a log line carries.
/// </summary>
internal sealed class SecretScrubber
{
    public const string Mask = "********";

    /// <summary>Shorter base64 fragments could match ordinary text by chance.</summary>
    private const int MinimumFragmentLength = 8;

    private static readonly Encoding[] Encodings = [Encoding.UTF8, Encoding.Latin1];

    private readonly string[] _patterns;

    private SecretScrubber(IEnumerable<string> patterns) =>
        _patterns = [.. patterns.Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).OrderByDescending(p => p.Length)];

    /// <summary>A credential kept between sends (a server's password, read once) keeps its scrubber too.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SmtpCredential, SecretScrubber> Made = [];

    private static readonly SecretScrubber Nothing = new([]);

    public static SecretScrubber For(SmtpCredential? credential) =>
        credential is null ? Nothing : Made.GetValue(credential, Make);

    private static SecretScrubber Make(SmtpCredential credential) => credential switch
    {
        BasicCredential basic => new(Forms(
            basic.Password,
            $"\0{basic.Login}\0{basic.Password}",
            $"{basic.Login}\0{basic.Login}\0{basic.Password}")),
        OAuth2Credential oauth => new(Forms(
            oauth.AccessToken,
            $"user={oauth.User}\u0001auth=Bearer {oauth.AccessToken}\u0001\u0001")),
        _ => new([]),
    };

    public string Scrub(string text)
    {
        foreach (var pattern in _patterns)
        {
            text = text.Replace(pattern, Mask, StringComparison.Ordinal);
        }

        return text;
    }

    public string? ScrubOrNull(string? text) => text is null ? null : Scrub(text);

    private static IEnumerable<string> Forms(string secret, params string[] saslStrings)
    {
        yield return secret;
        foreach (var encoding in Encodings)
        {
            yield return Convert.ToBase64String(encoding.GetBytes(secret));
            foreach (var sasl in saslStrings)
            {
                yield return Convert.ToBase64String(encoding.GetBytes(sasl));
            }

            // Inside a longer base64 string the secret starts at byte offset 0, 1 or 2 of a 3-byte group. Keep
            // only the characters made of the secret's bytes alone: drop the first group when other bytes share
            // it, and the last group when it is incomplete.
            var bytes = encoding.GetBytes(secret);
            for (var offset = 0; offset < 3; offset++)
            {
                var shifted = new byte[offset + bytes.Length];
                bytes.CopyTo(shifted, offset);
                var encoded = Convert.ToBase64String(shifted);
                var start = offset == 0 ? 0 : 4;
                var end = shifted.Length % 3 == 0 ? encoded.Length : encoded.Length - 4;
                if (end - start >= MinimumFragmentLength)
                {
                    yield return encoded[start..end];
                }
            }
        }
    }
}
