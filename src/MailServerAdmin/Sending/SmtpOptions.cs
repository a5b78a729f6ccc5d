using System.ComponentModel.DataAnnotations;

namespace MailServerAdmin.Sending;

/// <summary>Settings of the <c>Smtp</c> configuration section.</summary>
public sealed class SmtpOptions
{
    public const string SectionName = "Smtp";

    /// <summary>
    /// How long one SMTP operation may wait for the server (MailKit's <c>Timeout</c>), and the limit for connecting
    /// and logging in as a whole, so that a dead host or a server that never greets fails within it.
    /// </summary>
    [Range(1, 600)]
    public int TimeoutSeconds { get; set; } = 30;

    public TimeSpan Timeout => TimeSpan.FromSeconds(TimeoutSeconds);
}
