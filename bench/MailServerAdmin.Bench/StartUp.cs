using System.Diagnostics;
using System.Globalization;

namespace MailServerAdmin.Bench;

/// <summary>
/// Cold start: the time from starting a published app to its first 200 answer, and the peak memory (VmHWM) a second
/// after that answer. One extra first run warms the disk cache and is not counted.
/// </summary>
internal static class StartUp
{
    public static async Task<int> RunAsync(string[] args)
    {
        var runs = int.Parse(args[0], CultureInfo.InvariantCulture);
        var url = new Uri(args[1]);
        var cookie = args[2] == "-" ? null : args[2];
        var certificate = args[3];
        var workdir = args[4];
        var command = args[5..];
        var times = new List<double>();
        var peaks = new List<long>();
        for (var run = 0; run <= runs; run++)
        {
            var (ms, peak) = await OnceAsync(url, cookie, certificate, workdir, command);
            if (run > 0)
            {
                times.Add(ms);
                peaks.Add(peak);
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"start_ms={Median(times):F0} vmhwm_kb={Median(peaks.Select(p => (double)p).ToList()):F0} runs_ms={string.Join(',', times.Select(t => t.ToString("F0", CultureInfo.InvariantCulture)))}"));
        return 0;
    }

    private static async Task<(double Ms, long PeakKb)> OnceAsync(Uri url, string? cookie, string certificate, string workdir, string[] command)
    {
        using var handler = SignIn.TrustingOnly(certificate);
        handler.AllowAutoRedirect = false;
        handler.UseCookies = false;
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(5) };
        var start = new ProcessStartInfo(command[0])
        {
            WorkingDirectory = workdir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in command[1..])
        {
            start.ArgumentList.Add(arg);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            while (true)
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(60) || process.HasExited)
                {
                    throw new InvalidOperationException($"no answer from {url} (exited: {process.HasExited})");
                }

                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, url);
                    if (cookie is not null)
                    {
                        request.Headers.Add("Cookie", cookie);
                    }

                    using var response = await client.SendAsync(request);
                    if (response.IsSuccessStatusCode)
                    {
                        break;
                    }

                    throw new InvalidOperationException($"{url} answered {(int)response.StatusCode}");
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(5);
                }
            }

            var elapsed = clock.Elapsed.TotalMilliseconds;
            await Task.Delay(1000);
            return (elapsed, PeakKb(process.Id));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>The peak resident set size of a process, in kB.</summary>
    public static long PeakKb(int pid) =>
        File.ReadLines($"/proc/{pid}/status")
            .Where(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture))
            .Single();

    public static double Median(List<double> values)
    {
        values.Sort();
        return values.Count == 0 ? 0 : values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }
}
