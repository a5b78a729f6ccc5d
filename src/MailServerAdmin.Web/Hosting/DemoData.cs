using MailServerAdmin.MailServers;
using MailServerAdmin.OAuth;

namespace MailServerAdmin.Web.Hosting;

/// <summary>
/// A small, realistic set of mail servers for a demonstration or a screenshot (<c>--demo</c>). It is saved through
/// <see cref="MailServerStore"/>, so every rule applies (names, the single default, complete tokens, encrypted secrets,
/// the audit log), and only into a database without servers. Every address is on example.com, example.net or
/// example.org, and every secret and token is an obvious fake.
/// </summary>
public static partial class DemoData
{
    /// <summary>The server that is the default after loading.</summary>
    public const string DefaultServerName = "Microsoft 365 (app)";

    /// <summary>Loads the demo servers, unless the database already has a server.</summary>
    /// <returns>How it went: the servers saved, or why nothing was saved.</returns>
    public static async Task<DemoLoadResult> LoadAsync(IServiceProvider services, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using var scope = services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<MailServerStore>();
        var now = scope.ServiceProvider.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime;
        if ((await store.GetSummaryAsync(ct)).AnyServer)
        {
            return DemoLoadResult.NotEmpty;
        }

        var names = new List<string>();
        foreach (var values in Servers(now))
        {
            var result = await store.CreateAsync(values, ct);
            if (result.Status != SaveStatus.Saved)
            {
                // The data above is meant to pass every rule: a refusal is a bug in it, not an admin's mistake.
                throw new InvalidOperationException($"The demo server \"{values.Name}\" was not saved: {result.Status} {string.Join(", ", result.Problems)}.");
            }

            names.Add(values.Name);
        }

        return new DemoLoadResult(true, names);
    }

    /// <summary>Loads the demo servers and says on the log what happened; the exit code for the command line.</summary>
    public static async Task<int> RunAsync(IServiceProvider services, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DemoData));
        var result = await LoadAsync(services, ct);
        if (!result.Loaded)
        {
            LogNotEmpty(logger);
            return 1;
        }

        LogLoaded(logger, result.Servers.Count, result.Servers);
        return 0;
    }

    private static IEnumerable<MailServerValues> Servers(DateTime now)
    {
        // Fake tokens that are still valid for a while, so the list shows the servers as working.
        var tokens = (string prefix, string account) => new TokenSet(
            $"{prefix}-demo-access-token-not-real", $"{prefix}-demo-refresh-token-not-real", now.AddDays(60), now, account);

        var microsoft = OAuthProviderDescriptor.Microsoft.Defaults;
        yield return new MailServerValues(
            DefaultServerName, "smtp.office365.com", 587, SmtpSecurity.StartTls, "notifications@example.com",
            "notifications@example.com", "Example Ltd", IsDefault: true, RequiresAuthentication: true, null, null, false)
        {
            AuthenticationType = AuthenticationType.OAuth,
            OAuth = new OAuthValues(
                OAuthProvider.Microsoft, "example.com", "00000000-0000-4000-8000-000000000001",
                microsoft.AuthorizationUrl, microsoft.TokenUrl, microsoft.RevocationUrl, microsoft.Scopes)
            {
                NewClientSecret = "demo-client-secret-not-real",
                ClientSecretExpiresOn = DateOnly.FromDateTime(now.AddMonths(18)),
                NewTokens = tokens("m365", "notifications@example.com"),
            },
        };

        var google = OAuthProviderDescriptor.Google.Defaults;
        yield return new MailServerValues(
            "Gmail – support", "smtp.gmail.com", 587, SmtpSecurity.StartTls, "support@example.net",
            "support@example.net", "Example Support", IsDefault: false, RequiresAuthentication: true, null, null, false)
        {
            AuthenticationType = AuthenticationType.OAuth,
            OAuth = new OAuthValues(
                OAuthProvider.Google, null, "000000000000-demo.apps.googleusercontent.com",
                google.AuthorizationUrl, google.TokenUrl, google.RevocationUrl, google.Scopes)
            {
                NewClientSecret = "demo-client-secret-not-real",
                NewTokens = tokens("gmail", "support@example.net"),
            },
        };

        yield return new MailServerValues(
            "Partner portal (OAuth)", "smtp.example.org", 465, SmtpSecurity.SslOnConnect, "portal@example.org",
            "portal@example.org", "Example Partner Portal", IsDefault: false, RequiresAuthentication: true, null, null, false)
        {
            AuthenticationType = AuthenticationType.OAuth,
            OAuth = new OAuthValues(
                OAuthProvider.Manual, null, "demo-portal-client",
                "https://auth.example.org/oauth2/authorize", "https://auth.example.org/oauth2/token",
                "https://auth.example.org/oauth2/revoke", "smtp.send offline_access")
            {
                NewClientSecret = "demo-client-secret-not-real",
                NewTokens = tokens("portal", "portal@example.org"),
            },
        };

        // Basic authentication on Microsoft 365: the list and the form show the notice to move it off Basic.
        yield return new MailServerValues(
            "Office relay", "smtp.office365.com", 587, SmtpSecurity.StartTls, null,
            "scanner@example.com", "Office scanner", IsDefault: false, RequiresAuthentication: true,
            "scanner@example.com", "demo-password-not-real", false)
        { AuthenticationType = AuthenticationType.Basic };

        yield return new MailServerValues(
            "Internal relay", "relay.internal.example", 25, SmtpSecurity.None, null,
            "alerts@example.org", "Monitoring alerts", IsDefault: false, RequiresAuthentication: false, null, null, false)
        { AuthenticationType = AuthenticationType.Basic };

        yield return new MailServerValues(
            "Transactional (SendGrid)", "smtp.sendgrid.net", 587, SmtpSecurity.StartTls, null,
            "orders@example.com", "Example Shop", IsDefault: false, RequiresAuthentication: true,
            "apikey", "SG.demo-api-key-not-real", false)
        { AuthenticationType = AuthenticationType.Basic };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo data loaded: {Count} mail servers ({Names}). Start the app without --demo to see them.")]
    private static partial void LogLoaded(ILogger logger, int count, IReadOnlyList<string> names);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Demo data not loaded: the database already has mail servers, and the demo data is loaded only into an empty database. Nothing was changed.")]
    private static partial void LogNotEmpty(ILogger logger);
}

/// <summary>What loading the demo data did: the servers saved, or nothing because the database was not empty.</summary>
public sealed record DemoLoadResult(bool Loaded, IReadOnlyList<string> Servers)
{
    public static readonly DemoLoadResult NotEmpty = new(false, []);
}
