using System.Collections.Concurrent;

namespace MailServerAdmin.MailServers;

/// <summary>
/// Whether a listed server has a stored secret that can no longer be decrypted, remembered per row. Decrypting up to four
/// secrets per row on every view of the list costs more than everything else the row needs, and the answer only changes
/// when a ciphertext changes (told by its last characters, its authentication tag), when the settings a secret is bound
/// to change (a new <see cref="MailServer.Version"/>), or when the key ring changes — which this process only sees at its
/// start, so remembering in memory stays correct: a restart with another key ring starts with nothing remembered. So the
/// list reads only the ends of the ciphertexts, and the whole ciphertexts of the rows whose answer is not remembered.
/// </summary>
public sealed class SecretReadability(SecretVault vault)
{
    /// <summary>
    /// How much of the end of a ciphertext tells it apart: Data Protection ends every payload with its authentication tag
    /// (an HMAC), so a new ciphertext, even of the same secret, ends differently.
    /// </summary>
    public const int TailLength = 16;

    /// <summary>Rows remembered at most (a few MB); past that everything is forgotten and remembered again as viewed.</summary>
    private const int MaxRows = 50_000;

    private readonly ConcurrentDictionary<int, (Stamp Stamp, bool Unreadable)> _rows = new();

    /// <summary>
    /// The remembered answer for a row read whole or with only the ends of its ciphertexts (<see cref="TailLength"/>), or
    /// null when it must be worked out from the whole row (<see cref="HasUnreadableSecret"/>).
    /// </summary>
    public bool? Known(MailServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return _rows.TryGetValue(server.Id, out var known) && known.Stamp == Stamp.Of(server) ? known.Unreadable : null;
    }

    /// <summary>Decrypts the whole row's secrets (its ciphertexts read) and remembers the answer.</summary>
    public bool HasUnreadableSecret(MailServer server)
    {
        if (Known(server) is { } known)
        {
            return known;
        }

        var unreadable = vault.StateOf(server).AnyUnreadable;
        if (_rows.Count >= MaxRows)
        {
            _rows.Clear();
        }

        _rows[server.Id] = (Stamp.Of(server), unreadable);
        return unreadable;
    }

    /// <summary>What the answer depends on: the row's versions, its secret scheme and the ciphertexts (by their ends).</summary>
    private readonly record struct Stamp(Guid Version, Guid TokenVersion, int Scheme, int Secrets)
    {
        public static Stamp Of(MailServer s) => new(
            s.Version, s.TokenVersion, s.SecretScheme,
            HashCode.Combine(Tail(s.ProtectedPassword), Tail(s.ProtectedClientSecret), Tail(s.ProtectedCertificate),
                Tail(s.ProtectedServiceAccountKey), Tail(s.ProtectedAccessToken), Tail(s.ProtectedRefreshToken)));

        private static string? Tail(string? ciphertext) =>
            ciphertext is null || ciphertext.Length <= TailLength ? ciphertext : ciphertext[^TailLength..];
    }
}
