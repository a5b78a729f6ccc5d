using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.MailServers;
using MailServerAdmin.Tests.Infrastructure.Delivery;
using MailServerAdmin.Tests.Infrastructure.OAuth;
using MailServerAdmin.Tests.Infrastructure.Smtp;
using MailServerAdmin.OAuth;
using MailServerAdmin.Sending;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace MailServerAdmin.Tests.Sending;

/// <summary>The application's sending service and the tokens behind it, over real SMTP and a real OAuth provider.</summary>
public sealed class DeliveryTests(DeliveryFixture delivery) : IClassFixture<DeliveryFixture>
{
    private AppFactory App => delivery.App;

    private TestOAuthProvider Provider => delivery.Provider;

    [SmtpPeerFact]
    public async Task The_application_sends_through_the_default_server_with_its_sender()
    {
        var client = await App.CreateBrowserAsync();
        var name = $"Default {Guid.NewGuid():N}";
        await client.CreateServerAsync(delivery.BasicValues(name).With("Input.IsDefault", "true"));
        var recipient = $"{Guid.NewGuid():N}@example.net";

        var result = await SendAsync(new MimeMessage
        {
            To = { MailboxAddress.Parse(recipient) },
            Subject = "Invoice 42",
            Body = new TextPart("plain") { Text = "Your invoice is attached." },
        });

        Assert.True(result.Succeeded, result.Failure?.Message);
        var arrived = delivery.Peer.Messages.Single(m => m.RcptTos.Contains(recipient)).ToMimeMessage();
        Assert.Equal("\"Example Robot\" <noreply@example.com>", arrived.From.ToString());
        Assert.Equal("Your invoice is attached.", arrived.TextBody?.Trim());
    }

