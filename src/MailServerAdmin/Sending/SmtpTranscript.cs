using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MailServerAdmin.Sending;

/// <summary>One SMTP reply: the code and its text lines, with the enhanced status code (<c>5.7.139</c>) when present.</summary>
internal sealed record SmtpReply(int Code, IReadOnlyList<string> Lines)
{
    /// <summary>The enhanced status code at the start of the first line, such as <c>5.7.139</c>; null when absent.</summary>
    public string? EnhancedCode
    {
        get
        {
            var first = Lines.Count > 0 ? Lines[0] : "";
            var end = first.IndexOf(' ', StringComparison.Ordinal);
            var candidate = end < 0 ? first : first[..end];
            var parts = candidate.Split('.');
            return parts.Length == 3 && parts[0] is "2" or "4" or "5"
                && parts.All(p => p.Length is > 0 and <= 3 && p.All(char.IsAsciiDigit))
                ? candidate
                : null;
        }
    }

    /// <summary>The text without codes, lines joined with spaces.</summary>
    public string Text => string.Join(' ', Lines.Select(StripEnhancedCode));

    public bool IsTransient => Code is >= 400 and < 500;

    /// <summary>The reply as the server sent it: <c>534-5.7.9 ...</c> then <c>534 5.7.9 ...</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        for (var i = 0; i < Lines.Count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{Code}{(i < Lines.Count - 1 ? '-' : ' ')}{Lines[i]}");
            if (i < Lines.Count - 1)
            {
                text.Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>From MailKit's status code and text (multi-line text is joined with <c>\n</c> by MailKit).</summary>
    public static SmtpReply From(int code, string? text) =>
        new(code, (text ?? "").Split('\n', StringSplitOptions.TrimEntries));

    public bool HasEnhancedCode(string code) => string.Equals(EnhancedCode, code, StringComparison.Ordinal);

    public bool Mentions(string word) => Lines.Any(l => l.Contains(word, StringComparison.OrdinalIgnoreCase));

    private string StripEnhancedCode(string line) =>
        EnhancedCode is { } enhanced && line.StartsWith(enhanced + " ", StringComparison.Ordinal) ? line[(enhanced.Length + 1)..] : line;
}

/// <summary>The JSON an XOAUTH2 server sends (base64, in a 334) before it refuses a token.</summary>
internal sealed record XOAuth2Challenge(string? Status, string? Scope, string? Schemes);

/// <summary>Reads MailKit's protocol log: <c>C: </c> lines from the client, <c>S: </c> lines from the server.</summary>
internal static class SmtpTranscript
{
    private const string Client = "C: ";
    private const string Server = "S: ";

    public static IReadOnlyList<string> Lines(string transcript) =>
        transcript.ReplaceLineEndings("\n").Split('\n');

    public static bool HasServerLine(string transcript) =>
        Lines(transcript).Any(l => l.StartsWith(Server, StringComparison.Ordinal));

    public static bool HasClientCommand(string transcript, string command) =>
        Lines(transcript).Any(l => l.Equals(Client + command, StringComparison.OrdinalIgnoreCase));

    /// <summary>The first complete reply the server sent (its greeting), or null.</summary>
    public static SmtpReply? FirstReply(string transcript) => Replies(transcript).FirstOrDefault();

    /// <summary>The last complete reply the server sent, or null.</summary>
    public static SmtpReply? LastReply(string transcript) => Replies(transcript).LastOrDefault();

    private static IEnumerable<SmtpReply> Replies(string transcript)
    {
        var lines = new List<string>();
        var code = 0;
        foreach (var line in Lines(transcript))
        {
            if (!line.StartsWith(Server, StringComparison.Ordinal) || line.Length < Server.Length + 3
                || !int.TryParse(line.AsSpan(Server.Length, 3), NumberStyles.None, CultureInfo.InvariantCulture, out var lineCode))
            {
                continue;
            }

            var rest = line[(Server.Length + 3)..];
            if (lines.Count > 0 && lineCode != code)
            {
                lines.Clear();
            }

            code = lineCode;
            lines.Add(rest.Length > 0 ? rest[1..] : "");
            if (!rest.StartsWith('-'))
            {
                yield return new SmtpReply(code, [.. lines]);
                lines.Clear();
            }
        }
    }

    /// <summary>The JSON challenge the server sent after the last AUTH XOAUTH2, decoded; null when there was none.</summary>
    public static XOAuth2Challenge? XOAuth2Challenge(string transcript)
    {
        var lines = Lines(transcript);
        var start = -1;
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].StartsWith(Client + "AUTH XOAUTH2", StringComparison.OrdinalIgnoreCase))
            {
                start = i;
            }
        }

        if (start < 0)
        {
            return null;
        }

        var challenge = lines.Skip(start + 1)
            .FirstOrDefault(l => l.StartsWith(Server + "334 ", StringComparison.Ordinal))?[(Server.Length + 4)..].Trim();
        if (string.IsNullOrEmpty(challenge))
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(Convert.FromBase64String(challenge));
            if (json.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            string? Read(string name) =>
                json.RootElement.TryGetProperty(name, out var value) ? value.ValueKind switch
                {
                    JsonValueKind.String => value.GetString(),
                    JsonValueKind.Number => value.GetRawText(),
                    _ => null,
                } : null;
            return new XOAuth2Challenge(Read("status"), Read("scope"), Read("schemes"));
        }
        catch (FormatException)
        {
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Replaces the content of a sent message (after <c>354</c> up to the final dot, or after <c>BDAT</c>) with one
    /// line that says how much was left out: the conversation is what helps, and mail content stays out of it.
    /// </summary>
    public static string LeaveOutMessageContent(string transcript)
    {
        var output = new StringBuilder();
        var mode = Content.None;
        var leftOut = 0;
        foreach (var line in Lines(transcript))
        {
            switch (mode)
            {
                case Content.Data when line == Client + ".":
                case Content.Bdat when !line.StartsWith(Client, StringComparison.Ordinal):
                    output.Append(CultureInfo.InvariantCulture, $"{Client}[message content: {leftOut} lines left out]\n");
                    mode = Content.None;
                    break;
                case Content.Data or Content.Bdat:
                    leftOut++;
                    continue;
            }

            output.Append(line).Append('\n');
            if (line.StartsWith(Server + "354", StringComparison.Ordinal))
            {
                (mode, leftOut) = (Content.Data, 0);
            }
            else if (line.StartsWith(Client + "BDAT ", StringComparison.OrdinalIgnoreCase))
            {
                (mode, leftOut) = (Content.Bdat, 0);
            }
        }

        if (mode != Content.None)
        {
            output.Append(CultureInfo.InvariantCulture, $"{Client}[message content: {leftOut} lines left out]\n");
        }

        return output.ToString().TrimEnd('\n') + "\n";
    }

    private enum Content
    {
        None,
        Data,
        Bdat,
    }
}
