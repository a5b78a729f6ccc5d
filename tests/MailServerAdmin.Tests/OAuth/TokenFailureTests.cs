using System.Diagnostics;
using MailServerAdmin.Audit;
using MailServerAdmin.Localization;
using MailServerAdmin.MailServers;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Tests.Infrastructure.Smtp;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.OAuth;

/// <summary>
/// A provider that hangs, fails or refuses the grant: callers share one attempt, the provider is not asked again
/// before the back-off is over (or, after invalid_grant, before new tokens are saved), and the audit log gets the
/// changes of state only.
/// </summary>
public sealed class TokenFailureTests
{
    [SmtpPeerFact]
    public async Task A_hanging_token_endpoint_with_five_waiting_sends_gets_one_request_and_all_five_finish_within_one_timeout()
    {
        await using var rig = await TokenRig.StartAsync(TimeSpan.FromSeconds(30), oauthTimeoutSeconds: 2);
        var name = $"Hanging {Guid.NewGuid():N}";
        await rig.CreateServerAsync(name);
        rig.Clock.Advance(TimeSpan.FromSeconds(31));
        rig.Provider.DelayNextTokenRequest(TimeSpan.FromSeconds(20));
        var requestsBefore = rig.Provider.RefreshRequestCount;

        var clock = Stopwatch.StartNew();
        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => rig.SendAsync(name)));
        var elapsed = clock.Elapsed;

        // One timeout for all five, not one each (five in turn would take 10 s); the margin is for a loaded machine.
        Assert.InRange(elapsed.TotalSeconds, 0, 2 * 2);
        Assert.Equal(requestsBefore + 1, rig.Provider.RefreshRequestCount);
        Assert.All(results, r =>
        {
            Assert.False(r.Succeeded);
            Assert.Contains("did not answer within 2 seconds", r.Failure!.Message, StringComparison.Ordinal);
            Assert.Contains("outage at the provider", r.Failure.Hint, StringComparison.Ordinal);
            Assert.DoesNotContain("client ID", r.Failure.Hint, StringComparison.Ordinal);
        });

        // During the back-off a sixth send fails at once (without waiting for a timeout), with the next try's time, and asks nobody.
        clock.Restart();
        var sixth = await rig.SendAsync(name);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 2);
        Assert.False(sixth.Succeeded);
        Assert.Contains("the last refresh failed", sixth.Failure!.Message, StringComparison.Ordinal);
        Assert.Contains("the next try is at", sixth.Failure.Message, StringComparison.Ordinal);
        Assert.Equal(requestsBefore + 1, rig.Provider.RefreshRequestCount);
        rig.Provider.ClearTokenFaults();
    }

    [SmtpPeerFact]
    public async Task After_invalid_grant_sends_fail_at_once_without_asking_the_provider_until_new_tokens_are_saved()
    {
        await using var rig = await TokenRig.StartAsync(TimeSpan.FromSeconds(30));
        var name = $"Revoked grant {Guid.NewGuid():N}";
        var id = await rig.CreateServerAsync(name);
        // The grant is revoked at the provider (password changed, consent withdrawn): the refresh token is refused.
        rig.Provider.Revoke(rig.App.Secret(await rig.StoredAsync(id), SecretField.RefreshToken)!);
        rig.Clock.Advance(TimeSpan.FromSeconds(31));
        var requestsBefore = rig.Provider.RefreshRequestCount;

        var first = await rig.SendAsync(name);

        Assert.False(first.Succeeded);
        Assert.Contains("The refresh token has been revoked.", first.Failure!.Message, StringComparison.Ordinal);
        Assert.Equal(requestsBefore + 1, rig.Provider.RefreshRequestCount);

        var clock = Stopwatch.StartNew();
        var later = new List<MailServerAdmin.Sending.SmtpSendResult>();
        for (var i = 0; i < 10; i++)
        {
            later.Add(await rig.SendAsync(name));
            rig.Clock.Advance(TimeSpan.FromMinutes(10));
        }

        // Ten sends without a request each (the count below), and without waiting for anything.
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 10);
        Assert.All(later, r => Assert.Contains("needs a new Get Token", r.Failure!.Message, StringComparison.Ordinal));
        Assert.Equal(requestsBefore + 1, rig.Provider.RefreshRequestCount);
        var audit = await rig.App.WithDbAsync(db => db.AuditEntries.Where(e => e.ServerId == id && e.Action == AuditAction.TokensNeedAuthorization).ToListAsync());
        Assert.Equal(SystemAuditActor.SystemName, Assert.Single(audit).Administrator);

        // Every admin page says so: the server, the reason, and that its access token has expired.
        var browser = await rig.App.CreateBrowserAsync();
        foreach (var path in new[] { "/MailServers", "/Audit", "/Administrators" })
        {
            var banner = (await browser.GetPageAsync(path)).QuerySelector("[data-testid=token-banner]");
            Assert.NotNull(banner);
            Assert.Contains(name, banner.TextContent, StringComparison.Ordinal);
            Assert.Contains("needs a new Get Token", banner.TextContent, StringComparison.Ordinal);
            Assert.Contains("The refresh token has been revoked.", banner.QuerySelector("[data-testid=token-banner-reason]")!.TextContent, StringComparison.Ordinal);
            Assert.Contains("access token expired", banner.QuerySelector("[data-testid=token-banner-expiry]")!.TextContent, StringComparison.Ordinal);
        }

        // New tokens through Get Token: the mail goes out again, and the banner is gone.
        await rig.GetNewTokensAsync(id);
        var afterGetToken = await rig.SendAsync(name);
        Assert.True(afterGetToken.Succeeded, afterGetToken.Failure?.Message);
        Assert.Equal(0, rig.Provider.FamilyRevocations);
        Assert.Null((await browser.GetPageAsync("/MailServers")).QuerySelector("[data-testid=token-banner]"));
    }

    [SmtpPeerFact]
    public async Task During_a_provider_outage_the_still_valid_token_keeps_the_mail_going_and_the_log_gets_one_row_when_it_starts_and_one_when_it_ends()
    {
        await using var rig = await TokenRig.StartAsync(TimeSpan.FromSeconds(60));
        var name = $"Outage {Guid.NewGuid():N}";
        var id = await rig.CreateServerAsync(name);
        // 50 of its 60 seconds are gone: the token is due for a refresh, and still valid for 10 seconds.
        rig.Clock.Advance(TimeSpan.FromSeconds(50));
        rig.Provider.FailNextTokenRequestWithStatus(503, "Service Unavailable");
        var requestsBefore = rig.Provider.RefreshRequestCount;
        var browser = await rig.App.CreateBrowserAsync();
        Assert.Null((await browser.GetPageAsync("/MailServers")).QuerySelector("[data-testid=token-banner]"));

        var sends = new List<MailServerAdmin.Sending.SmtpSendResult>();
        for (var i = 0; i < 5; i++)
        {
            sends.Add(await rig.SendAsync(name));
        }

        Assert.All(sends, r => Assert.True(r.Succeeded, r.Failure?.Message));
        Assert.Equal(requestsBefore + 1, rig.Provider.RefreshRequestCount);
        var failing = await rig.StoredAsync(id);
        var health = LocalizableText.FromStored(failing.TokenError!).ToString();
        Assert.Contains("503", health, StringComparison.Ordinal);
        Assert.Contains("outage at the provider", health, StringComparison.Ordinal);
        Assert.Contains("the next try is at", health, StringComparison.Ordinal);
        Assert.DoesNotContain("client ID", health, StringComparison.Ordinal);
        Assert.InRange(failing.TokenRetryAfterUtc!.Value, failing.TokenErrorUtc!.Value.AddSeconds(15), failing.TokenErrorUtc.Value.AddSeconds(30));
        var banner = (await browser.GetPageAsync("/Audit")).QuerySelector("[data-testid=token-banner]")!;
        Assert.Contains($"The default server {name} cannot refresh its tokens at the moment.", banner.TextContent, StringComparison.Ordinal);
        Assert.Contains("outage at the provider", banner.TextContent, StringComparison.Ordinal);
        Assert.Contains("current access token expires", banner.QuerySelector("[data-testid=token-banner-expiry]")!.TextContent, StringComparison.Ordinal);

        // The back-off is over (and the old token expired): the next send refreshes and the mail goes on.
        rig.Clock.Advance(TimeSpan.FromSeconds(31));
        var recovered = await rig.SendAsync(name);
        Assert.True(recovered.Succeeded, recovered.Failure?.Message);
        Assert.Equal(requestsBefore + 2, rig.Provider.RefreshRequestCount);
        Assert.Null((await rig.StoredAsync(id)).TokenError);

        var audit = await rig.App.WithDbAsync(db => db.AuditEntries.Where(e => e.ServerId == id).OrderBy(e => e.Id).ToListAsync());
        Assert.Equal(
            [AuditAction.ServerCreated, AuditAction.TokenRefreshFailed, AuditAction.TokenRefreshRecovered],
            audit.Where(e => e.Action != AuditAction.TokensObtained).Select(e => e.Action));
        Assert.All(audit.Where(e => e.Action is AuditAction.TokenRefreshFailed or AuditAction.TokenRefreshRecovered),
            e => Assert.Equal(SystemAuditActor.SystemName, e.Administrator));
    }
}