    [SmtpPeerFact]
    public async Task Twenty_simultaneous_sends_with_an_expiring_token_make_one_token_request()
    {
        var name = $"Busy {Guid.NewGuid():N}";
        var id = await delivery.CreateOAuthServerAsync(name);
        var before = await StoredAsync(id);
        await delivery.ExpireSoonAsync(id, TimeSpan.FromMinutes(2));
        var refreshesBefore = Provider.TokenRequests.Count(r => r.GrantType == "refresh_token");

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => SendAsync(
            new MimeMessage { To = { MailboxAddress.Parse($"r{i}@example.net") }, Subject = $"Busy {i}", Body = new TextPart("plain") { Text = "x" } },
            name)));

        Assert.All(results, r => Assert.True(r.Succeeded, r.Failure?.Message));
        Assert.Equal(refreshesBefore + 1, Provider.TokenRequests.Count(r => r.GrantType == "refresh_token"));
        var after = await StoredAsync(id);
        Assert.NotEqual(App.Secret(before, SecretField.AccessToken), App.Secret(after, SecretField.AccessToken));
        Assert.True(after.AccessTokenExpiresUtc > DateTime.UtcNow.AddMinutes(50));
        Assert.Equal(20, delivery.Peer.AuthAttempts.Count(a => a.Success && a.Secret == App.Secret(after, SecretField.AccessToken)));
    }

    [SmtpPeerFact]
    public async Task A_rotated_refresh_token_is_stored()
    {
        var id = await delivery.CreateOAuthServerAsync($"Rotating {Guid.NewGuid():N}");
        var before = await StoredAsync(id);

        await KeeperRefreshAsync(id);

        var after = await StoredAsync(id);
        var issued = Provider.TokenRequests.Last(r => r.GrantType == "refresh_token" && r.Outcome == "ok");
        Assert.Equal(App.Secret(before, SecretField.RefreshToken), issued["refresh_token"]);
        Assert.Equal(issued.IssuedRefreshToken, App.Secret(after, SecretField.RefreshToken));
        Assert.NotEqual(App.Secret(before, SecretField.RefreshToken), App.Secret(after, SecretField.RefreshToken));
        Assert.Equal(issued.IssuedAccessToken, App.Secret(after, SecretField.AccessToken));
        Assert.NotNull(after.TokensRefreshedUtc);
    }

    [SmtpPeerFact]
    public async Task A_refresh_answer_without_a_refresh_token_keeps_the_stored_one()
    {
        var id = await delivery.CreateOAuthServerAsync($"Keeping {Guid.NewGuid():N}");
        var before = await StoredAsync(id);
        Provider.Options.RefreshTokenBehavior = TestRefreshTokenBehavior.Omit;
        try
        {
            await KeeperRefreshAsync(id);
        }
        finally
        {
            Provider.Options.RefreshTokenBehavior = TestRefreshTokenBehavior.Rotate;
        }

        var after = await StoredAsync(id);
        Assert.Null(Provider.TokenRequests.Last(r => r.GrantType == "refresh_token").IssuedRefreshToken);
        Assert.Equal(App.Secret(before, SecretField.RefreshToken), App.Secret(after, SecretField.RefreshToken));
        Assert.NotEqual(App.Secret(before, SecretField.AccessToken), App.Secret(after, SecretField.AccessToken));
    }

    [SmtpPeerFact]
    public async Task The_background_job_refreshes_tokens_that_expire_soon_or_have_not_been_used_for_a_week()
    {
        var soon = await delivery.CreateOAuthServerAsync($"Soon {Guid.NewGuid():N}");
        var idle = await delivery.CreateOAuthServerAsync($"Idle {Guid.NewGuid():N}");
        var fresh = await delivery.CreateOAuthServerAsync($"Fresh {Guid.NewGuid():N}");
        await delivery.ExpireSoonAsync(soon, TimeSpan.FromMinutes(8));
        await App.WithDbAsync(db => db.MailServers.Where(s => s.Id == idle)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.TokensObtainedUtc, DateTime.UtcNow.AddDays(-8))));
        var before = await Task.WhenAll(new[] { soon, idle, fresh }.Select(StoredAsync));

        await App.Services.GetRequiredService<TokenRefreshWorker>().RefreshDueAsync(CancellationToken.None);

        var after = await Task.WhenAll(new[] { soon, idle, fresh }.Select(StoredAsync));
        Assert.NotEqual(App.Secret(before[0], SecretField.AccessToken), App.Secret(after[0], SecretField.AccessToken));
        Assert.NotEqual(App.Secret(before[1], SecretField.RefreshToken), App.Secret(after[1], SecretField.RefreshToken));
        Assert.Equal(App.Secret(before[2], SecretField.AccessToken), App.Secret(after[2], SecretField.AccessToken));
    }

    [SmtpPeerFact]
    public async Task A_refresh_in_another_instance_is_awaited_and_its_tokens_shared_not_redeemed_twice()
    {
        var id = await delivery.CreateOAuthServerAsync($"Two instances {Guid.NewGuid():N}");
        // The instance whose refresh is held waits long enough for the provider; the other is warm before it starts.
        using var holder = App.Sibling(new Dictionary<string, string?> { ["OAuth:TimeoutSeconds"] = "30" });
        using var other = App.Sibling();
        await other.WithDbAsync(db => db.MailServers.AsNoTracking().SingleAsync(s => s.Id == id));
        var before = await StoredAsync(id);
        var requestsBefore = Provider.TokenRequests.Count;

        // The holder's refresh is held at the provider (it has the lease) while the other instance is asked to refresh.
        Provider.DelayNextTokenRequest(TimeSpan.FromSeconds(3));
        var held = holder.Services.GetRequiredService<TokenKeeper>().RefreshAsync(id, force: true, CancellationToken.None);
        await Eventually.TrueAsync(() => Provider.TokenRequests.Count > requestsBefore, TimeSpan.FromSeconds(20));
        var shared = await other.Services.GetRequiredService<TokenKeeper>().RefreshAsync(id, force: true, CancellationToken.None);

        // The other instance waited for the holder's answer instead of presenting the same refresh token again.
        Assert.Equal(shared, await held);
        Assert.Equal(requestsBefore + 1, Provider.TokenRequests.Count);
        var after = await StoredAsync(id);
        Assert.Equal(shared, App.Secret(after, SecretField.AccessToken));
        Assert.NotEqual(App.Secret(before, SecretField.RefreshToken), App.Secret(after, SecretField.RefreshToken));
        Assert.Null(after.TokenLeaseId);
    }

    private async Task<SmtpSendResult> SendAsync(MimeMessage message, string? serverName = null)
    {
        await using var scope = App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<MailDelivery>().SendAsync(message, serverName);
    }

    private Task<string> KeeperRefreshAsync(int id) => App.Services.GetRequiredService<TokenKeeper>().RefreshAsync(id, force: true, CancellationToken.None);

    private Task<MailServerAdmin.MailServers.MailServer> StoredAsync(int id) =>
        App.WithDbAsync(db => db.MailServers.AsNoTracking().SingleAsync(s => s.Id == id));
}
