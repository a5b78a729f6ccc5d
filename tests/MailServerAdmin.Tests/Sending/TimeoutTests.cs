using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MailServerAdmin.Tests.Infrastructure.Smtp;
using MailServerAdmin.MailServers;
using MailServerAdmin.Sending;
using Xunit.Abstractions;

namespace MailServerAdmin.Tests.Sending;

/// <summary>Dead hosts and silent servers fail within the configured limit (2 seconds here), with a clear message.</summary>
public sealed class TimeoutTests(ITestOutputHelper output)
{
    private static readonly TimeSpan GenerousBound = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_closed_port_is_refused_at_once()
    {
        var port = ClosedPort();
        using var services = SendingServices.WithSystemValidation();

        var stopwatch = Stopwatch.StartNew();
        var result = await services.Tester.TestAsync(
            new SmtpEndpoint("127.0.0.1", port, SmtpSecurity.StartTls, Secrets.Basic()), "alice@example.com", null, CancellationToken.None);

        output.WriteLine($"{result.Failure?.Message} after {stopwatch.ElapsedMilliseconds} ms");
        Assert.Equal((SmtpStep.Connect, SmtpFailureKind.ConnectionRefused), (result.Failure?.Step, result.Failure?.Kind));
        Assert.Equal($"127.0.0.1:{port} refused the connection: nothing listens on that port.", result.Failure?.Message);
        Assert.Equal(SmtpStepOutcome.Failed, Assert.Single(result.Steps).Outcome);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, GenerousBound);
    }

    [Fact]
    public async Task An_unknown_host_name_is_explained()
    {
        using var services = SendingServices.WithSystemValidation();

        var result = await services.Tester.TestAsync(
            new SmtpEndpoint("smtp.does-not-exist.invalid", 587, SmtpSecurity.StartTls), "alice@example.com", null, CancellationToken.None);

        output.WriteLine(result.Failure?.Message);
        Assert.Equal((SmtpStep.Connect, SmtpFailureKind.HostNotFound), (result.Failure?.Step, result.Failure?.Kind));
        Assert.Equal("The server name smtp.does-not-exist.invalid could not be found (DNS).", result.Failure?.Message);
    }

    [SmtpPeerTheory]
    [InlineData(SmtpSecurity.None)]
    [InlineData(SmtpSecurity.StartTls)]
    public async Task A_server_that_never_greets_times_out_within_the_limit(SmtpSecurity security)
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { HangAfterConnect = true });
        using var services = SendingServices.Trusting(peer);

        var stopwatch = Stopwatch.StartNew();
        var result = await services.Tester.TestAsync(
            Secrets.Endpoint(peer, security, Secrets.Basic()), "alice@example.com", null, CancellationToken.None);

        output.WriteLine($"{result.Failure?.Message} after {stopwatch.ElapsedMilliseconds} ms");
        Assert.Equal((SmtpStep.Connect, SmtpFailureKind.Timeout), (result.Failure?.Step, result.Failure?.Kind));
        Assert.Equal($"Connected to {peer.Host}:{peer.Port}, but the server sent no SMTP greeting within 2 seconds.", result.Failure?.Message);
        Assert.Contains("choose SSL on connect", result.Failure?.Hint, StringComparison.Ordinal);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, GenerousBound);
    }

    [SmtpPeerFact]
    public async Task A_server_that_never_answers_the_TLS_handshake_times_out_within_the_limit()
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { HangAfterConnect = true });
        using var services = SendingServices.Trusting(peer);

        var stopwatch = Stopwatch.StartNew();
        var result = await services.Sender.SendAsync(
            Secrets.Endpoint(peer, SmtpSecurity.SslOnConnect, Secrets.OAuth()), Secrets.Message(), CancellationToken.None);

        output.WriteLine($"{result.Failure?.Message} after {stopwatch.ElapsedMilliseconds} ms");
        Assert.Equal((SmtpStep.Tls, SmtpFailureKind.Timeout), (result.Failure?.Step, result.Failure?.Kind));
        Assert.Equal($"Connected to {peer.Host}:{peer.Port}, but the TLS handshake got no answer within 2 seconds.", result.Failure?.Message);
        Assert.Contains("choose STARTTLS", result.Failure?.Hint, StringComparison.Ordinal);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, GenerousBound);
    }

    [SmtpPeerFact]
    public async Task The_callers_cancellation_is_not_reported_as_a_timeout()
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { HangAfterConnect = true });
        using var services = SendingServices.Trusting(peer, timeoutSeconds: 30);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var stopwatch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => services.Tester.TestAsync(
            Secrets.Endpoint(peer, SmtpSecurity.None, null), "alice@example.com", null, cancel.Token));

        Assert.InRange(stopwatch.Elapsed, TimeSpan.Zero, GenerousBound);
    }

    /// <summary>A port on 127.0.0.1 where nothing listens: bound once by the system, then released.</summary>
    private static int ClosedPort()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)listener.LocalEndPoint!).Port;
    }
}
