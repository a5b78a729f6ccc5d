using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace MailServerAdmin.Tests.Hosting;

/// <summary>
/// The published shape of the app: <c>dotnet MailServerAdmin.Web.dll [migrate]</c> in a process of its own, from the web
/// project's build output, configured only through environment variables, as a service manager starts it.
/// </summary>
public sealed partial class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppProcess(Process process) => _process = process;

    /// <summary>Everything the process wrote to stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The web project's build output beside this test project's (same configuration and framework).</summary>
    public static string WebDirectory { get; } = FindWebDirectory();

    /// <summary>Starts the app with <paramref name="environment"/> (and plain-HTTP Kestrel on a free port of 127.0.0.1).</summary>
    public static AppProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = WebDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(WebDirectory, "MailServerAdmin.Web.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Only what the test gives: no settings of the test run leak into the app (the variables it sets win anyway).
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.Contains("__", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var app = new AppProcess(process);
        process.OutputDataReceived += (_, e) => app.Received(e.Data);
        process.ErrorDataReceived += (_, e) => app.Received(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return app;
    }

    /// <summary>Runs the app until it exits by itself; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The app did not exit. Its output:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>The address Kestrel listens on, once it does; fails if the app exits first.</summary>
    public async Task<Uri> ListeningAsync(TimeSpan? timeout = null)
    {
        var exited = _process.WaitForExitAsync();
        var done = await Task.WhenAny(_listening.Task, exited, Task.Delay(timeout ?? TimeSpan.FromMinutes(2)));
        if (done == _listening.Task)
        {
            return await _listening.Task;
        }

        throw new InvalidOperationException($"The app is not listening ({(done == exited ? $"it exited with {_process.ExitCode}" : "timed out")}). Its output:\n{Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Received(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (ListeningOn().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    private static string FindWebDirectory()
    {
        // tests/MailServerAdmin.Tests/bin/<Configuration>/<framework>/
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = here.Name;
        var configuration = here.Parent!.Name;
        for (var directory = here; directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "MailServerAdmin.sln")))
            {
                var web = Path.Combine(directory.FullName, "src", "MailServerAdmin.Web", "bin", configuration, framework);
                return File.Exists(Path.Combine(web, "MailServerAdmin.Web.dll"))
                    ? web
                    : throw new InvalidOperationException($"The web app is not built at {web}.");
            }
        }

        throw new InvalidOperationException("The repository root (MailServerAdmin.sln) was not found above the test binaries.");
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningOn();
}
