using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MailServerAdmin.Bench;

/// <summary>
/// A zero-latency SMTP server on 127.0.0.1 that accepts every message (EHLO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP,
/// QUIT, with PIPELINING): the same peer for the library and for bare MailKit, so that only the clients differ.
/// </summary>
internal sealed class SmtpPeer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public SmtpPeer(int port)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Messages => _messages;

    private int _messages;

    public static int PrintFreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        Console.WriteLine(((IPEndPoint)listener.LocalEndpoint).Port);
        listener.Stop();
        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        client.NoDelay = true;
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.Latin1, false, 8192, leaveOpen: true);
        await using var writer = new StreamWriter(stream, Encoding.Latin1, 4096, leaveOpen: true) { NewLine = "\r\n", AutoFlush = false };
        try
        {
            await ReplyAsync(writer, "220 bench.example ESMTP ready");
            while (await reader.ReadLineAsync() is { } line)
            {
                var verb = (line.Length >= 4 ? line[..4] : line).ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await ReplyAsync(writer, "250-bench.example\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SIZE 10485760\r\n250 AUTH PLAIN");
                        break;
                    case "HELO":
                        await ReplyAsync(writer, "250 bench.example");
                        break;
                    case "AUTH":
                        await ReplyAsync(writer, "235 2.7.0 Authentication successful");
                        break;
                    case "DATA":
                        await ReplyAsync(writer, "354 End data with <CR><LF>.<CR><LF>");
                        while (await reader.ReadLineAsync() is { } data && data != ".")
                        {
                        }

                        var id = Interlocked.Increment(ref _messages);
                        await ReplyAsync(writer, string.Create(CultureInfo.InvariantCulture, $"250 2.0.0 Ok: queued as {id}"));
                        break;
                    case "QUIT":
                        await ReplyAsync(writer, "221 2.0.0 Bye");
                        return;
                    default:
                        await ReplyAsync(writer, "250 2.0.0 Ok");
                        break;
                }
            }
        }
        catch (IOException)
        {
            // The client went away.
        }
    }

    private static async Task ReplyAsync(StreamWriter writer, string reply)
    {
        await writer.WriteLineAsync(reply);
        await writer.FlushAsync();
    }
}
