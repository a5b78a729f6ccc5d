using MailServerAdmin.Tests.Infrastructure.Smtp;
using MailServerAdmin.MailServers;
using MailServerAdmin.Sending;
using Xunit.Abstractions;

namespace MailServerAdmin.Tests.Sending;

/// <summary>STARTTLS, SSL on connect and Auto against a real server with its own certificate.</summary>
public sealed class TlsTests(ITestOutputHelper output)
{
    [SmtpPeerFact]
    public async Task StartTls_encrypts_before_the_login_when_the_peer_certificate_is_trusted()
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions
        {
            Tls = SmtpPeerTls.StartTls,
            RequireStartTls = true,
            AuthRequiresTls = true,
        });
        peer.AcceptBasic(Secrets.Login, Secrets.Password);
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.StartTls, Secrets.Basic()), "alice@example.com", null, CancellationToken.None);

        output.WriteLine(result.Transcript);
        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal(
            [SmtpStep.Connect, SmtpStep.Tls, SmtpStep.Authenticate, SmtpStep.Sender, SmtpStep.Recipient],
            result.Steps.Select(s => s.Step));
        Assert.All(result.Steps, s => Assert.Equal(SmtpStepOutcome.Passed, s.Outcome));
        var tls = result.Steps[1].Detail;
        Assert.StartsWith("Encrypted after STARTTLS: TLS 1.", tls, StringComparison.Ordinal);
        Assert.Contains("TLS_", tls, StringComparison.Ordinal);
        Assert.Contains(peer.Events, e => e.Kind == "tls");
        Assert.True(Assert.Single(peer.AuthAttempts).Success);
    }

    [SmtpPeerFact]
    public async Task SslOnConnect_encrypts_from_the_first_byte_when_the_peer_certificate_is_trusted()
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { Tls = SmtpPeerTls.Implicit });
        peer.AcceptXOAuth2(Secrets.OAuthUser, Secrets.Token);
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.SslOnConnect, Secrets.OAuth()), "alice@example.com", null, CancellationToken.None);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.StartsWith("Encrypted from the first byte (SSL on connect): TLS 1.",
            result.Steps.Single(s => s.Step == SmtpStep.Tls).Detail, StringComparison.Ordinal);
        Assert.True(peer.Events.First(e => e.Kind == "connect").GetBoolean("tls"));
        Assert.True(Assert.Single(peer.AuthAttempts).Success);
    }

    [SmtpPeerTheory]
    [InlineData(SmtpPeerTls.StartTls, SmtpSecurity.StartTls)]
    [InlineData(SmtpPeerTls.Implicit, SmtpSecurity.SslOnConnect)]
    public async Task An_untrusted_certificate_fails_the_TLS_step_with_the_trust_hint(SmtpPeerTls tls, SmtpSecurity security)
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { Tls = tls });
        peer.AcceptBasic(Secrets.Login, Secrets.Password);
        using var services = SendingServices.WithSystemValidation();

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, security, Secrets.Basic()), "alice@example.com", null, CancellationToken.None);

        output.WriteLine(result.Failure?.Message);
        Assert.Equal(SmtpFailureKind.CertificateUntrusted, result.Failure?.Kind);
        Assert.Equal(
            [(SmtpStep.Connect, SmtpStepOutcome.Passed), (SmtpStep.Tls, SmtpStepOutcome.Failed)],
            result.Steps.Select(s => (s.Step, s.Outcome)));
        Assert.Equal(
            "The TLS certificate of 127.0.0.1 is not accepted: it is self-signed, so no authority this machine trusts "
            + "vouches for it (CN=localhost, issued by CN=localhost).",
            result.Failure?.Message);
        Assert.Contains("install that CA's certificate in the trust store", result.Failure?.Hint, StringComparison.Ordinal);
        Assert.Empty(peer.AuthAttempts);
    }

    [SmtpPeerFact]
    public async Task Trusting_another_certificate_does_not_trust_this_one()
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { Tls = SmtpPeerTls.StartTls });
        await using var other = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { Tls = SmtpPeerTls.StartTls });
        using var services = SendingServices.Trusting(other);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.StartTls, null), "alice@example.com", null, CancellationToken.None);

        Assert.Equal(SmtpFailureKind.CertificateUntrusted, result.Failure?.Kind);
    }

    [SmtpPeerFact]
    public async Task StartTls_against_a_server_without_it_is_explained()
    {
        await using var peer = await SmtpTestPeer.StartAsync();
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.StartTls, Secrets.Basic()), "alice@example.com", null, CancellationToken.None);

        Assert.Equal(SmtpFailureKind.TlsNotOffered, result.Failure?.Kind);
        Assert.Equal(SmtpStep.Tls, result.Failure?.Step);
        Assert.Contains("does not offer STARTTLS", result.Failure?.Message, StringComparison.Ordinal);
        Assert.Empty(peer.AuthCommands);
    }

    [SmtpPeerFact]
    public async Task SslOnConnect_against_a_plain_SMTP_port_suggests_STARTTLS()
    {
        await using var peer = await SmtpTestPeer.StartAsync();
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.SslOnConnect, Secrets.Basic()), "alice@example.com", null, CancellationToken.None);

        output.WriteLine(result.Failure?.Message);
        Assert.Equal(SmtpStep.Tls, result.Failure?.Step);
        Assert.Equal(SmtpFailureKind.TlsHandshakeFailed, result.Failure?.Kind);
        Assert.Contains("choose STARTTLS", result.Failure?.Hint, StringComparison.Ordinal);
    }

    [SmtpPeerFact]
    public async Task Auto_upgrades_with_STARTTLS_when_the_server_offers_it()
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { Tls = SmtpPeerTls.StartTls });
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.Auto, null), "alice@example.com", null, CancellationToken.None);

        Assert.True(result.Succeeded, result.Failure?.Message);
        var tls = result.Steps.Single(s => s.Step == SmtpStep.Tls);
        Assert.Equal(SmtpStepOutcome.Passed, tls.Outcome);
        Assert.StartsWith("Encrypted after STARTTLS", tls.Detail, StringComparison.Ordinal);
    }

    [SmtpPeerFact]
    public async Task Auto_that_ends_up_unencrypted_says_so_clearly()
    {
        await using var peer = await SmtpTestPeer.StartAsync();
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.Auto, null), "alice@example.com", null, CancellationToken.None);

        Assert.True(result.Succeeded, result.Failure?.Message);
        var tls = result.Steps.Single(s => s.Step == SmtpStep.Tls);
        Assert.Equal(SmtpStepOutcome.Warning, tls.Outcome);
        Assert.Equal(
            "Not encrypted: with Auto, the server did not offer STARTTLS, so the connection stayed unencrypted and "
            + "the messages cross the network in clear.",
            tls.Detail);
        Assert.Contains("Choose STARTTLS or SSL on connect explicitly", tls.Hint, StringComparison.Ordinal);
    }

    [SmtpPeerFact]
    public async Task None_says_the_connection_is_not_encrypted()
    {
        await using var peer = await SmtpTestPeer.StartAsync();
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.None, null), "alice@example.com", null, CancellationToken.None);

        var tls = result.Steps.Single(s => s.Step == SmtpStep.Tls);
        Assert.Equal(SmtpStepOutcome.Warning, tls.Outcome);
        Assert.Equal("Not encrypted: the security setting is None, so the messages cross the network in clear.", tls.Detail);
    }

    [SmtpPeerFact]
    public async Task A_server_that_requires_STARTTLS_is_explained_when_None_is_chosen()
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions
        {
            Tls = SmtpPeerTls.StartTls,
            RequireStartTls = true,
        });
        peer.AcceptBasic(Secrets.Login, Secrets.Password);
        using var services = SendingServices.Trusting(peer);

        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.None, Secrets.Basic()), "alice@example.com", null, CancellationToken.None);

        output.WriteLine(result.Transcript);
        Assert.Equal(SmtpFailureKind.TlsRequired, result.Failure?.Kind);
        Assert.Equal(SmtpStep.Authenticate, result.Failure?.Step);
        Assert.Contains("Must issue a STARTTLS command first", result.Failure?.ServerReply, StringComparison.Ordinal);
        Assert.Contains("Choose STARTTLS", result.Failure?.Hint, StringComparison.Ordinal);
    }
}
