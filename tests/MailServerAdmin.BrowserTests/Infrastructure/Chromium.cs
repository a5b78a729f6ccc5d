namespace MailServerAdmin.BrowserTests.Infrastructure;

/// <summary>Where the browser tests find Chromium, and why they are skipped when they cannot.</summary>
public static class Chromium
{
    public const string PathVariable = "CHROMIUM_PATH";

    public static string ExecutablePath => Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>Where CI runs (CI=true), the browser tests are never skipped: a missing Chromium fails them.</summary>
    public static bool IsAvailable => File.Exists(ExecutablePath) || Environment.GetEnvironmentVariable("CI") == "true";

    public static string SkipReason =>
        $"Chromium not found at {ExecutablePath}: install it with 'apt-get install -y chromium' (or set {PathVariable}) to run the browser tests.";

    /// <summary>The flags the project runs Chromium with: headless, no sandbox (root), and no calls home.</summary>
    public static readonly string[] Arguments =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic",
    ];
}

/// <summary>A browser test, skipped with the install hint where Chromium is missing.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrowserFactAttribute : FactAttribute
{
    private bool _needsSmtpPeer;

    public BrowserFactAttribute()
    {
        if (!Chromium.IsAvailable)
        {
            Skip = Chromium.SkipReason;
        }
    }

    /// <summary>Also skipped, with its install hint, where the SMTP test peer cannot run.</summary>
    public bool NeedsSmtpPeer
    {
        get => _needsSmtpPeer;
        set
        {
            _needsSmtpPeer = value;
            if (value && Skip is null && !MailServerAdmin.Tests.Infrastructure.Smtp.SmtpTestPeer.IsAvailable)
            {
                Skip = MailServerAdmin.Tests.Infrastructure.Smtp.SmtpTestPeer.UnavailableReason;
            }
        }
    }
}
