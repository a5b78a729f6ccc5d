using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MailServerAdmin.Sending;
using MimeKit;

namespace MailServerAdmin.Bench;

/// <summary>
/// One message through the default server with <see cref="MailDelivery"/> (as the business application sends) against
/// bare MailKit doing the same conversation (connect, AUTH PLAIN, MAIL, RCPT, DATA, QUIT), to the same in-process peer.
/// </summary>
[MemoryDiagnoser]
public class SendBenchmarks : IDisposable
{
    internal static string DataDir { get; set; } = "";

    private SmtpPeer _peer = null!;
    private IHost _host = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _peer = new SmtpPeer(0);
        _host = Seed.BuildHost(DataDir);
        await SendBench.PointDefaultAtAsync(_host, _peer.Port);
        var result = await SendBench.SendWithLibraryAsync(_host);
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("MailDelivery could not send to the bench peer:\n" + result.Transcript);
        }
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _host.Dispose();
        _peer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true, Description = "bare MailKit")]
    public Task BareMailKitAsync() => SendBench.SendBareAsync(_peer.Port);

    [Benchmark(Description = "MailDelivery, default server")]
    public Task<SmtpSendResult> MailDeliveryAsync() => SendBench.SendWithLibraryAsync(_host);
}

internal static class SendBench
{
    public static int Run(string[] args)
    {
        SendBenchmarks.DataDir = Path.GetFullPath(args[0]);
        var quick = args.Contains("--quick");
        var job = Job.Default
            .WithToolchain(InProcessEmitToolchain.Instance)
            .WithWarmupCount(quick ? 2 : 4)
            .WithIterationCount(quick ? 4 : 10)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(quick ? 250 : 500));
        var config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddLogger(ConsoleLogger.Default)
            .AddColumnProvider(DefaultColumnProviders.Instance)
            .AddDiagnoser(BenchmarkDotNet.Diagnosers.MemoryDiagnoser.Default)
            .WithOptions(ConfigOptions.DisableLogFile | ConfigOptions.JoinSummary)
            .WithArtifactsPath(Path.Combine(SendBenchmarks.DataDir, "BenchmarkDotNet.Artifacts"));
        var summary = BenchmarkRunner.Run<SendBenchmarks>(config);
        foreach (var report in summary.Reports)
        {
            var key = report.BenchmarkCase.Descriptor.WorkloadMethod.Name == nameof(SendBenchmarks.BareMailKitAsync) ? "bare" : "app";
            var stats = report.ResultStatistics ?? throw new InvalidOperationException("no result for " + key);
            var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase) ?? 0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"send_{key}_ms={stats.Median / 1e6:F3}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"send_{key}_alloc_kb={allocated / 1024.0:F1}"));
        }

        return summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success) ? 1 : 0;
    }

    /// <summary>The first send of a fresh process, through the library or bare MailKit, to a peer in another process.</summary>
    public static async Task<int> FirstSendAsync(string[] args)
    {
        var mode = args[0];
        var dataDir = Path.GetFullPath(args[1]);
        var port = int.Parse(args[2], CultureInfo.InvariantCulture);
        double ms;
        if (mode == "app")
        {
            // As an application does: the host is started (its warm-up included), then it sends.
            var clock = Stopwatch.StartNew();
            using var host = Seed.BuildHost(dataDir);
            await host.StartAsync();
            var started = clock.Elapsed.TotalMilliseconds;
            clock.Restart();
            var result = await SendWithLibraryAsync(host);
            ms = clock.Elapsed.TotalMilliseconds;
            await host.StopAsync();
            if (!result.Succeeded)
            {
                await Console.Error.WriteLineAsync(result.Transcript);
                return 1;
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first_send_start_ms={started:F0}"));
        }
        else
        {
            var clock = Stopwatch.StartNew();
            await SendBareAsync(port);
            ms = clock.Elapsed.TotalMilliseconds;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first_send_ms={ms:F0}"));
        return 0;
    }

    /// <summary>Serves as the SMTP peer of <see cref="FirstSendAsync"/> until killed (at most the given seconds).</summary>
    public static async Task<int> ServePeerAsync(string[] args)
    {
        await using var peer = new SmtpPeer(int.Parse(args[0], CultureInfo.InvariantCulture));
        Console.WriteLine("ready");
        await Task.Delay(TimeSpan.FromSeconds(int.Parse(args[1], CultureInfo.InvariantCulture)));
        return 0;
    }

    /// <summary>The seeded default points at the bench's peer: move it to this port, with its password encrypted for it.</summary>
    public static async Task PointDefaultAtAsync(IHost host, int port)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<MailServerAdmin.Data.AppDbContext>();
        var vault = scope.ServiceProvider.GetRequiredService<MailServerAdmin.MailServers.SecretVault>();
        var server = db.MailServers.Single(s => s.Id == 1);
        server.Port = port;
        server.ProtectedPassword = vault.Protect(
            MailServerAdmin.MailServers.SecretField.Password, server.Id, MailServerAdmin.MailServers.MailServerSettings.Of(server), Seed.SmtpPassword);
        await db.SaveChangesAsync();
    }

    public static async Task<SmtpSendResult> SendWithLibraryAsync(IHost host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var delivery = scope.ServiceProvider.GetRequiredService<MailDelivery>();
        return await delivery.SendAsync(Message());
    }

    public static async Task SendBareAsync(int port)
    {
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", port, SecureSocketOptions.None);
        await client.AuthenticateAsync(Seed.SmtpLogin, Seed.SmtpPassword);
        var message = Message();
        message.From.Add(new MailboxAddress(null, Seed.SmtpLogin));
        await client.SendAsync(message);
        await client.DisconnectAsync(quit: true);
    }

    private static MimeMessage Message()
    {
        var message = new MimeMessage();
        message.To.Add(new MailboxAddress("Recipient", "someone@example.org"));
        message.Subject = "Your invoice";
        message.Body = new TextPart("plain") { Text = string.Concat(Enumerable.Repeat("A line of an ordinary business message.\n", 25)) };
        return message;
    }
}
