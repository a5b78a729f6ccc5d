using System.Globalization;
using MimeKit;

namespace MailServerAdmin.Web.Sending;

/// <summary>The message "Send test message" sends.</summary>
public static class TestMessage
{
    public const string Subject = "MailServerAdmin test message";

    public static MimeMessage Create(string serverName, string? senderName, string senderEmail, string recipient, TimeProvider time)
    {
        var sent = time.GetUtcNow().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        return new MimeMessage
        {
            From = { new MailboxAddress(senderName, senderEmail) },
            To = { MailboxAddress.Parse(recipient) },
            Subject = Subject,
            Body = new TextPart("plain")
            {
                Text = $"This test message was sent by MailServerAdmin through the mail server \"{serverName}\" at {sent} UTC.\r\n" +
                    "If you can read it, the server works for the application's mail.\r\n",
            },
        };
    }
}
