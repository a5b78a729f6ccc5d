using System.Globalization;
using MailServerAdmin.MailServers;
using MailServerAdmin.Sending;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Tests.Infrastructure.Delivery;
using MailServerAdmin.Tests.Infrastructure.Smtp;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace MailServerAdmin.Tests.Sending;

/// <summary>
/// Sending keeps what it needs of a server in memory between sends: every change to the server, in this instance or in
/// another one on the same database, shows in the very next send.
/// </summary>
public sealed class CachedSendingTests(DeliveryFixture delivery) : IClassFixture<DeliveryFixture>
{
    private const string NewPassword = "N3w-Smtp-Pa55word!";

    private AppFactory App => delivery.App;

    [SmtpPeerFact]
    public async Task An_edit_in_the_form_between_two_sends_sends_the_second_to_the_new_place_with_the_new_password()
    {
        await using var other = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { Tls = SmtpPeerTls.None });
        other.AcceptBasic(DeliveryFixture.BasicLogin, NewPassword);
        var client = await App.CreateBrowserAsync();
        var name = $"Moving {Guid.NewGuid():N}";
        var id = await delivery.CreateBasicServerAsync(client, name);
        var first = await SendAsync(name);
        Assert.True(first.Result.Succeeded, first.Result.Failure?.Message);

        var edit = await client.GetPageAsync($"/MailServers/Edit/{id}");
        await client.SubmitAndReadAsync(edit, new Dictionary<string, string?>
        {
            ["Input.Host"] = other.Host,
            ["Input.Port"] = other.Port.ToString(CultureInfo.InvariantCulture),
            ["Input.Security"] = "None",
            ["Input.Password"] = NewPassword,
        });
        Assert.Equal(other.Port, (await StoredAsync(id)).Port);

        var second = await SendAsync(name);

