using System.Text;
using MailServerAdmin.Tests.Infrastructure.Smtp;
using MailServerAdmin.MailServers;
using MailServerAdmin.Sending;
using Xunit.Abstractions;

namespace MailServerAdmin.Tests.Sending;

/// <summary>No password or token, in any form, in a result, a transcript or a log line, whatever happened.</summary>
public sealed class RedactionTests(ITestOutputHelper output)
{
    public static TheoryData<string, bool> Logins => new()
    {
        { "PLAIN", true },
        { "PLAIN", false },
        { "LOGIN", true },
        { "LOGIN", false },
        { "XOAUTH2", true },
        { "XOAUTH2", false },
    };

    [SmtpPeerTheory]
    [MemberData(nameof(Logins))]
    public async Task No_credential_in_results_transcripts_or_logs(string mechanism, bool accepted)
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions
        {
            Mechanisms = mechanism == "XOAUTH2" ? ["XOAUTH2"] : [mechanism],
        });
        if (accepted)
        {
            peer.AcceptBasic(Secrets.Login, Secrets.Password);
            peer.AcceptXOAuth2(Secrets.OAuthUser, Secrets.Token);
        }

        using var services = SendingServices.Trusting(peer);
        SmtpCredential credential = mechanism == "XOAUTH2" ? Secrets.OAuth() : Secrets.Basic();
        var endpoint = Secrets.Endpoint(peer, SmtpSecurity.None, credential);

        var check = await services.Tester.TestAsync(endpoint, "alice@example.com", null, CancellationToken.None);
        var send = await services.Sender.SendAsync(endpoint, Secrets.Message(), CancellationToken.None);

        output.WriteLine(check.Transcript);
        Assert.Equal(accepted, check.Succeeded);
        Assert.Equal(accepted, send.Succeeded);
        // The secret really crossed the wire (the peer decoded it), so its absence below means something.
        Assert.NotEmpty(peer.AuthAttempts);
        Assert.All(peer.AuthAttempts, a => Assert.Equal(
            (mechanism, mechanism == "XOAUTH2" ? Secrets.Token : Secrets.Password), (a.Mechanism, a.Secret)));
        Assert.Contains("********", check.Transcript, StringComparison.Ordinal);

        Secrets.AssertAbsent(Secrets.AllText(check.Steps, check.Failure, check.Transcript));
        Secrets.AssertAbsent(Secrets.AllText(send.Steps, send.Failure, send.Transcript) + send.ServerReply);
        Secrets.AssertAbsent(check.ToString() + send.ToString());
        Assert.NotEmpty(services.Logs.Lines);
        Secrets.AssertAbsent(services.Logs.All);
        Assert.Contains(services.Logs.Lines, l => l.StartsWith("Debug", StringComparison.Ordinal) && l.Contains("C: ", StringComparison.Ordinal));
        Assert.DoesNotContain(services.Logs.Lines, l => l.StartsWith("Information", StringComparison.Ordinal) && l.Contains("C: ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_credential_never_shows_its_secret_as_text()
    {
        var basic = new SmtpEndpoint("smtp.example.com", 587, SmtpSecurity.StartTls, Secrets.Basic());
        var oauth = new SmtpEndpoint("smtp.example.com", 587, SmtpSecurity.StartTls, Secrets.OAuth());

        var text = $"{basic} {oauth} {basic.Credential} {oauth.Credential}";

        output.WriteLine(text);
        Secrets.AssertAbsent(text);
        Assert.Contains("Login = alice@example.com, Password = ********", text, StringComparison.Ordinal);
        Assert.Contains("User = alice@example.com, AccessToken = ********", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("x")]
    [InlineData("xy")]
    public void The_scrubber_finds_the_password_in_base64_at_any_offset(string prefix)
    {
        var scrubber = SecretScrubber.For(Secrets.Basic());
        var embedded = Convert.ToBase64String(Encoding.UTF8.GetBytes(prefix + Secrets.Password + "-and some more text"));
        var fragment = embedded[4..^4];
        var text = $"C: AUTH PLAIN {Secrets.Base64($"\0{Secrets.Login}\0{Secrets.Password}")}\nC: {embedded}\nC: {Secrets.Password}\n";

        var scrubbed = scrubber.Scrub(text);

        output.WriteLine(scrubbed);
        Secrets.AssertAbsent(scrubbed);
        Assert.DoesNotContain(fragment, scrubbed, StringComparison.Ordinal);
        Assert.Equal("C: AUTH PLAIN ********", scrubbed.Split('\n')[0]);
    }

    [Fact]
    public void The_scrubber_masks_the_token_and_the_XOAuth2_string()
    {
        var scrubber = SecretScrubber.For(Secrets.OAuth());
        var sasl = Secrets.Base64($"user={Secrets.OAuthUser}\u0001auth=Bearer {Secrets.Token}\u0001\u0001");

        var scrubbed = scrubber.Scrub($"C: AUTH XOAUTH2 {sasl}\nBearer {Secrets.Token}\n");

        Assert.Equal("C: AUTH XOAUTH2 ********\nBearer ********\n", scrubbed);
    }
}
