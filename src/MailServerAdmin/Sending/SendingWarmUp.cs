using System.Diagnostics;
using MailKit;
using MailServerAdmin.Data;
using Microsoft.Extensions.Options;
using MimeKit;

namespace MailServerAdmin.Sending;

/// <summary>
/// At start, does once what the first send would otherwise do on the caller's time, without connecting anywhere and
/// without sending: builds the EF model, compiles and runs the sending path's queries and reads the default server into
/// <see cref="SendingTargets"/> (which loads the Data Protection key ring and decrypts its credential, as the first send
/// would), and runs MimeKit's and MailKit's code for a message written to <see cref="Stream.Null"/>. Awaited by the host's
/// start, within a few seconds; a fault (a database that cannot be read, no default server) is logged and the app starts
/// all the same.
/// </summary>
public sealed partial class SendingWarmUp(
    IServiceScopeFactory scopes, SendingTargets targets, IOptions<SendingWarmUpOptions> options, ILogger<SendingWarmUp> logger) : IHostedLifecycleService, IDisposable
{
    /// <summary>The warm-up gives up after this long; the first send then does the rest.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    private readonly CancellationTokenSource _stopping = new();
    private Task _background = Task.CompletedTask;
    private bool _disposed;

    public Task StartAsync(CancellationToken cancellationToken) =>
        options.Value.AfterStart ? Task.CompletedTask : WarmUpAsync(cancellationToken);

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (options.Value.AfterStart && !_disposed)
        {
            // Once the app answers: nothing of it waits for the warm-up.
            var stopping = _stopping.Token;
            _background = Task.Run(() => WarmUpAsync(stopping), CancellationToken.None);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // A host may be stopped after its services were disposed (a test host's second stop): nothing is left to stop.
        if (!_disposed)
        {
            await _stopping.CancelAsync();
        }

        await _background;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        _disposed = true;
        _stopping.Dispose();
    }

    private async Task WarmUpAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(Limit);
        try
        {
            WarmMessageWriting();
            await using (var scope = scopes.CreateAsyncScope())
            {
                await targets.WarmUpAsync(scope.ServiceProvider.GetRequiredService<AppDbContext>(), limit.Token);
            }

            LogWarmedUp(logger, clock.ElapsedMilliseconds);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Never a reason not to start: the first send does the same work and reports its own problems.
            LogWarmUpFailed(logger, ex.GetType().Name, ex.Message);
        }
    }

    /// <summary>A message as the application sends one, written as SMTP writes it, to nowhere; a client that never connects.</summary>
    private static void WarmMessageWriting()
    {
        var message = new MimeMessage
        {
            From = { new MailboxAddress("Warm-up", "warm-up@example.invalid") },
            To = { MailboxAddress.Parse("recipient@example.invalid") },
            Subject = "Warm-up",
            Body = new TextPart("plain") { Text = "Warm-up.\n" },
        };
        var options = FormatOptions.Default.Clone();
        options.NewLineFormat = NewLineFormat.Dos;
        options.EnsureNewLine = true;
        message.Prepare(EncodingConstraint.SevenBit);
        message.WriteTo(options, Stream.Null);
        using var log = new MemoryStream();
        using var protocolLogger = new ProtocolLogger(log, leaveOpen: true) { RedactSecrets = true };
        using var client = new SmtpSessionClient(protocolLogger);
        _ = SmtpTranscript.LeaveOutMessageContent(SmtpTranscript.FirstReply("S: 220 warm-up\r\nC: EHLO warm-up\r\n")?.ToString() ?? "");
        _ = SecretScrubber.For(new BasicCredential("warm-up", "warm-up")).Scrub("warm-up");
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sending warmed up in {ElapsedMs} ms")]
    private static partial void LogWarmedUp(ILogger logger, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending could not be warmed up at start ({Error}: {Reason}); the first send does it instead")]
    private static partial void LogWarmUpFailed(ILogger logger, string error, string reason);
}

/// <summary>When the sending warm-up runs.</summary>
public sealed class SendingWarmUpOptions
{
    /// <summary>
    /// False (the default): awaited by the host's start, so that an application's first send after start finds it done.
    /// True: in the background once the app has started, for an app whose first answers do not send (the admin app).
    /// </summary>
    public bool AfterStart { get; set; }
}