        Assert.True(second.Result.Succeeded, second.Result.Failure?.Message);
        Assert.Contains(other.Messages, m => m.RcptTos.Contains(second.Recipient));
        Assert.DoesNotContain(delivery.Peer.Messages, m => m.RcptTos.Contains(second.Recipient));
        Assert.Contains(other.AuthAttempts, a => a.Success && a.Secret == NewPassword);
    }

    [SmtpPeerFact]
    public async Task A_password_changed_in_the_form_between_two_sends_is_the_one_sent()
    {
        var client = await App.CreateBrowserAsync();
        var name = $"Repassworded {Guid.NewGuid():N}";
        var id = await delivery.CreateBasicServerAsync(client, name);
        Assert.True((await SendAsync(name)).Result.Succeeded);
        delivery.Peer.AcceptBasic(DeliveryFixture.BasicLogin, NewPassword);
        try
        {
            await EditAsync(client, id, new() { ["Input.Password"] = NewPassword });

            var second = await SendAsync(name);

            Assert.True(second.Result.Succeeded, second.Result.Failure?.Message);
            Assert.Equal(NewPassword, delivery.Peer.AuthAttempts.Last(a => a.User == DeliveryFixture.BasicLogin).Secret);
        }
        finally
        {
            delivery.Peer.AcceptBasic(DeliveryFixture.BasicLogin, DeliveryFixture.BasicPassword);
        }
    }

    [SmtpPeerFact]
    public async Task Another_instance_switching_the_default_is_followed_by_the_next_send()
    {
        var client = await App.CreateBrowserAsync();
        var first = await delivery.CreateBasicServerAsync(client, $"First default {Guid.NewGuid():N}");
        await client.CreateServerAsync(delivery.BasicValues($"Second default {Guid.NewGuid():N}")
            .With("Input.SenderEmail", "second@example.com"));
        var second = await App.WithDbAsync(db => db.MailServers.Where(s => s.SenderEmail == "second@example.com").Select(s => s.Id).SingleAsync());
        using var sibling = App.Sibling();
        await WithStoreAsync(sibling, store => store.MakeDefaultAsync(first));
        var before = await SendAsync(serverName: null);
        Assert.Equal("noreply@example.com", delivery.Peer.Messages.Single(m => m.RcptTos.Contains(before.Recipient)).MailFrom);

        await WithStoreAsync(sibling, store => store.MakeDefaultAsync(second));
        var after = await SendAsync(serverName: null);

        Assert.True(after.Result.Succeeded, after.Result.Failure?.Message);
        Assert.Equal("second@example.com", delivery.Peer.Messages.Single(m => m.RcptTos.Contains(after.Recipient)).MailFrom);
    }

    [SmtpPeerFact]
    public async Task Another_instance_editing_the_server_is_followed_by_the_next_send()
    {
        var client = await App.CreateBrowserAsync();
        var name = $"Edited elsewhere {Guid.NewGuid():N}";
        var id = await delivery.CreateBasicServerAsync(client, name);
        Assert.True((await SendAsync(name)).Result.Succeeded);
        using var sibling = App.Sibling();

        await EditAsync(await sibling.CreateBrowserAsync(), id, new() { ["Input.SenderEmail"] = "changed-elsewhere@example.com" });
        var after = await SendAsync(name);

        Assert.True(after.Result.Succeeded, after.Result.Failure?.Message);
        Assert.Equal("changed-elsewhere@example.com", delivery.Peer.Messages.Single(m => m.RcptTos.Contains(after.Recipient)).MailFrom);
    }

    [SmtpPeerFact]
    public async Task A_token_refreshed_by_another_instance_is_the_one_this_instance_sends()
    {
        var name = $"Refreshed elsewhere {Guid.NewGuid():N}";
        var id = await delivery.CreateOAuthServerAsync(name);
        var first = await SendAsync(name);
        Assert.True(first.Result.Succeeded, first.Result.Failure?.Message);
        var old = App.Secret(await StoredAsync(id), SecretField.AccessToken);
        using var sibling = App.Sibling();

        var refreshed = await sibling.Services.GetRequiredService<MailServerAdmin.OAuth.TokenKeeper>().RefreshAsync(id, force: true, CancellationToken.None);
        var second = await SendAsync(name);

        Assert.NotEqual(old, refreshed);
        Assert.True(second.Result.Succeeded, second.Result.Failure?.Message);
        Assert.Equal(refreshed, delivery.Peer.AuthAttempts.Last(a => a.Mechanism == "XOAUTH2").Secret);
    }

    [SmtpPeerFact]
    public async Task A_token_that_became_due_between_two_sends_is_refreshed_before_the_second()
    {
        var name = $"Due {Guid.NewGuid():N}";
        var id = await delivery.CreateOAuthServerAsync(name);
        Assert.True((await SendAsync(name)).Result.Succeeded);
        var old = App.Secret(await StoredAsync(id), SecretField.AccessToken);
        var refreshes = delivery.Provider.TokenRequests.Count(r => r.GrantType == "refresh_token");

        await delivery.ExpireSoonAsync(id, TimeSpan.FromMinutes(2));
        var second = await SendAsync(name);

        Assert.True(second.Result.Succeeded, second.Result.Failure?.Message);
        Assert.Equal(refreshes + 1, delivery.Provider.TokenRequests.Count(r => r.GrantType == "refresh_token"));
        var now = App.Secret(await StoredAsync(id), SecretField.AccessToken);
        Assert.NotEqual(old, now);
        Assert.Equal(now, delivery.Peer.AuthAttempts.Last(a => a.Mechanism == "XOAUTH2").Secret);
    }

    [SmtpPeerFact]
    public async Task A_server_deleted_after_a_send_is_not_sent_through_again()
    {
        var client = await App.CreateBrowserAsync();
        var name = $"Deleted {Guid.NewGuid():N}";
        var id = await delivery.CreateBasicServerAsync(client, name);
        Assert.True((await SendAsync(name)).Result.Succeeded);
        using var sibling = App.Sibling();
        var sent = delivery.Peer.Messages.Count;

        await WithStoreAsync(sibling, store => store.DeleteAsync(id));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SendAsync(name));

        Assert.Equal($"There is no mail server named '{name}'.", error.Message);
        Assert.Equal(sent, delivery.Peer.Messages.Count);
    }

    [SmtpPeerFact]
    public async Task A_password_another_instance_stored_with_keys_this_one_lacks_fails_the_send_clearly_every_time()
    {
        var client = await App.CreateBrowserAsync();
        var name = $"Foreign keys {Guid.NewGuid():N}";
        var id = await delivery.CreateBasicServerAsync(client, name);
        Assert.True((await SendAsync(name)).Result.Succeeded);
        var attempts = delivery.Peer.AuthAttempts.Count;

        // Another instance with another key ring saves the password (a save renews the row's version).
        var row = await StoredAsync(id);
        var foreign = new SecretVault(new EphemeralDataProtectionProvider())
            .Protect(SecretField.Password, id, MailServerSettings.Of(row), DeliveryFixture.BasicPassword);
        await App.WithDbAsync(db => db.MailServers.Where(s => s.Id == id)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.ProtectedPassword, foreign).SetProperty(s => s.Version, Guid.NewGuid())));

        foreach (var _ in Enumerable.Range(0, 2))
        {
            var result = (await SendAsync(name)).Result;
            Assert.False(result.Succeeded);
            Assert.Equal(SmtpFailureKind.AuthenticationFailed, result.Failure!.Kind);
            Assert.Equal("Smtp_PasswordUnreadable", result.Failure.MessageText.Key);
        }

        Assert.Equal(attempts, delivery.Peer.AuthAttempts.Count);
    }

    private async Task<(SmtpSendResult Result, string Recipient)> SendAsync(string? serverName)
    {
        var recipient = $"{Guid.NewGuid():N}@example.net";
        await using var scope = App.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<MailDelivery>().SendAsync(
            new MimeMessage { To = { MailboxAddress.Parse(recipient) }, Subject = "Cached", Body = new TextPart("plain") { Text = "x" } },
            serverName);
        return (result, recipient);
    }

    private static async Task WithStoreAsync(AppFactory app, Func<MailServerStore, Task> action)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await action(scope.ServiceProvider.GetRequiredService<MailServerStore>());
    }

    /// <summary>Saves the server with the real Edit form of the instance <paramref name="client"/> talks to.</summary>
    private async Task EditAsync(HttpClient client, int id, Dictionary<string, string?> changes)
    {
        var version = (await StoredAsync(id)).Version;
        await client.SubmitAndReadAsync(await client.GetPageAsync($"/MailServers/Edit/{id}"), changes);
        Assert.NotEqual(version, (await StoredAsync(id)).Version);
    }

    private Task<MailServer> StoredAsync(int id) => App.WithDbAsync(db => db.MailServers.AsNoTracking().SingleAsync(s => s.Id == id));
}
