using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using MimeKit;

namespace MailServerAdmin.Tests.Infrastructure.Smtp;

/// <summary>How the peer protects its port.</summary>
public enum SmtpPeerTls
{
    /// <summary>Plain SMTP, no STARTTLS offered.</summary>
    None,

    /// <summary>Plain SMTP that offers STARTTLS.</summary>
    StartTls,

    /// <summary>TLS from the first byte (SSL on connect, as on port 465).</summary>
    Implicit,
}

/// <summary>What the peer offers and how it behaves; fixed for the life of one peer.</summary>
public sealed class SmtpTestPeerOptions
{
    public SmtpPeerTls Tls { get; init; }

    /// <summary>The port to listen on; 0 picks a free one (a peer started again on a port it had gets a new certificate).</summary>
    public int Port { get; init; }

    /// <summary>Refuse everything but EHLO/NOOP/QUIT/STARTTLS with 530 until STARTTLS.</summary>
    public bool RequireStartTls { get; init; }

    /// <summary>Offer and allow AUTH only after STARTTLS (538 before). Only with <see cref="SmtpPeerTls.StartTls"/>.</summary>
    public bool AuthRequiresTls { get; init; }

    /// <summary>Refuse MAIL/RCPT/DATA with 530 until AUTH has succeeded.</summary>
    public bool RequireAuth { get; init; }

    /// <summary>Mechanisms in the EHLO AUTH line: any of PLAIN, LOGIN, XOAUTH2; empty for no AUTH at all.</summary>
    public IReadOnlyList<string> Mechanisms { get; init; } = ["PLAIN", "LOGIN", "XOAUTH2"];

    /// <summary>
    /// Reply sent when AUTH fails, one entry per line (continuation dashes are fixed up), e.g.
    /// <c>535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant.</c>
    /// Empty: aiosmtpd's <c>535 5.7.8 Authentication credentials invalid</c>.
    /// </summary>
    public IReadOnlyList<string> AuthFailReply { get; init; } = [];

    /// <summary>Addresses whose RCPT TO is answered with <c>550 5.1.1 ...</c>.</summary>
    public IReadOnlyList<string> RejectRecipients { get; init; } = [];

    /// <summary>Addresses whose MAIL FROM is answered with <see cref="RejectSenderReply"/>.</summary>
    public IReadOnlyList<string> RejectSenders { get; init; } = [];

    /// <summary>The reply to a MAIL FROM of <see cref="RejectSenders"/>; null: Exchange Online's SendAs refusal.</summary>
    public string? RejectSenderReply { get; init; }

    /// <summary>Offer SMTPUTF8.</summary>
    public bool SmtpUtf8 { get; init; }

    /// <summary>Accept TCP connections but never send the 220 greeting.</summary>
    public bool HangAfterConnect { get; init; }

    /// <summary>How long to wait for the peer to listen.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(15);
}

/// <summary>One line of the peer's event log (see smtp_peer.py for the kinds and their fields).</summary>
public sealed record SmtpPeerEvent(long Sequence, DateTimeOffset Time, int Connection, string Kind, JsonElement Data)
{
    public string? GetString(string name) =>
        Data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public bool GetBoolean(string name) =>
        Data.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;
}

/// <summary>
/// One AUTH attempt as the peer decoded it. <see cref="User"/> is the login (PLAIN, LOGIN) or the
/// <c>user=</c> part (XOAUTH2); <see cref="Secret"/> is the password or the bearer token.
/// </summary>
public sealed record SmtpPeerAuthAttempt(
    int Connection, string Mechanism, string? User, string? Secret, bool Success, string? SaslString);

/// <summary>One AUTH command line the client sent, with its mechanism (whatever the peer made of it).</summary>
public sealed record SmtpPeerAuthCommand(int Connection, string Mechanism);

/// <summary>One RCPT TO and whether the peer accepted it.</summary>
public sealed record SmtpPeerRecipient(string Address, bool Accepted);

