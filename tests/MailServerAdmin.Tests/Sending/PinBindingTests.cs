using System.Security.Cryptography;
using System.Text;
using MailServerAdmin.MailServers;
using MailServerAdmin.OAuth;

namespace MailServerAdmin.Tests.Sending;

/// <summary>The pin is part of where the password and tokens may go, without moving the secrets of servers that have none.</summary>
public sealed class PinBindingTests
{
    private const string Pin = "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";
    private const string OtherPin = "FF:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF";

    private static readonly MailServerSettings Basic = new("relay.example.com", 587, SmtpSecurity.StartTls, AuthenticationType.Basic);

    private static readonly MailServerSettings OAuth = new(
        "smtp.example.com", 587, SmtpSecurity.StartTls, AuthenticationType.OAuth, OAuthProvider.Manual, null, "client-1",
        "https://id.example.com/authorize", "https://id.example.com/token", "https://id.example.com/revoke");

    [Fact]
    public void A_server_without_a_pin_keeps_the_binding_its_secrets_were_encrypted_with()
    {
        // The digests as they were before pins existed: what the stored ciphertexts' purposes hold.
        Assert.Equal(Digest("relay.example.com", "587", "StartTls"), SecretPolicy.Binding(SecretField.Password, Basic));
        Assert.Equal(
            Digest("Manual", "client-1", "", "https://id.example.com/token", "https://id.example.com/revoke", "smtp.example.com", "587", "StartTls"),
            SecretPolicy.Binding(SecretField.RefreshToken, OAuth));
        Assert.Equal(SecretPolicy.Binding(SecretField.Password, Basic), SecretPolicy.Binding(SecretField.Password, Basic with { CertificatePin = "" }));
    }

    [Fact]
    public void Pinning_changing_or_removing_the_pin_moves_the_password_and_the_tokens_but_not_the_client_secret()
    {
        var pinned = Basic with { CertificatePin = Pin };
        Assert.NotEqual(SecretPolicy.Binding(SecretField.Password, Basic), SecretPolicy.Binding(SecretField.Password, pinned));
        Assert.Equal(SecretChange.CertificatePin, SecretPolicy.Change(SecretField.Password, Basic, pinned));
        Assert.Equal(SecretChange.CertificatePin, SecretPolicy.Change(SecretField.Password, pinned, Basic));
        Assert.Equal(SecretChange.CertificatePin, SecretPolicy.Change(SecretField.Password, pinned, pinned with { CertificatePin = OtherPin }));
        Assert.Null(SecretPolicy.Change(SecretField.Password, pinned, pinned with { CertificatePin = Pin.ToLowerInvariant() }));
        Assert.Equal(SecretChange.Destination, SecretPolicy.Change(SecretField.Password, pinned, pinned with { Port = 465, CertificatePin = OtherPin }));

        var oauthPinned = OAuth with { CertificatePin = Pin };
        Assert.Equal(SecretChange.CertificatePin, SecretPolicy.Change(SecretField.AccessToken, OAuth, oauthPinned));
        Assert.Equal(SecretChange.CertificatePin, SecretPolicy.Change(SecretField.RefreshToken, OAuth, oauthPinned));
        Assert.Null(SecretPolicy.Change(SecretField.ClientSecret, OAuth, oauthPinned));
        Assert.Equal(SecretPolicy.Binding(SecretField.ClientSecret, OAuth), SecretPolicy.Binding(SecretField.ClientSecret, oauthPinned));
    }

    [Fact]
    public void Saving_a_new_pin_without_the_password_or_new_tokens_is_refused()
    {
        var basicStored = new StoredSecrets(Basic, SecretState.Readable, SecretState.None, SecretState.None, SecretState.None);
        var basicValues = new MailServerValues("Relay", Basic.Host, Basic.Port, Basic.Security, null, "noreply@example.com", null, false, true, "relay", null, false)
        {
            AuthenticationType = AuthenticationType.Basic,
            CertificatePin = Pin,
        };
        Assert.Equal(
            [new ServerProblem(RequiredField.Password, ProblemKind.MustBeRetyped, SecretChange.CertificatePin)],
            SecretPolicy.Evaluate(basicStored, basicValues).Problems);
        Assert.True(SecretPolicy.Evaluate(basicStored, basicValues with { NewPassword = "typed again" }).IsAllowed);
        Assert.True(SecretPolicy.Evaluate(basicStored, basicValues with { CertificatePin = null }).IsAllowed);

        var oauthStored = new StoredSecrets(OAuth, SecretState.None, SecretState.Readable, SecretState.Readable, SecretState.Readable);
        var oauthValues = new MailServerValues("Cloud", OAuth.Host, OAuth.Port, OAuth.Security, "alice@example.com", "alice@example.com", null, false, true, null, null, false)
        {
            AuthenticationType = AuthenticationType.OAuth,
            OAuth = new OAuthValues(OAuthProvider.Manual, null, OAuth.ClientId, OAuth.AuthorizationUrl, OAuth.TokenUrl, OAuth.RevocationUrl, null),
            CertificatePin = Pin,
        };
        var verdict = SecretPolicy.Evaluate(oauthStored, oauthValues);
        Assert.Equal(
            [RequiredField.AccessToken, RequiredField.RefreshToken],
            verdict.Problems.Select(p => p.Field));
        Assert.All(verdict.Problems, p => Assert.Equal((ProblemKind.MustBeRetyped, SecretChange.CertificatePin), (p.Kind, p.Change)));
        Assert.True(verdict.Keeps(SecretField.ClientSecret));
    }

    [Fact]
    public void The_store_takes_only_a_fingerprint_as_a_pin()
    {
        var values = new MailServerValues("Relay", "relay.example.com", 587, SmtpSecurity.StartTls, null, "noreply@example.com", null, false, false, null, null, false);

        Assert.Equal(Pin, (values with { CertificatePin = Pin.Replace(":", "", StringComparison.Ordinal).ToLowerInvariant() }).CertificatePin);
        Assert.Null((values with { CertificatePin = " " }).CertificatePin);
        Assert.Throws<ArgumentException>(() => values with { CertificatePin = "AB:CD" });
    }

    private static string Digest(params string[] parts) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', parts))));
}
