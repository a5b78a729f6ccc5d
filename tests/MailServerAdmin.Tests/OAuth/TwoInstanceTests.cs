using System.Collections.Concurrent;
using System.Diagnostics;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Tests.Infrastructure.Smtp;

namespace MailServerAdmin.Tests.OAuth;

/// <summary>
/// Two instances of the app on one database (the admin app and the business application, or two web nodes) share one
/// grant at a provider that rotates refresh tokens strictly: only one of them may redeem a given refresh token.
/// </summary>
public sealed class TwoInstanceTests
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(50);

    [SmtpPeerFact]
    public async Task Two_instances_sending_for_50_seconds_with_30_second_tokens_never_revoke_the_family_nor_fail_a_send()
    {
        await using var rig = await TokenRig.StartAsync(TimeSpan.FromSeconds(30), oauthTimeoutSeconds: 5);
        var name = $"Shared {Guid.NewGuid():N}";
        await rig.CreateServerAsync(name);
        var other = rig.StartInstance();

        var failures = new ConcurrentQueue<string>();
        var sent = new ConcurrentDictionary<AppFactory, int>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(new[] { rig.App, other }.SelectMany(app => Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < Duration)
            {
                var result = await TokenRig.SendAsync(app, name);
                if (result.Succeeded)
                {
                    sent.AddOrUpdate(app, 1, (_, n) => n + 1);
                }
                else
                {
                    failures.Enqueue(result.Failure!.Message);
                }

                await Task.Delay(100);
            }
        }))));

        Assert.Empty(failures);
        Assert.Equal(0, rig.Provider.FamilyRevocations);
        Assert.All(new[] { rig.App, other }, app => Assert.True(sent.GetValueOrDefault(app) >= 20, $"only {sent.GetValueOrDefault(app)} sends"));
        // Every refresh request was a good one, and each 30-second token was refreshed once (at 24 s of age).
        Assert.Equal(rig.Provider.RefreshRequestCount, rig.Provider.RefreshesIssued);
        Assert.InRange(rig.Provider.RefreshesIssued, 2, 3);
    }
}
