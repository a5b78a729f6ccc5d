using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MailServerAdmin.OAuth;

/// <summary>
/// What a Microsoft server keeps as its refresh-token secret: MSAL's own token cache for that server, serialized with
/// MSAL's <c>SerializeMsalV3</c> (it holds the refresh token MSAL rotates, never read by this app), and the home
/// account id to find the account in it. Stored encrypted like every other secret, in the refresh-token column, so that
/// the save rule, the form and the key-loss handling treat it as the refresh token it stands for.
/// </summary>
internal sealed record MsalTokenCacheSecret(
    [property: JsonPropertyName("msal")] string Format,
    [property: JsonPropertyName("account")] string HomeAccountId,
    [property: JsonPropertyName("cache")] byte[] Cache)
{
    private const string Version = "v3";
    private const string Marker = "{\"msal\":\"" + Version + "\",";

    /// <summary>MSAL's serialized cache (<c>SerializeMsalV3</c>) and the account it holds.</summary>
    public static MsalTokenCacheSecret Of(string homeAccountId, byte[] cache) => new(Version, homeAccountId, cache);

    public string Write() => JsonSerializer.Serialize(this);

    /// <summary>A stored secret written by <see cref="Write"/>; false for a plain refresh token (an earlier version's).</summary>
    public static bool TryRead(string? stored, [NotNullWhen(true)] out MsalTokenCacheSecret? secret)
    {
        secret = null;
        if (stored is null || !stored.StartsWith(Marker, StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            secret = JsonSerializer.Deserialize<MsalTokenCacheSecret>(stored);
        }
        catch (JsonException)
        {
            return false;
        }

        return secret is { Format: Version, HomeAccountId.Length: > 0, Cache.Length: > 0 };
    }
}