/// <summary>One MAIL FROM with its RCPT TOs, whether or not DATA followed.</summary>
public sealed record SmtpPeerEnvelope(
    int Connection, string MailFrom, IReadOnlyList<SmtpPeerRecipient> Recipients, bool HasData);

/// <summary>A message the peer accepted after DATA, byte for byte (dot-stuffing removed).</summary>
public sealed class SmtpPeerMessage
{
    internal SmtpPeerMessage(int connection, string mailFrom, IReadOnlyList<string> rcptTos, byte[] data)
    {
        Connection = connection;
        MailFrom = mailFrom;
        RcptTos = rcptTos;
        Data = data;
    }

    public int Connection { get; }

    public string MailFrom { get; }

    public IReadOnlyList<string> RcptTos { get; }

    public ReadOnlyMemory<byte> Data { get; }

    public string DataText => Encoding.UTF8.GetString(Data.Span);

    public MimeMessage ToMimeMessage()
    {
        using var stream = new MemoryStream(Data.ToArray(), writable: false);
        return MimeMessage.Load(stream);
    }
}

/// <summary>
/// A real SMTP server on 127.0.0.1 (smtp_peer.py on Python's aiosmtpd) that records the whole
/// conversation: AUTH attempts with the decoded credentials, MAIL FROM, RCPT TO, DATA, and every line
/// either side sent. Needs <c>/usr/bin/python3</c> with aiosmtpd (<c>apt-get install -y python3-aiosmtpd</c>);
/// the SMTP_PEER_PYTHON environment variable points at another interpreter. smtp_peer.py is embedded in
/// this assembly and written to a temporary folder for each peer.
/// </summary>
public sealed class SmtpTestPeer : IAsyncDisposable
{
    public const string PythonEnvironmentVariable = "SMTP_PEER_PYTHON";

    /// <summary>The name of smtp_peer.py among this assembly's resources (see the project file).</summary>
    public const string ScriptResourceName = "smtp_peer.py";

    public const string InstallCommand = "apt-get install -y python3-aiosmtpd";

    private const string DefaultPython = "/usr/bin/python3";

    private static readonly Lazy<string?> AvailabilityProblem = new(() => FindAvailabilityProblem(PythonPath));

    private readonly Process _process;
    private readonly string _directory;
    private readonly string _credentialsPath;
    private readonly StringBuilder _stderr;
    private readonly Lock _gate = new();
    private readonly List<(string Login, string Password)> _basic = [];
    private readonly List<(string User, string Token)> _xoauth2 = [];
    private List<string> _authFailReply = [];
    private IReadOnlyList<SmtpPeerEvent>? _finalEvents;
    private int? _exitCode;
    private bool _disposed;

    private SmtpTestPeer(
        Process process, string directory, string credentialsPath, string logPath, StringBuilder stderr,
        X509Certificate2 certificate, SmtpTestPeerOptions options)
    {
        _process = process;
        _directory = directory;
        _credentialsPath = credentialsPath;
        _stderr = stderr;
        LogPath = logPath;
        Certificate = certificate;
        Options = options;
    }

    /// <summary>
    /// True when the interpreter can import aiosmtpd, and always where CI runs (<see cref="SkipReasonFor"/>): there the
    /// SMTP tests are never skipped, and a missing aiosmtpd fails them (<see cref="StartAsync"/> throws
    /// <see cref="UnavailableReason"/>, which names the install command).
    /// </summary>
    public static bool IsAvailable => SkipReason is null;

    /// <summary>Why the peer cannot run here (null when it can), with the install command.</summary>
    public static string? UnavailableReason => AvailabilityProblem.Value;

    /// <summary>The reason to skip a test that needs the peer, or null to run it (and let it fail if the peer cannot run).</summary>
    public static string? SkipReason => SkipReasonFor(UnavailableReason, Environment.GetEnvironmentVariable("CI"));

