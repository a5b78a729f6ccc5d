using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using MailServerAdmin.MailServers;
using MailServerAdmin.Sending;
using MailServerAdmin.Tests.Infrastructure.Smtp;
using MailServerAdmin.Tests.OAuth;

// Token keeping against a provider that rotates refresh tokens strictly and revokes the whole family when a redeemed
// one comes back: refreshes per token lifetime, provider requests per failure, family revocations, failed sends.
// Usage: dotnet run -c Release --project bench/TokenBench [seconds of the two-instance run, default 50]
if (!SmtpTestPeer.IsAvailable)
{
    Console.Error.WriteLine(SmtpTestPeer.UnavailableReason);
    return 1;
}

// The app's content root, as the test project finds it.
for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
{
    if (File.Exists(Path.Combine(directory.FullName, "MailServerAdmin.sln")))
    {
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_MAILSERVERADMIN_WEB", Path.Combine(directory.FullName, "src", "MailServerAdmin.Web"));
        break;
    }
}

var seconds = args.Length > 0 && int.TryParse(args[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var given) ? given : 50;
var results = new List<Result>
{
    await TwoInstancesAsync(TimeSpan.FromSeconds(seconds)),
    await ShortLivedAsync(),
    await HangingAsync(),
    await InvalidGrantAsync(),
    await OutageAsync(),
    await StopDuringRefreshAsync(),
    await AbortDuringRefreshAsync(),
};

Console.WriteLine();
Console.WriteLine("Provider: strict rotation with reuse detection. Refreshes per token lifetime: refreshes ÷ (time ÷ access-token lifetime);");
Console.WriteLine("one refresh per token made at 80 % of its lifetime gives 1.25. Refresh requests include refused and faulted ones.");
Console.WriteLine();
Console.WriteLine("| case | sends | failed sends | refresh requests | refreshes | family revocations | refreshes per token lifetime | provider requests per failed send | notes |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
foreach (var r in results)
{
    Console.WriteLine(string.Create(
        CultureInfo.InvariantCulture,
        $"| {r.Case} | {r.Sends} | {r.FailedSends} | {r.Requests} | {r.Refreshes} | {r.FamilyRevocations} | {Ratio(r.Refreshes, r.Lifetimes)} | {Ratio(r.Requests, r.FailedSends)} | {r.Notes} |"));
}

return 0;

static string Ratio(double count, double per) => per > 0 ? (count / per).ToString("0.###", CultureInfo.InvariantCulture) : "–";

// Two instances on one database, each with two senders, for a sustained period (real time).
static async Task<Result> TwoInstancesAsync(TimeSpan duration)
{
    var lifetime = TimeSpan.FromSeconds(30);
    await using var rig = await TokenRig.StartAsync(lifetime, oauthTimeoutSeconds: 5);
    var name = "Two instances";
    await rig.CreateServerAsync(name);
    var other = rig.StartInstance();
    var sends = 0;
    var failed = new ConcurrentBag<string>();
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(new[] { rig.App, other }.SelectMany(app => Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
    {
        while (clock.Elapsed < duration)
        {
            var result = await TokenRig.SendAsync(app, name);
            Interlocked.Increment(ref sends);
            if (!result.Succeeded)
            {
                failed.Add(result.Failure!.Message);
            }

            await Task.Delay(100);
        }
    }))));
    return Of(rig, $"two instances, 30 s tokens, {duration.TotalSeconds:0} s", sends, failed.Count, clock.Elapsed / lifetime, "real time");
}

// One instance sending continuously for 30 lifetimes of a 60-second token (the shared clock moves 2 s per send).
static async Task<Result> ShortLivedAsync()
{
    var lifetime = TimeSpan.FromSeconds(60);
    await using var rig = await TokenRig.StartAsync(lifetime);
    var name = "Short-lived";
    await rig.CreateServerAsync(name);
    var failed = 0;
    for (var i = 0; i < 900; i++)
    {
        failed += (await rig.SendAsync(name)).Succeeded ? 0 : 1;
        rig.Clock.Advance(TimeSpan.FromSeconds(2));
    }

    return Of(rig, "60 s tokens, 30 min of sends", 900, failed, 30, "simulated clock; refreshed at 80 % of each lifetime");
}

// A token endpoint that hangs, five sends waiting at once, then 20 more during the back-off.
static async Task<Result> HangingAsync()
{
    await using var rig = await TokenRig.StartAsync(TimeSpan.FromSeconds(30), oauthTimeoutSeconds: 2);
    var name = "Hanging";
    await rig.CreateServerAsync(name);
    rig.Clock.Advance(TimeSpan.FromSeconds(31));
    rig.Provider.DelayNextTokenRequest(TimeSpan.FromSeconds(20));
    var clock = Stopwatch.StartNew();
    var first = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => rig.SendAsync(name)));
    var waited = clock.Elapsed;
    var later = new List<SmtpSendResult>();
    for (var i = 0; i < 20; i++)
    {
        later.Add(await rig.SendAsync(name));
    }

    rig.Provider.ClearTokenFaults();
    var failed = first.Concat(later).Count(r => !r.Succeeded);
    return Of(rig, "hanging endpoint, 5 + 20 sends", 25, failed, 0, $"the five finished in {waited.TotalSeconds:0.0} s (time limit 2 s)");
}

