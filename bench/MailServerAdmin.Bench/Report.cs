using System.Globalization;

namespace MailServerAdmin.Bench;

/// <summary>Prints the table of issue 14 from the figures bench/run.sh collected (key=value lines).</summary>
internal static class Report
{
    public static int Run(string[] args)
    {
        var figures = File.ReadLines(args[0])
            .Select(l => l.Split('=', 2))
            .Where(p => p.Length == 2)
            .GroupBy(p => p[0])
            .ToDictionary(g => g.Key, g => g.Last()[1]);
        double? N(string key) => figures.TryGetValue(key, out var v) && double.TryParse(v, CultureInfo.InvariantCulture, out var d) ? d : null;
        string F(double? v, string format) => v is { } d ? d.ToString(format, CultureInfo.InvariantCulture) : "—";
        string Rps(string key) => N(key) is { } v ? $"{F(v, "N0")} req/s (p50 {F(N(key + "_p50"), "F1")} ms, {F(N(key + "_kb"), "F0")} KB)" : "—";
        double? Ratio(string a, string b) => N(a) is { } x && N(b) is { } y && y > 0 ? x / y : null;

        // "Same as": the page's own throughput against the other page's, in the same app on the same data.
        bool SameAs(string key, string other) => N(key) is { } a && N(other) is { } b && a >= b * 0.85;
        var rows = new List<string[]>
        {
            Page("list page 1, 100 servers", "list_100", "floor_100", "≥ 0.40×", r => r >= 0.40),
            Page("list page 1, 10,000 servers", "list_10k", "floor_10k", "≥ 0.40×", r => r >= 0.40),
            Page("list page 1, 100,000 servers", "list_100k", "floor_100k_a", "≥ 0.40×, same req/s as at 100", r => r >= 0.40 && SameAs("list_100k", "list_100")),
            Page("page 2,000 of 100,000", "deep_100k", "floor_100k_b", "same req/s as page 1", _ => SameAs("deep_100k", "list_100k")),
            Page("search matching 3 of 100,000", "search_100k", "floor_100k_c", "≥ 0.30×", r => r >= 0.30),
            Page("list at 100,000 when the default is the last row", "deflast_100k", "floor_100k_d", "same req/s as page 1", _ => SameAs("deflast_100k", "list_100k")),
            Pair("send through the default server (zero-latency peer)",
                $"{F(N("send_app_ms"), "F2")} ms/msg, {F(N("send_app_alloc_kb"), "F0")} KB allocated",
                $"{F(N("send_bare_ms"), "F2")} ms, {F(N("send_bare_alloc_kb"), "F0")} KB bare MailKit",
                Ratio("send_app_ms", "send_bare_ms"), "≤ 1.10×", r => r <= 1.10, $" ({F(Ratio("send_app_alloc_kb", "send_bare_alloc_kb"), "F1")}× allocation)"),
            Pair("first send after start", $"{F(N("first_send_app_ms"), "N0")} ms (host start before it: {F(N("first_send_start_ms"), "N0")} ms)",
                $"{F(N("first_send_bare_ms"), "N0")} ms bare MailKit",
                Ratio("first_send_app_ms", "first_send_bare_ms"), "≤ 1.5×", r => r <= 1.5),
            Pair("cold start to first answer (existing data)", $"{F(N("start_app_ms"), "N0")} ms", $"{F(N("start_empty_ms"), "N0")} ms empty webapp",
                Ratio("start_app_ms", "start_empty_ms"), "≤ 1.3×", r => r <= 1.3),
            new[]
            {
                "peak memory (VmHWM) under list load",
                $"{F(N("vmhwm_app_kb") / 1024, "F0")} MB",
                $"{F(N("vmhwm_empty_kb") / 1024, "F0")} MB empty webapp idle",
                "—",
                "≤ 150 MB",
                Verdict(N("vmhwm_app_kb") / 1024, mb => mb <= 150),
            },
        };

        Console.WriteLine("| what | measured | floor / baseline | ratio | target | |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            Console.WriteLine("| " + string.Join(" | ", row) + " |");
        }

        Console.WriteLine();
        Console.WriteLine("| GC and ReadyToRun | cold start | list at 100,000 | peak memory under list load |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var (name, what) in new[]
        {
            ("published", "as published: server GC (DATAS), ReadyToRun"),
            ("workstation-gc", "workstation GC, not concurrent"),
            ("jit-only", "ReadyToRun code ignored (JIT only)"),
        })
        {
            Console.WriteLine($"| {what} | {F(N($"choice_{name}_start_ms"), "N0")} ms | {F(N($"choice_{name}"), "N0")} req/s | {F(N($"choice_{name}_vmhwm_kb") / 1024, "F0")} MB |");
        }

        foreach (var (key, value) in figures.Where(f => f.Key.StartsWith("note", StringComparison.Ordinal)))
        {
            Console.WriteLine($"{key}: {value}");
        }

        return 0;

        string[] Page(string what, string key, string floor, string target, Func<double, bool> met)
        {
            var ratio = Ratio(key, floor);
            return [what, Rps(key), $"{F(N(floor), "N0")} req/s", ratio is null ? "—" : string.Create(CultureInfo.InvariantCulture, $"{ratio:F2}×"), target, Verdict(ratio, met)];
        }

        string[] Pair(string what, string measured, string baseline, double? ratio, string target, Func<double, bool> met, string extra = "") =>
            [what, measured, baseline, ratio is null ? "—" : string.Create(CultureInfo.InvariantCulture, $"{ratio:F2}×{extra}"), target, Verdict(ratio, met)];
    }

    private static string Verdict(double? value, Func<double, bool> met) => value is null ? "—" : met(value.Value) ? "met" : "missed";
}
