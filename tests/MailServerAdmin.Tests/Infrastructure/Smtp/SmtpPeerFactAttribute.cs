namespace MailServerAdmin.Tests.Infrastructure.Smtp;

/// <summary>
/// A fact that needs the SMTP test peer: skipped, with the install command, where aiosmtpd is missing; where CI runs
/// (the CI environment variable is set) never skipped, so that a missing aiosmtpd fails it with that command.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class SmtpPeerFactAttribute : FactAttribute
{
    public SmtpPeerFactAttribute()
    {
        Skip = SmtpTestPeer.SkipReason;
    }
}

/// <summary>A theory that needs the SMTP test peer; skipped or failed as <see cref="SmtpPeerFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class SmtpPeerTheoryAttribute : TheoryAttribute
{
    public SmtpPeerTheoryAttribute()
    {
        Skip = SmtpTestPeer.SkipReason;
    }
}