    /// <summary>
    /// A test that needs the peer is skipped for <paramref name="problem"/>, except where the CI variable is set to
    /// anything but empty, <c>false</c> or <c>0</c>: CI must run every SMTP test, so there it fails instead.
    /// </summary>
    public static string? SkipReasonFor(string? problem, string? ci)
    {
        var underCi = !string.IsNullOrWhiteSpace(ci)
            && !ci.Trim().Equals("false", StringComparison.OrdinalIgnoreCase)
            && ci.Trim() != "0";
        return underCi ? null : problem;
    }

    public static string PythonPath =>
        Environment.GetEnvironmentVariable(PythonEnvironmentVariable) is { Length: > 0 } path ? path : DefaultPython;

    public string Host { get; } = "127.0.0.1";

    public int Port { get; private set; }

    public int ProcessId { get; private set; }

    /// <summary>The peer process's exit code once it has exited (0 after a clean stop), otherwise null.</summary>
    public int? ExitCode => _exitCode ?? (!_disposed && _process.HasExited ? _process.ExitCode : null);

    public SmtpTestPeerOptions Options { get; }

    /// <summary>The peer's self-signed certificate (CN=localhost, SAN 127.0.0.1 and localhost), public part only.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The JSON-lines event log the peer writes.</summary>
    public string LogPath { get; }

    /// <summary>What the peer wrote on stderr so far (tracebacks, TLS handshake errors).</summary>
    public string StandardError
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static async Task<SmtpTestPeer> StartAsync(
        SmtpTestPeerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new SmtpTestPeerOptions();
        if (UnavailableReason is { } problem)
        {
            // Where CI is set, the tests that need the peer run anyway and fail here, with the install command.
            throw new InvalidOperationException(
                SkipReason is null ? $"CI is set, so this test fails instead of being skipped. {problem}" : problem);
        }

        var directory = Directory.CreateTempSubdirectory("smtp-peer-").FullName;
        var scriptPath = Path.Combine(directory, "smtp_peer.py");
        var certPath = Path.Combine(directory, "cert.pem");
        var keyPath = Path.Combine(directory, "key.pem");
        var credentialsPath = Path.Combine(directory, "credentials.json");
        var logPath = Path.Combine(directory, "events.jsonl");

        await using (var source = ScriptStream())
        await using (var script = File.Create(scriptPath))
        {
            await source.CopyToAsync(script, cancellationToken);
        }

        var certificate = CreateCertificate(certPath, keyPath);
        await File.WriteAllTextAsync(credentialsPath, "{}", cancellationToken);

        var start = new ProcessStartInfo(PythonPath)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = directory,
        };
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        start.Environment["PYTHONUNBUFFERED"] = "1";
        foreach (var argument in BuildArguments(options, scriptPath, certPath, keyPath, credentialsPath, logPath))
        {
            start.ArgumentList.Add(argument);
        }

        var stderr = new StringBuilder();
        var process = new Process { StartInfo = start };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        process.Start();
        process.BeginErrorReadLine();

        var peer = new SmtpTestPeer(process, directory, credentialsPath, logPath, stderr, certificate, options)
        {
            ProcessId = process.Id,
        };
        try
        {
            peer.Port = await ReadPortAsync(process, options.StartTimeout, cancellationToken);
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }

