using System.Collections.Concurrent;

namespace MailServerAdmin.MailServers;

/// <summary>
/// Whether a listed server has a stored secret that can no longer be decrypted, remembered per row. Decrypting up to four
/// secrets per row on every view of the list costs more than everything else the row needs, and the answer only changes
/// when a secret is written (a new ciphertext, with a new <see cref="MailServer.Version"/> or
/// <see cref="MailServer.TokenVersion"/>), when the settings a secret is bound to change (a new Version), or when the key
/// ring changes — which this process only sees at its start, so remembering in memory stays correct: a restart with
/// another key ring starts with nothing remembered.
/// </summary>
public sealed class SecretReadability(SecretVault vault)
{
    /// <summary>Rows remembered at most (a few MB); past that everything is forgotten and remembered again as viewed.</summary>
    private const int MaxRows = 50_000;

    private readonly ConcurrentDictionary<int, (Stamp Stamp, bool Unreadable)> _rows = new();

    public bool HasUnreadableSecret(MailServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var stamp = Stamp.Of(server);
        if (_rows.TryGetValue(server.Id, out var known) && known.Stamp == stamp)
        {
            return known.Unreadable;
        }

        var secrets = vault.StateOf(server);
        var unreadable = secrets.AnyUnreadable;
        if (_rows.Count >= MaxRows)
        {
            _rows.Clear();
        }

        _rows[server.Id] = (stamp, unreadable);
        return unreadable;
    }

    /// <summary>What the answer depends on: the row's versions, its secret scheme and the ciphertexts themselves.</summary>
    private readonly record struct Stamp(Guid Version, Guid TokenVersion, int Scheme, int Secrets)
    {
        public static Stamp Of(MailServer s) => new(
            s.Version, s.TokenVersion, s.SecretScheme,
            HashCode.Combine(s.ProtectedPassword, s.ProtectedClientSecret, s.ProtectedCertificate, s.ProtectedServiceAccountKey, s.ProtectedAccessToken, s.ProtectedRefreshToken));
    }
}
