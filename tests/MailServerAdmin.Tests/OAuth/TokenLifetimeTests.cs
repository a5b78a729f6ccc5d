using MailServerAdmin.Audit;
using MailServerAdmin.Tests.Infrastructure.Smtp;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.OAuth;

/// <summary>Short-lived access tokens are refreshed once each, near the end of their lifetime, not on every send.</summary>
public sealed class TokenLifetimeTests
{
    [SmtpPeerFact]
    public async Task Continuous_sends_with_60_second_tokens_refresh_each_token_once_near_its_end()
    {
        await using var rig = await TokenRig.StartAsync(TimeSpan.FromSeconds(60));
        var name = $"Short-lived {Guid.NewGuid():N}";
        var id = await rig.CreateServerAsync(name);

        // Ten token lifetimes of continuous sending: a send every two seconds of the shared clock.
        var failures = new List<string>();
        for (var i = 0; i < 300; i++)
        {
            var result = await rig.SendAsync(name);
            if (!result.Succeeded)
            {
                failures.Add(result.Failure!.Message);
            }

            rig.Clock.Advance(TimeSpan.FromSeconds(2));
        }

        Assert.Empty(failures);
        Assert.Equal(0, rig.Provider.FamilyRevocations);
        // Each access token was replaced by exactly one refresh, when less than a fifth of its lifetime was left.
        var issued = rig.Provider.IssuedAccessTokens.Select(t => t.IssuedAt).Order().ToList();
        var refreshes = rig.Provider.RefreshesIssued;
        Assert.Equal(issued.Count - 1, refreshes);
        Assert.Equal(refreshes, rig.Provider.RefreshRequestCount);
        Assert.InRange(refreshes, 10, 13);
        var ages = issued.Zip(issued.Skip(1), (earlier, later) => (later - earlier).TotalSeconds).ToList();
        Assert.All(ages, age => Assert.InRange(age, 47.9, 55));
        // Routine refreshes are not audit events.
        Assert.False(await rig.App.WithDbAsync(db => db.AuditEntries.AnyAsync(e => e.ServerId == id && e.Action != AuditAction.TokensObtained && e.Action != AuditAction.ServerCreated)));
    }
}