        return peer;
    }

    /// <summary>Accept PLAIN/LOGIN with this login and password from now on (read by the peer on every AUTH).</summary>
    public void AcceptBasic(string login, string password)
    {
        lock (_gate)
        {
            _basic.Add((login, password));
            WriteCredentials();
        }
    }

    /// <summary>Accept XOAUTH2 with this user and bearer token from now on (read by the peer on every AUTH).</summary>
    public void AcceptXOAuth2(string user, string token)
    {
        lock (_gate)
        {
            _xoauth2.Add((user, token));
            WriteCredentials();
        }
    }

    /// <summary>Accept no credentials at all from now on.</summary>
    public void ClearAcceptedCredentials()
    {
        lock (_gate)
        {
            _basic.Clear();
            _xoauth2.Clear();
            WriteCredentials();
        }
    }

    /// <summary>Change the AUTH failure reply from now on; no lines puts back the one from the options.</summary>
    public void SetAuthFailReply(params string[] lines)
    {
        lock (_gate)
        {
            _authFailReply = [.. lines];
            WriteCredentials();
        }
    }

    /// <summary>Checks that a server certificate is this peer's, byte for byte.</summary>
    public bool IsPeerCertificate(X509Certificate? certificate) =>
        certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(Certificate.RawData);

    /// <summary>
    /// For <c>SmtpClient.ServerCertificateValidationCallback</c>: trusts this peer's certificate and nothing
    /// else, whatever the chain says (it is self-signed).
    /// </summary>
    public bool ValidateServerCertificate(
        object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors sslPolicyErrors) =>
        IsPeerCertificate(certificate);

    /// <summary>Everything the peer recorded so far, in order.</summary>
    public IReadOnlyList<SmtpPeerEvent> Events => _finalEvents ?? ReadEvents(LogPath);

    public IReadOnlyList<SmtpPeerAuthAttempt> AuthAttempts =>
        [.. Events.Where(e => e.Kind == "auth").Select(e => new SmtpPeerAuthAttempt(
            e.Connection,
            e.GetString("mechanism") ?? "",
            e.GetString("login") ?? e.GetString("user"),
            e.GetString("password") ?? e.GetString("token"),
            e.GetBoolean("success"),
            e.GetString("sasl")))];

    /// <summary>
    /// Every AUTH command the client sent, as it arrived on the wire: each one counts against a server's lockout,
    /// whether or not the peer got as far as checking the credentials (SASL continuation lines are not commands).
    /// </summary>
    public IReadOnlyList<SmtpPeerAuthCommand> AuthCommands =>
        [.. Events
            .Where(e => e.Kind == "client")
            .Select(e => (e.Connection, Words: (e.GetString("line") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            .Where(c => c.Words.Length > 0 && c.Words[0].Equals("AUTH", StringComparison.OrdinalIgnoreCase))
            .Select(c => new SmtpPeerAuthCommand(c.Connection, c.Words.Length > 1 ? c.Words[1].ToUpperInvariant() : ""))];

    public IReadOnlyList<SmtpPeerMessage> Messages =>
        [.. Events.Where(e => e.Kind == "data").Select(e => new SmtpPeerMessage(
            e.Connection,
            e.GetString("mail_from") ?? "",
            [.. e.Data.GetProperty("rcpt_tos").EnumerateArray().Select(a => a.GetString() ?? "")],
            Convert.FromBase64String(e.GetString("data_b64") ?? "")))];

    /// <summary>
    /// Every accepted MAIL FROM with the RCPT TOs that followed it, including those never followed by DATA
    /// (a refused MAIL FROM opens no envelope).
    /// </summary>
    public IReadOnlyList<SmtpPeerEnvelope> Envelopes
    {
        get
        {
            var done = new List<SmtpPeerEnvelope>();
            var open = new Dictionary<int, (string From, List<SmtpPeerRecipient> To)>();
            void Close(int connection, bool hasData)
            {
                if (open.Remove(connection, out var envelope))
                {
                    done.Add(new SmtpPeerEnvelope(connection, envelope.From, envelope.To, hasData));
                }
            }

            foreach (var e in Events)
            {
                switch (e.Kind)
                {
                    case "mail_from" when e.GetBoolean("accepted"):
                        Close(e.Connection, hasData: false);
                        open[e.Connection] = (e.GetString("address") ?? "", []);
                        break;
                    case "mail_from":
                        Close(e.Connection, hasData: false);
                        break;
                    case "rcpt_to" when open.TryGetValue(e.Connection, out var envelope):
                        envelope.To.Add(new SmtpPeerRecipient(e.GetString("address") ?? "", e.GetBoolean("accepted")));
                        break;
                    case "data":
                        Close(e.Connection, hasData: true);
                        break;
                    case "rset" or "ehlo" or "helo" or "quit" or "disconnect":
                        Close(e.Connection, hasData: false);
                        break;
                }
            }

            foreach (var connection in open.Keys.ToList())
            {
                Close(connection, hasData: false);
            }

            return done;
        }
    }

    /// <summary>
    /// The conversation as text, one line per SMTP line: <c>[conn] C: ...</c> from the client, <c>[conn] S: ...</c>
    /// from the peer (message bodies are left out). Credentials appear as sent (base64 on the wire).
    /// </summary>
    public string Transcript
    {
        get
        {
            var text = new StringBuilder();
            foreach (var e in Events)
            {
                var line = e.Kind switch
                {
                    "connect" => e.GetBoolean("tls") ? "-- connected (TLS)" : "-- connected",
                    "tls" => "-- TLS started",
                    "client" => "C: " + e.GetString("line"),
                    "server" => "S: " + e.GetString("line")?.Replace("\r\n", "\n", StringComparison.Ordinal)
                        .Replace("\n", "\n   ", StringComparison.Ordinal),
                    "data" => string.Create(CultureInfo.InvariantCulture, $"-- message of {e.Data.GetProperty("size").GetInt64()} bytes"),
                    "disconnect" => "-- disconnected",
                    _ => null,
                };
                if (line is not null)
                {
                    text.Append(CultureInfo.InvariantCulture, $"[{e.Connection}] {line}\n");
                }
            }

            return text.ToString();
        }
    }

    /// <summary>Polls the event log until the condition holds (for things recorded after the client returned).</summary>
    public async Task WaitForAsync(
        Func<IReadOnlyList<SmtpPeerEvent>, bool> condition, TimeSpan? timeout = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var stopwatch = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(5);
        while (!condition(Events))
        {
            if (stopwatch.Elapsed > limit)
            {
                throw new TimeoutException($"SMTP peer: condition not met within {limit}. Transcript:\n{Transcript}");
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            if (!_process.HasExited)
            {
                // The peer runs with --exit-on-stdin-eof: closing stdin is a clean stop.
                _process.StandardInput.Close();
                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                try
                {
                    await _process.WaitForExitAsync(wait.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync();
                }
            }
        }
        finally
        {
            _exitCode = _process.HasExited ? _process.ExitCode : null;
            _finalEvents = File.Exists(LogPath) ? ReadEvents(LogPath) : [];
            _process.Dispose();
            Certificate.Dispose();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private static List<string> BuildArguments(
        SmtpTestPeerOptions options, string scriptPath, string certPath, string keyPath, string credentialsPath,
        string logPath)
    {
        var arguments = new List<string>
        {
            scriptPath,
            "--host", "127.0.0.1",
            "--port", options.Port.ToString(CultureInfo.InvariantCulture),
            "--log", logPath,
            "--credentials-file", credentialsPath,
            "--exit-on-stdin-eof",
            "--tls", options.Tls switch
            {
                SmtpPeerTls.StartTls => "starttls",
                SmtpPeerTls.Implicit => "implicit",
                _ => "none",
            },
            "--cert", certPath,
            "--key", keyPath,
            "--auth", options.Mechanisms.Count == 0 ? "none" : string.Join(',', options.Mechanisms),
        };
        if (options.RequireStartTls)
        {
            arguments.Add("--require-starttls");
        }

        if (options.AuthRequiresTls)
        {
            arguments.Add("--auth-require-tls");
        }

        if (options.RequireAuth)
        {
            arguments.Add("--require-auth");
        }

        if (options.SmtpUtf8)
        {
            arguments.Add("--smtputf8");
        }

        if (options.HangAfterConnect)
        {
            arguments.Add("--hang-after-connect");
        }

        foreach (var line in options.AuthFailReply)
        {
            arguments.Add("--auth-fail-reply");
            arguments.Add(line);
        }

        foreach (var address in options.RejectRecipients)
        {
            arguments.Add("--reject-rcpt");
            arguments.Add(address);
        }

        foreach (var address in options.RejectSenders)
        {
            arguments.Add("--reject-sender");
            arguments.Add(address);
        }

        if (options.RejectSenderReply is { } reply)
        {
            arguments.Add("--reject-sender-reply");
            arguments.Add(reply);
        }

        return arguments;
    }

    private static async Task<int> ReadPortAsync(Process process, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(limit.Token) is { } line)
            {
                if (line.StartsWith('{'))
                {
                    using var ready = JsonDocument.Parse(line);
                    if (ready.RootElement.TryGetProperty("port", out var port))
                    {
                        return port.GetInt32();
                    }
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"SMTP peer did not report its port within {timeout}.");
        }

        await process.WaitForExitAsync(cancellationToken);
        throw new InvalidOperationException(
            $"SMTP peer exited with code {process.ExitCode} before listening. Its stderr is in StandardError.");
    }

    private static List<SmtpPeerEvent> ReadEvents(string path)
    {
        string text;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        using (var reader = new StreamReader(stream, Encoding.UTF8))
        {
            text = reader.ReadToEnd();
        }

        var events = new List<SmtpPeerEvent>();
        var end = text.LastIndexOf('\n');
        foreach (var line in text[..(end + 1)].Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var document = JsonDocument.Parse(line);
            var root = document.RootElement;
            events.Add(new SmtpPeerEvent(
                root.GetProperty("seq").GetInt64(),
                DateTimeOffset.FromUnixTimeMilliseconds((long)(root.GetProperty("ts").GetDouble() * 1000)),
                root.GetProperty("conn").GetInt32(),
                root.GetProperty("event").GetString() ?? "",
                root.Clone()));
        }

        return events;
    }

    private void WriteCredentials()
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["basic"] = _basic.Select(c => new Dictionary<string, string> { ["login"] = c.Login, ["password"] = c.Password }),
            ["xoauth2"] = _xoauth2.Select(c => new Dictionary<string, string> { ["user"] = c.User, ["token"] = c.Token }),
            ["auth_fail_reply"] = _authFailReply,
        });
        var temporary = _credentialsPath + ".tmp";
        File.WriteAllText(temporary, json);
        File.Move(temporary, _credentialsPath, overwrite: true);
    }

    private static X509Certificate2 CreateCertificate(string certPath, string keyPath)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(
            new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], false));
        var now = DateTimeOffset.UtcNow;
        using var withKey = request.CreateSelfSigned(now.AddDays(-1), now.AddDays(30));
        File.WriteAllText(certPath, withKey.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return X509CertificateLoader.LoadCertificate(withKey.RawData);
    }

    /// <summary>smtp_peer.py as this assembly carries it.</summary>
    public static Stream ScriptStream() =>
        typeof(SmtpTestPeer).Assembly.GetManifestResourceStream(ScriptResourceName)
        ?? throw new InvalidOperationException($"The resource {ScriptResourceName} is missing from {typeof(SmtpTestPeer).Assembly.GetName().Name}.");

    /// <summary>Why <paramref name="python"/> cannot run the peer (null when it can), with the install command.</summary>
    public static string? FindAvailabilityProblem(string python)
    {
        var hint = $"SMTP test peer unavailable: '{python}' cannot import aiosmtpd. " +
            $"Install it with '{InstallCommand}', or set {PythonEnvironmentVariable} " +
            "to a Python 3 that has aiosmtpd.";
        try
        {
            using var process = Process.Start(new ProcessStartInfo(python)
            {
                ArgumentList = { "-c", "import ssl, aiosmtpd.smtp" },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return hint;
            }

            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
            {
                process.Kill(entireProcessTree: true);
                return hint + " (the import check timed out)";
            }

            return process.ExitCode == 0 ? null : $"{hint} ({stderr.Result.Trim().Split('\n')[^1]})";
        }
        catch (Win32Exception error)
        {
            return $"{hint} ({error.Message})";
        }
    }
}
