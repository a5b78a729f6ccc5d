using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace MailServerAdmin.OAuth;

/// <summary>PKCE values and the parts of token answers this app reads.</summary>
public static class OAuthTokens
{
    public static string NewCodeVerifier() => Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string S256(string verifier) => Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    public static string NewState() => Base64Url(RandomNumberGenerator.GetBytes(32));

    /// <summary>
    /// The account named by an ID token (e-mail, else preferred_username or upn). The token comes straight from the
    /// provider's token endpoint over TLS, so its claims are read without checking the signature.
    /// </summary>
    public static string? AccountFromIdToken(string? idToken)
    {
        if (string.IsNullOrEmpty(idToken))
        {
            return null;
        }

        var parts = idToken.Split('.');
        if (parts.Length < 2)
        {
            return null;
        }

        try
        {
            using var payload = JsonDocument.Parse(FromBase64Url(parts[1]));
            foreach (var claim in new[] { "email", "preferred_username", "upn" })
            {
                if (payload.RootElement.TryGetProperty(claim, out var value) && value.ValueKind == JsonValueKind.String)
                {
                    return value.GetString();
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            return null;
        }

        return null;
    }

    public static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string value)
    {
        var s = value.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
    }
}
