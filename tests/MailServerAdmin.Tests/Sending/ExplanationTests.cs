using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using MailServerAdmin.MailServers;
using MailServerAdmin.Sending;

namespace MailServerAdmin.Tests.Sending;

/// <summary>The explanations for cases a local test server cannot produce.</summary>
public sealed class ExplanationTests
{
    private static readonly SmtpEndpoint Office365 =
        new("smtp.office365.com", 587, SmtpSecurity.StartTls, new OAuth2Credential("alice@contoso.com", "token"));

    [Fact]
    public void A_certificate_for_another_name_says_which_names_it_has()
    {
        var check = new CertificateCheck(
            SslPolicyErrors.RemoteCertificateNameMismatch, X509ChainStatusFlags.NoError, false,
            "CN=outlook.com", "CN=DigiCert Cloud Services CA-1", ["outlook.com", "*.office365.com"],
            new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        var failure = check.Explain("192.0.2.10");

        Assert.Equal((SmtpStep.Tls, SmtpFailureKind.CertificateNameMismatch), (failure.Step, failure.Kind));
        Assert.Equal(
            "The TLS certificate of 192.0.2.10 is not accepted: it is issued for outlook.com, *.office365.com, not for "
            + "192.0.2.10 (CN=outlook.com, issued by CN=DigiCert Cloud Services CA-1).",
            failure.Message);
        Assert.Contains("not an IP address", failure.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expired_certificate_says_when_it_expired()
    {
        var check = new CertificateCheck(
            SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.NotTimeValid, false,
            "CN=mail.example.com", "CN=Example CA", ["mail.example.com"],
            new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2021, 3, 31, 12, 0, 0, DateTimeKind.Utc));

        var failure = check.Explain("mail.example.com");

        Assert.Equal(SmtpFailureKind.CertificateExpired, failure.Kind);
        Assert.Contains("it expired on 2021-03-31", failure.Message, StringComparison.Ordinal);
        Assert.Contains("renew", failure.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_from_a_private_CA_is_untrusted()
    {
        var check = new CertificateCheck(
            SslPolicyErrors.RemoteCertificateChainErrors, X509ChainStatusFlags.PartialChain, false,
            "CN=mail.corp.example", "CN=Corp Root CA", ["mail.corp.example"], null, null);

        var failure = check.Explain("mail.corp.example");

        Assert.Equal(SmtpFailureKind.CertificateUntrusted, failure.Kind);
        Assert.Contains("not issued by an authority this machine trusts", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SocketError.HostNotFound, SmtpFailureKind.HostNotFound)]
    [InlineData(SocketError.ConnectionRefused, SmtpFailureKind.ConnectionRefused)]
    [InlineData(SocketError.TimedOut, SmtpFailureKind.Timeout)]
    [InlineData(SocketError.NetworkUnreachable, SmtpFailureKind.ConnectionFailed)]
    public void Socket_errors_are_named(SocketError error, SmtpFailureKind kind)
    {
        var failure = SmtpFailures.Tcp(new SocketException((int)error), Office365, TimeSpan.FromSeconds(30));

        Assert.Equal((SmtpStep.Connect, kind), (failure.Step, failure.Kind));
    }

    [Fact]
    public void A_400_XOAuth2_challenge_points_at_the_mailbox()
    {
        var json = Convert.ToBase64String("""{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}"""u8);
        var transcript = $"S: 220 ready\nC: AUTH XOAUTH2 ********\nS: 334 {json}\nC: \nS: 535 5.7.8 Username and Password not accepted.\n";

        var failure = SmtpFailures.Authentication(
            new MailKit.Security.AuthenticationException("535: 5.7.8 Username and Password not accepted."),
            Office365.Credential!, TimeSpan.FromSeconds(30), transcript);

        Assert.Equal(SmtpFailureKind.OAuthTokenRefused, failure.Kind);
        Assert.Equal(
            "The access token for alice@contoso.com was refused (400); it may belong to another mailbox than "
            + "alice@contoso.com, or lack the scope https://mail.google.com/.",
            failure.Message);
    }

    [Fact]
    public void A_Microsoft_token_refusal_without_a_challenge_quotes_the_reply()
    {
        var transcript = "S: 220 ready\nC: AUTH XOAUTH2 ********\nS: 535 5.7.3 Authentication unsuccessful [AM0PR10CA0001.EURPRD10.PROD.OUTLOOK.COM]\n";

        var failure = SmtpFailures.Authentication(
            new MailKit.Security.AuthenticationException("535: 5.7.3 Authentication unsuccessful"),
            Office365.Credential!, TimeSpan.FromSeconds(30), transcript);

        Assert.Equal(SmtpFailureKind.OAuthTokenRefused, failure.Kind);
        Assert.StartsWith("The access token for alice@contoso.com was refused (535 5.7.3 Authentication unsuccessful", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Security_defaults_are_named_when_Microsoft_says_so()
    {
        var transcript = "C: AUTH LOGIN\nS: 535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy. Contact your administrator.\n";

        var failure = SmtpFailures.Authentication(
            new MailKit.Security.AuthenticationException("Authentication failed."),
            new BasicCredential("alice@contoso.com", "pw"), TimeSpan.FromSeconds(30), transcript);

        Assert.Equal(SmtpFailureKind.SmtpAuthDisabled, failure.Kind);
        Assert.Contains("security defaults", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("S: 250 OK\nS: 354 End data with <CR><LF>.<CR><LF>\nC: Subject: hi\nC: \nC: body\nC: .\nS: 250 OK\n", "S: 354 End data with <CR><LF>.<CR><LF>\nC: [message content: 3 lines left out]\nC: .\nS: 250 OK\n")]
    [InlineData("C: BDAT 120 LAST\nC: Subject: hi\nC: \nC: body\nS: 250 2.0.0 OK\n", "C: BDAT 120 LAST\nC: [message content: 3 lines left out]\nS: 250 2.0.0 OK\n")]
    public void Message_content_is_left_out_of_the_transcript(string transcript, string expectedEnd)
    {
        Assert.EndsWith(expectedEnd, SmtpTranscript.LeaveOutMessageContent(transcript), StringComparison.Ordinal);
    }

    [Fact]
    public void Multi_line_replies_are_read_whole()
    {
        var reply = SmtpTranscript.LastReply("S: 250 OK\nC: AUTH PLAIN ********\nS: 534-5.7.9 Application-specific password required.\nS: 534 5.7.9 https://support.google.com/\n");

        Assert.NotNull(reply);
        Assert.Equal((534, "5.7.9"), (reply.Code, reply.EnhancedCode));
        Assert.Equal("534-5.7.9 Application-specific password required.\n534 5.7.9 https://support.google.com/", reply.ToString());
    }
}
