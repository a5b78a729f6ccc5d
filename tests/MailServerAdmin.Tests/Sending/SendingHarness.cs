using System.Text;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Tests.Infrastructure.Smtp;
using MailServerAdmin.MailServers;
using MailServerAdmin.Sending;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace MailServerAdmin.Tests.Sending;

/// <summary>The credentials the tests log in with; the password has non-ASCII characters, a colon and spaces.</summary>
internal static class Secrets
{
    public const string Login = "alice@example.com";
    public const string Password = "pä55:word with spaces";
    public const string OAuthUser = "alice@example.com";
    public const string Token = "ya29.a0AfH6SMBx-test-token_0123456789";

    public static BasicCredential Basic(string password = Password) => new(Login, password);

    public static OAuth2Credential OAuth(string token = Token) => new(OAuthUser, token);

    public static SmtpEndpoint Endpoint(SmtpTestPeer peer, SmtpSecurity security, SmtpCredential? credential) =>
        new(peer.Host, peer.Port, security, credential);

    /// <summary>Every form in which a secret could leak: as typed, base64 alone, and inside the SASL strings.</summary>
    public static void AssertAbsent(string text, string password = Password, string token = Token)
    {
        string[] forbidden =
        [
            password,
            token,
            Base64(password),
            Base64(token),
            Base64($"\0{Login}\0{password}"),
            Base64($"user={OAuthUser}\u0001auth=Bearer {token}\u0001\u0001"),
        ];
        foreach (var secret in forbidden)
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }

    public static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    /// <summary>Everything a result carries as text.</summary>
    public static string AllText(IEnumerable<SmtpStepResult> steps, SmtpFailure? failure, string transcript) =>
        string.Join('\n', steps.Select(s => $"{s.Step} {s.Outcome} {s.Detail} {s.Hint}"))
        + $"\n{failure?.Message}\n{failure?.Hint}\n{failure?.ServerReply}\n{transcript}";

    public static MimeMessage Message(string from = "Alice <alice@example.com>", string to = "bob@example.net") => new()
    {
        From = { MailboxAddress.Parse(from) },
        To = { MailboxAddress.Parse(to) },
        Subject = "Test message from MailServerAdmin",
        Body = new TextPart("plain") { Text = "Hello Bob,\r\nthis is the body.\r\n.leading dot line\r\n" },
    };
}

/// <summary>
/// The sending services as <c>AddSmtpSending</c> registers them, with a 2-second limit, a chosen certificate
/// validation, and every log line kept at every level.
/// </summary>
internal sealed class SendingServices : IDisposable
{
    private readonly ServiceProvider _provider;

    private SendingServices(ServerCertificateValidation? certificateValidation, int timeoutSeconds)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Smtp:TimeoutSeconds"] = $"{timeoutSeconds}" })
            .Build();
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
        if (certificateValidation is not null)
        {
            services.AddSingleton(certificateValidation);
        }

        services.AddSmtpSending(configuration);
        _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    public CapturedLogs Logs { get; } = new();

    public SmtpConnectionTester Tester => _provider.GetRequiredService<SmtpConnectionTester>();

    public SmtpMailSender Sender => _provider.GetRequiredService<SmtpMailSender>();

    /// <summary>Trusts exactly this peer's certificate (it is self-signed), and nothing else.</summary>
    public static SendingServices Trusting(SmtpTestPeer peer, int timeoutSeconds = 2) =>
        new(peer.ValidateServerCertificate, timeoutSeconds);

    /// <summary>The app's default: MailKit's validation against the system's trust store.</summary>
    public static SendingServices WithSystemValidation(int timeoutSeconds = 2) => new(null, timeoutSeconds);

    public void Dispose()
    {
        _provider.Dispose();
        Logs.Dispose();
    }
}
