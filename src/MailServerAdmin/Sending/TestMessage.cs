using MailServerAdmin.Localization;
using Microsoft.Extensions.Localization;
using MimeKit;
using static MailServerAdmin.Localization.LocalizableText;

namespace MailServerAdmin.Sending;

/// <summary>The message "Send test message" sends.</summary>
public static class TestMessage
{
    /// <summary>The subject in English.</summary>
    public static readonly string Subject = Of("TestMessage_Subject").ToString();

    /// <summary>The test message, in the localizer's language (English without one).</summary>
    public static MimeMessage Create(
        string serverName, string? senderName, string senderEmail, string recipient, TimeProvider time, IStringLocalizer? localizer = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        var body = Of("TestMessage_Body", serverName, new UtcTime(time.GetUtcNow().UtcDateTime));
        return new MimeMessage
        {
            From = { new MailboxAddress(senderName, senderEmail) },
            To = { MailboxAddress.Parse(recipient) },
            Subject = localizer is null ? TestMessage.Subject : localizer["TestMessage_Subject"].Value,
            Body = new TextPart("plain")
            {
                Text = (localizer is null ? body.ToString() : body.Localize(localizer)).ReplaceLineEndings("\r\n") + "\r\n",
            },
        };
    }
}
