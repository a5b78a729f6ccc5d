using MailServerAdmin.MailServers;
using MailServerAdmin.OAuth;
using MailServerAdmin.Tests.Infrastructure.Smtp;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MailServerAdmin.Tests.OAuth;

/// <summary>
/// Microsoft servers keep MSAL's own token cache (serialized with SerializeMsalV3, encrypted like every secret) and
/// refresh with MSAL's documented silent call; the refresh token stays inside MSAL's cache.
/// </summary>
public sealed class MicrosoftTokenCacheTests
{
    [SmtpPeerFact]
    public async Task Microsoft_tokens_are_refreshed_from_msals_cache_which_keeps_the_rotated_refresh_token()
    {
        await using var rig = await TokenRig.StartAsync(TimeSpan.FromMinutes(60));
        var name = $"Microsoft {Guid.NewGuid():N}";
        var id = await rig.CreateServerAsync(name, rig.MicrosoftServerValues(name));
        var obtained = rig.Provider.TokenRequests.Last(r => r.GrantType == "authorization_code" && r.Outcome == "ok");
        Assert.True(MsalTokenCacheSecret.TryRead(rig.App.Secret(await rig.StoredAsync(id), SecretField.RefreshToken), out _));

        var first = await rig.Keeper().RefreshAsync(id, force: true, CancellationToken.None);
        var second = await rig.Keeper().RefreshAsync(id, force: true, CancellationToken.None);

        var refreshes = rig.Provider.TokenRequests.Where(r => r.GrantType == "refresh_token").ToList();
        Assert.Equal(2, refreshes.Count);
        Assert.All(refreshes, r => Assert.Equal("ok", r.Outcome));
        // MSAL presented the token from the code exchange, then the one the first refresh rotated to.
        Assert.Equal(obtained.IssuedRefreshToken, refreshes[0]["refresh_token"]);
        Assert.Equal(refreshes[0].IssuedRefreshToken, refreshes[1]["refresh_token"]);
        Assert.Equal(0, rig.Provider.FamilyRevocations);
        var stored = await rig.StoredAsync(id);
        Assert.Equal(second, rig.App.Secret(stored, SecretField.AccessToken));
        Assert.NotEqual(first, second);
        Assert.True(MsalTokenCacheSecret.TryRead(rig.App.Secret(stored, SecretField.RefreshToken), out var cache));
        Assert.NotEmpty(cache.Cache);

        var sent = await rig.SendAsync(name);
        Assert.True(sent.Succeeded, sent.Failure?.Message);
    }

    [SmtpPeerFact]
    public async Task A_plain_refresh_token_from_an_earlier_version_is_redeemed_once_and_msals_cache_is_kept_from_then_on()
    {
        await using var rig = await TokenRig.StartAsync(TimeSpan.FromMinutes(60));
        var name = $"Microsoft before {Guid.NewGuid():N}";
        var id = await rig.CreateServerAsync(name, rig.MicrosoftServerValues(name));
        // As an earlier version stored it: the refresh token itself, encrypted for the row.
        var plain = rig.Provider.TokenRequests.Last(r => r.GrantType == "authorization_code" && r.Outcome == "ok").IssuedRefreshToken!;
        var row = await rig.StoredAsync(id);
        var legacy = rig.App.Services.GetRequiredService<SecretVault>().Protect(SecretField.RefreshToken, id, MailServerSettings.Of(row), plain);
        await rig.App.WithDbAsync(db => db.MailServers.Where(s => s.Id == id).ExecuteUpdateAsync(u => u.SetProperty(s => s.ProtectedRefreshToken, legacy)));

        await rig.Keeper().RefreshAsync(id, force: true, CancellationToken.None);
        Assert.True(MsalTokenCacheSecret.TryRead(rig.App.Secret(await rig.StoredAsync(id), SecretField.RefreshToken), out _));
        await rig.Keeper().RefreshAsync(id, force: true, CancellationToken.None);

        var refreshes = rig.Provider.TokenRequests.Where(r => r.GrantType == "refresh_token").ToList();
        Assert.Equal(plain, refreshes[0]["refresh_token"]);
        Assert.Equal(refreshes[0].IssuedRefreshToken, refreshes[1]["refresh_token"]);
        Assert.All(refreshes, r => Assert.Equal("ok", r.Outcome));
        Assert.Equal(0, rig.Provider.FamilyRevocations);

        // An outage seen through MSAL is explained as one, with the next try.
        rig.Provider.FailNextTokenRequestWithStatus(503, "Service Unavailable");
        var outage = await Assert.ThrowsAsync<TokenUnavailableException>(() => rig.Keeper().RefreshAsync(id, force: true, CancellationToken.None));
        Assert.Contains("outage at the provider", outage.Hint, StringComparison.Ordinal);
        Assert.Contains("the next try is at", outage.Hint, StringComparison.Ordinal);
    }
}
