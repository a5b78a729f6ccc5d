using System.Diagnostics;
using MailServerAdmin.Localization;
using MailServerAdmin.MailServers;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Tests.Infrastructure.Smtp;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.OAuth;

/// <summary>
/// Once a refresh request is sent, its answer is stored whatever happens to the caller or to the app: with a provider
/// that rotates strictly, a dropped answer would end the grant at the next refresh.
/// </summary>
public sealed class TokenInterruptionTests
{
    [SmtpPeerFact]
    public async Task Stopping_the_app_during_a_background_refresh_stores_the_rotated_token_and_the_next_refresh_succeeds()
    {
        await using var rig = await TokenRig.StartAsync(TimeSpan.FromSeconds(30), oauthTimeoutSeconds: 5);
        var name = $"Stopped {Guid.NewGuid():N}";
        var id = await rig.CreateServerAsync(name);
        // The provider rotates at once and answers 2 seconds later; meanwhile the app is stopped (as by SIGTERM).
        rig.Provider.DelayNextTokenAnswer(TimeSpan.FromSeconds(2));

        var background = rig.StartInstance(new Dictionary<string, string?> { ["OAuth:RefreshCheckMinutes"] = "1" });
        await WaitForAsync(() => rig.Provider.RefreshRequestCount == 1, "the background refresh to reach the provider");
        background.Dispose();

        var request = rig.Provider.TokenRequests.Single(r => r.GrantType == "refresh_token");
        Assert.Equal("ok", request.Outcome);
        var stored = await rig.StoredAsync(id);
        Assert.Equal(request.IssuedRefreshToken, rig.App.Secret(stored, SecretField.RefreshToken));
        Assert.Null(stored.TokenLeaseId);

        // The next refresh presents the rotated token: it works, and the family lives.
        await rig.Keeper().RefreshAsync(id, force: true, CancellationToken.None);
        Assert.Equal(2, rig.Provider.RefreshesIssued);
        Assert.Equal(0, rig.Provider.FamilyRevocations);
    }

    [SmtpPeerFact]
    public async Task A_caller_that_gives_up_during_a_sends_refresh_does_not_lose_the_rotated_token()
    {
        await using var rig = await TokenRig.StartAsync(TimeSpan.FromSeconds(30), oauthTimeoutSeconds: 5);
        var name = $"Aborted {Guid.NewGuid():N}";
        var id = await rig.CreateServerAsync(name);
        rig.Clock.Advance(TimeSpan.FromSeconds(31));
        rig.Provider.DelayNextTokenAnswer(TimeSpan.FromSeconds(1.5));

        // The browser closes its connection (the request's token is cancelled) while the provider has the refresh.
        using var abort = new CancellationTokenSource();
        var send = rig.SendAsync(name, abort.Token);
        await WaitForAsync(() => rig.Provider.RefreshRequestCount == 1, "the send's refresh to reach the provider");
        var clock = Stopwatch.StartNew();
        await abort.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 1);

        var request = rig.Provider.TokenRequests.Single(r => r.GrantType == "refresh_token");
        await WaitForAsync(
            async () => rig.App.Secret(await rig.StoredAsync(id), SecretField.RefreshToken) == request.IssuedRefreshToken,
            "the rotated refresh token to be stored");
        Assert.Equal("ok", request.Outcome);

        rig.Clock.Advance(TimeSpan.FromSeconds(31));
        var next = await rig.SendAsync(name);
        Assert.True(next.Succeeded, next.Failure?.Message);
        Assert.Equal(2, rig.Provider.RefreshesIssued);
        Assert.Equal(0, rig.Provider.FamilyRevocations);
    }

    [SmtpPeerFact]
    public async Task A_refresh_whose_process_died_is_reported_at_the_next_start_and_tried_once()
    {
        await using var rig = await TokenRig.StartAsync(TimeSpan.FromSeconds(30));
        var name = $"Killed {Guid.NewGuid():N}";
        var id = await rig.CreateServerAsync(name);
        var stored = await rig.StoredAsync(id);
        // A process took the lease, sent the refresh (the provider rotated) and was killed before storing the answer.
        using (var http = new HttpClient())
        {
            using var lost = await http.PostAsync(rig.Provider.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "refresh_token",
                ["refresh_token"] = rig.App.Secret(stored, SecretField.RefreshToken)!,
                ["client_id"] = rig.Provider.Options.ClientId,
                ["client_secret"] = rig.Provider.Options.ClientSecret!,
            }));
            Assert.True(lost.IsSuccessStatusCode);
        }

        var taken = rig.Clock.GetUtcNow().UtcDateTime.AddMinutes(-2);
        await rig.App.WithDbAsync(db => db.MailServers.Where(s => s.Id == id).ExecuteUpdateAsync(u => u
            .SetProperty(s => s.TokenLeaseId, Guid.NewGuid())
            .SetProperty(s => s.TokenLeaseTakenUtc, taken)
            .SetProperty(s => s.TokenLeaseUntilUtc, taken.AddSeconds(20))
            .SetProperty(s => s.TokenLeaseHolder, "web-2, process 4242")));
        var requests = rig.Provider.RefreshRequestCount;

        // The next start finds the lease left behind: the log and the server's health say so; the provider is not asked.
        var restarted = rig.StartInstance();
        var reported = await rig.StoredAsync(id);
        Assert.Null(reported.TokenLeaseId);
        Assert.Contains("was interrupted", LocalizableText.FromStored(reported.TokenError!).ToString(), StringComparison.Ordinal);
        Assert.Contains("web-2, process 4242", restarted.Logs.All, StringComparison.Ordinal);
        var status = await (await rig.App.CreateBrowserAsync()).GetPageAsync($"/MailServers/Status/{id}");
        Assert.Contains("was interrupted", status.QuerySelector("[data-testid=token-health]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(requests, rig.Provider.RefreshRequestCount);

        // When the token is needed, one try: the provider had rotated, so the grant is gone and says so; no hammering.
        rig.Clock.Advance(TimeSpan.FromSeconds(31));
        var sends = new List<MailServerAdmin.Sending.SmtpSendResult>();
        for (var i = 0; i < 5; i++)
        {
            sends.Add(await TokenRig.SendAsync(restarted, name));
        }

        Assert.All(sends, r => Assert.False(r.Succeeded));
        Assert.Contains("needs a new Get Token", sends[^1].Failure!.Message, StringComparison.Ordinal);
        Assert.Equal(requests + 1, rig.Provider.RefreshRequestCount);
    }

    private static Task WaitForAsync(Func<bool> condition, string what) => Eventually.TrueAsync(condition, TimeSpan.FromSeconds(10), what);

    private static Task WaitForAsync(Func<Task<bool>> condition, string what) => Eventually.TrueAsync(condition, TimeSpan.FromSeconds(10), what);
}