// The grant is revoked at the provider; a simulated minute of sends (120).
static async Task<Result> InvalidGrantAsync()
{
    await using var rig = await TokenRig.StartAsync(TimeSpan.FromSeconds(30));
    var name = "Revoked grant";
    var id = await rig.CreateServerAsync(name);
    rig.Provider.Revoke(rig.App.Secret(await rig.StoredAsync(id), SecretField.RefreshToken)!);
    rig.Clock.Advance(TimeSpan.FromSeconds(31));
    var failed = 0;
    for (var i = 0; i < 120; i++)
    {
        failed += (await rig.SendAsync(name)).Succeeded ? 0 : 1;
        rig.Clock.Advance(TimeSpan.FromSeconds(0.5));
    }

    return Of(rig, "invalid_grant, 120 sends in a minute", 120, failed, 0, "fail at once after the first refusal");
}

// The provider answers 503 to every refresh for 10 simulated minutes; a send every second.
static async Task<Result> OutageAsync()
{
    await using var rig = await TokenRig.StartAsync(TimeSpan.FromSeconds(60));
    var name = "Outage";
    await rig.CreateServerAsync(name);
    rig.Clock.Advance(TimeSpan.FromSeconds(50));
    for (var i = 0; i < 100; i++)
    {
        rig.Provider.FailNextTokenRequestWithStatus(503, "Service Unavailable");
    }

    var failed = 0;
    for (var i = 0; i < 600; i++)
    {
        failed += (await rig.SendAsync(name)).Succeeded ? 0 : 1;
        rig.Clock.Advance(TimeSpan.FromSeconds(1));
    }

    var requests = rig.Provider.RefreshRequestCount;
    rig.Provider.ClearTokenFaults();
    rig.Clock.Advance(TimeSpan.FromMinutes(30));
    var recovered = (await rig.SendAsync(name)).Succeeded;
    return Of(rig, "503 for 10 min, a send a second", 601, failed + (recovered ? 0 : 1), 0,
        $"{requests} requests during the outage (back-off 30 s doubling, with jitter); recovered after: {(recovered ? "yes" : "no")}");
}

// The app is stopped while the background refresher waits for the provider's (already rotated) answer.
static async Task<Result> StopDuringRefreshAsync()
{
    await using var rig = await TokenRig.StartAsync(TimeSpan.FromSeconds(30), oauthTimeoutSeconds: 5);
    var id = await rig.CreateServerAsync("Stopped");
    rig.Provider.DelayNextTokenAnswer(TimeSpan.FromSeconds(2));
    var background = rig.StartInstance(new Dictionary<string, string?> { ["OAuth:RefreshCheckMinutes"] = "1" });
    await WaitAsync(() => rig.Provider.RefreshRequestCount == 1);
    var clock = Stopwatch.StartNew();
    background.Dispose();
    var stopped = clock.Elapsed;
    var issued = rig.Provider.TokenRequests.Single(r => r.GrantType == "refresh_token").IssuedRefreshToken;
    var stored = rig.App.Secret(await rig.StoredAsync(id), SecretField.RefreshToken) == issued;
    var next = await NextRefreshWorksAsync(rig, id);
    return Of(rig, "stop during a background refresh", 0, 0, 0,
        $"stop took {stopped.TotalSeconds:0.0} s; rotated token stored: {(stored ? "yes" : "no")}; next refresh: {(next ? "ok" : "failed")}");
}

// The caller of a send gives up while the provider holds the (already rotated) answer.
static async Task<Result> AbortDuringRefreshAsync()
{
    await using var rig = await TokenRig.StartAsync(TimeSpan.FromSeconds(30), oauthTimeoutSeconds: 5);
    var name = "Aborted";
    var id = await rig.CreateServerAsync(name);
    rig.Clock.Advance(TimeSpan.FromSeconds(31));
    rig.Provider.DelayNextTokenAnswer(TimeSpan.FromSeconds(1.5));
    using var abort = new CancellationTokenSource();
    var send = rig.SendAsync(name, abort.Token);
    await WaitAsync(() => rig.Provider.RefreshRequestCount == 1);
    await abort.CancelAsync();
    try
    {
        await send;
    }
    catch (OperationCanceledException)
    {
        // The caller gave up; the refresh goes on.
    }

    var issued = rig.Provider.TokenRequests.Single(r => r.GrantType == "refresh_token").IssuedRefreshToken;
    var stored = false;
    for (var i = 0; i < 100 && !stored; i++)
    {
        stored = rig.App.Secret(await rig.StoredAsync(id), SecretField.RefreshToken) == issued;
        await Task.Delay(50);
    }

    var next = await NextRefreshWorksAsync(rig, id);
    return Of(rig, "caller gives up during a send's refresh", 1, 0, 0,
        $"rotated token stored: {(stored ? "yes" : "no")}; next refresh: {(next ? "ok" : "failed")}");
}

static async Task<bool> NextRefreshWorksAsync(TokenRig rig, int id)
{
    try
    {
        await rig.Keeper().RefreshAsync(id, force: true, CancellationToken.None);
        return true;
    }
    catch (MailServerAdmin.OAuth.TokenUnavailableException)
    {
        return false;
    }
}

static async Task WaitAsync(Func<bool> condition)
{
    var clock = Stopwatch.StartNew();
    while (!condition() && clock.Elapsed < TimeSpan.FromSeconds(10))
    {
        await Task.Delay(20);
    }
}

static Result Of(TokenRig rig, string name, int sends, int failed, double lifetimes, string notes)
{
    Console.Error.WriteLine($"done: {name}");
    return new Result(name, sends, failed, rig.Provider.RefreshRequestCount, rig.Provider.RefreshesIssued, rig.Provider.FamilyRevocations, lifetimes, notes);
}

internal sealed record Result(string Case, int Sends, int FailedSends, int Requests, int Refreshes, int FamilyRevocations, double Lifetimes, string Notes);
