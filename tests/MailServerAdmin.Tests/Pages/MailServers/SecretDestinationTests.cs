using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Tests.Infrastructure.Delivery;
using MailServerAdmin.Tests.Infrastructure.Smtp;
using MailServerAdmin.MailServers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace MailServerAdmin.Tests.Pages.MailServers;

/// <summary>A stored secret only ever goes where it was typed for: over HTTP, against the real SMTP peer and provider.</summary>
public sealed class SecretDestinationTests(DeliveryFixture delivery) : IClassFixture<DeliveryFixture>
{
    private AppFactory App => delivery.App;

    [SmtpPeerFact]
    public async Task Changing_only_the_revocation_url_needs_new_tokens_and_the_client_secret_again()
    {
        var id = await delivery.CreateOAuthServerAsync($"Revocation {Guid.NewGuid():N}");
        var refresh = App.Secret(await StoredAsync(id), SecretField.RefreshToken)!;
        var client = await App.CreateBrowserAsync();
        var edit = await client.GetPageAsync($"/MailServers/Edit/{id}");

        var refused = await client.SubmitAndReadAsync(edit, new Dictionary<string, string?> { ["Input.RevocationUrl"] = "https://attacker.example.net/revoke" });

        Assert.Equal("The tokens were saved with another revocation URL: click Get Token again to confirm they may be sent there.", refused.ErrorFor("Input.RefreshToken"));
        Assert.Equal("You changed the revocation URL: type the client secret again to confirm it may be sent there.", refused.ErrorFor("Input.ClientSecret"));
        Assert.Equal("https://attacker.example.net/revoke", refused.ValueOf("Input.RevocationUrl"));
        Assert.Equal(delivery.Provider.RevocationEndpoint.ToString(), (await StoredAsync(id)).RevocationUrl);

        // Revoke still goes to the URL the tokens were saved with.
        var page = await client.SubmitAndReadAsync(await client.GetPageAsync($"/MailServers/Status/{id}"), formSelector: "form[action*='handler=Revoke']");
        Assert.Contains("revoked the tokens", page.StatusMessage(), StringComparison.Ordinal);
        Assert.Contains(refresh, delivery.Provider.RevokedTokens);
    }

    [SmtpPeerFact]
    public async Task A_password_copied_from_another_row_does_not_decrypt_there_and_is_never_sent()
    {
        var client = await App.CreateBrowserAsync();
        var a = await delivery.CreateBasicServerAsync(client, $"Row A {Guid.NewGuid():N}");
        var b = await CreateBasicAsync(client, $"Row B {Guid.NewGuid():N}", "password-of-b");

        // Same destination, so only the row binding stops A's ciphertext from decrypting as B's.
        var copied = await App.WithDbAsync(db => db.MailServers.Where(s => s.Id == a).Select(s => s.ProtectedPassword).SingleAsync());
        await App.WithDbAsync(db => db.MailServers.Where(s => s.Id == b).ExecuteUpdateAsync(u => u.SetProperty(s => s.ProtectedPassword, copied)));
        var authBefore = delivery.Peer.AuthAttempts.Count;

        var page = await client.SubmitAndReadAsync(await client.GetPageAsync($"/MailServers/Status/{b}"), button: "[data-testid=test-connection]");

        Assert.Equal("false", page.QuerySelector("[data-testid=smtp-result]")!.GetAttribute("data-succeeded"));
        Assert.Contains("can no longer be decrypted", page.QuerySelector("[data-testid=smtp-result]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(authBefore, delivery.Peer.AuthAttempts.Count);
        Assert.NotNull(page.QuerySelector("[data-testid=secrets-unreadable]"));
    }

    [SmtpPeerFact]
    public async Task A_token_copied_to_another_column_does_not_decrypt_there()
    {
        var id = await delivery.CreateOAuthServerAsync($"Columns {Guid.NewGuid():N}");
        await App.WithDbAsync(db => db.MailServers.Where(s => s.Id == id)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.ProtectedRefreshToken, s => s.ProtectedAccessToken)));

        var server = await StoredAsync(id);
        var secrets = App.Services.GetRequiredService<SecretVault>().StateOf(server);
        Assert.Equal((SecretState.Readable, SecretState.Unreadable), (secrets.AccessToken, secrets.RefreshToken));
    }

