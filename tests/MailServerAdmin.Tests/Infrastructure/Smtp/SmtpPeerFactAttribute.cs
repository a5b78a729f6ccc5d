namespace MailServerAdmin.Tests.Infrastructure.Smtp;

/// <summary>A fact that is skipped, with the install hint, where the SMTP test peer cannot run.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class SmtpPeerFactAttribute : FactAttribute
{
    public SmtpPeerFactAttribute()
    {
        if (!SmtpTestPeer.IsAvailable)
        {
            Skip = SmtpTestPeer.UnavailableReason;
        }
    }
}

/// <summary>A theory that is skipped, with the install hint, where the SMTP test peer cannot run.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class SmtpPeerTheoryAttribute : TheoryAttribute
{
    public SmtpPeerTheoryAttribute()
    {
        if (!SmtpTestPeer.IsAvailable)
        {
            Skip = SmtpTestPeer.UnavailableReason;
        }
    }
}