    [SmtpPeerFact]
    public async Task The_store_refuses_what_the_policy_refuses_whatever_the_caller()
    {
        var client = await App.CreateBrowserAsync();
        var basic = await delivery.CreateBasicServerAsync(client, $"Store {Guid.NewGuid():N}");
        var oauth = await delivery.CreateOAuthServerAsync($"Store OAuth {Guid.NewGuid():N}");
        await using var scope = App.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<MailServerStore>();

        // A stored password never follows a new host without being typed again.
        var stored = (await store.GetDetailsAsync(basic))!;
        var moved = await store.UpdateAsync(basic, stored.Version, BasicValues(stored) with { Host = "attacker.example.net" });
        Assert.Equal(SaveStatus.Refused, moved.Status);
        Assert.Contains(new ServerProblem(RequiredField.Password, ProblemKind.MustBeRetyped, SecretChange.Destination), moved.Problems);

        // An OAuth server is never stored without both tokens.
        var created = await store.CreateAsync(BasicValues(stored) with
        {
            Name = $"No tokens {Guid.NewGuid():N}",
            AuthenticationType = AuthenticationType.OAuth,
            OAuth = new OAuthValues(MailServerAdmin.OAuth.OAuthProvider.Manual, null, "client", null, "https://idp.example.net/token", null, null),
        });
        Assert.Equal(SaveStatus.Refused, created.Status);
        Assert.Contains(new ServerProblem(RequiredField.AccessToken, ProblemKind.Missing), created.Problems);
        Assert.Contains(new ServerProblem(RequiredField.RefreshToken, ProblemKind.Missing), created.Problems);

        // Tokens obtained for other settings are not stored under these.
        var details = (await store.GetDetailsAsync(oauth))!;
        var elsewhere = details.Settings with { TokenUrl = "https://attacker.example.net/token" };
        var values = BasicValues(details) with
        {
            AuthenticationType = AuthenticationType.OAuth,
            OAuth = new OAuthValues(details.Provider!.Value, details.Tenant, details.ClientId, details.AuthorizationUrl, details.TokenUrl, details.RevocationUrl, details.Scopes)
            {
                NewTokens = new MailServerAdmin.OAuth.TokenSet("other-access", "other-refresh", null, DateTime.UtcNow, null),
                TokensObtainedFor = elsewhere,
            },
        };
        var refused = await store.UpdateAsync(oauth, details.Version, values);
        Assert.Equal(SaveStatus.Refused, refused.Status);
        Assert.Contains(new ServerProblem(RequiredField.AccessToken, ProblemKind.MustBeRetyped, SecretChange.Issuer), refused.Problems);
        Assert.NotEqual("other-access", App.Secret(await StoredAsync(oauth), SecretField.AccessToken));
    }

    [SmtpPeerFact]
    public async Task A_stored_client_secret_is_read_only_for_the_provider_settings_it_was_saved_with()
    {
        var id = await delivery.CreateOAuthServerAsync($"Client secret {Guid.NewGuid():N}");
        await using var scope = App.Services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<MailServerStore>();
        var details = (await store.GetDetailsAsync(id))!;

        Assert.Equal(delivery.Provider.Options.ClientSecret, (await store.GetClientSecretAsync(id, details.Settings)).Value);
        foreach (var other in new[]
        {
            details.Settings with { TokenUrl = "https://attacker.example.net/token" },
            details.Settings with { AuthorizationUrl = "https://attacker.example.net/authorize" },
            details.Settings with { RevocationUrl = "https://attacker.example.net/revoke" },
            details.Settings with { ClientId = "another-client" },
        })
        {
            Assert.Equal(SecretState.Unreadable, (await store.GetClientSecretAsync(id, other)).State);
        }
    }

    private async Task<int> CreateBasicAsync(HttpClient client, string name, string password)
    {
        await client.CreateServerAsync(delivery.BasicValues(name).With("Input.Password", password));
        return await delivery.IdOfAsync(name);
    }

    private Task<MailServer> StoredAsync(int id) => App.WithDbAsync(db => db.MailServers.AsNoTracking().SingleAsync(s => s.Id == id));

    private static MailServerValues BasicValues(MailServerDetails s) =>
        new(s.Name, s.Host, s.Port, s.Security, s.UserName, s.SenderEmail, s.SenderName, s.IsDefault, s.RequiresAuthentication, s.Login, null, false)
        {
            AuthenticationType = s.AuthenticationType,
        };
}
