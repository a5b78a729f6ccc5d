using System.Collections.Concurrent;
using MailServerAdmin.Data;
using MailServerAdmin.Localization;
using MailServerAdmin.MailServers;
using MailServerAdmin.OAuth;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Sending;

/// <summary>
/// What a send needs from the default server, or from a server named by the caller: where it is, the sender, and the
/// decrypted credential, kept in memory (never logged, never written anywhere) so that a send neither loads the whole
/// row nor decrypts again. Every send first reads the row's stamp (its id, <see cref="MailServer.Version"/>,
/// <see cref="MailServer.TokenVersion"/> and token times: one small indexed query); whatever another request or another
/// instance changed shows there, and the row is then read again. Every write that changes what sending uses renews one
/// of the two versions (the store's saves, the default switch, the token keeper's refreshes and revocations) or takes
/// the row away (delete, another default). A cached OAuth token is handed out only when <see cref="TokenKeeper"/> says it
/// would hand it out unchanged; otherwise the send asks the keeper, as it would without this cache. A secret that cannot
/// be read is never kept.
/// </summary>
public sealed class SendingTargets(SecretVault vault, TokenKeeper tokens)
{
    private const string DefaultKey = "\u0001default";

    private static readonly Func<AppDbContext, CancellationToken, Task<ServerStamp?>> DefaultStamp = EF.CompileAsyncQuery(
        (AppDbContext db, CancellationToken ct) => db.MailServers
            .Where(s => s.IsDefault)
            .Select(s => new ServerStamp(s.Id, s.Version, s.TokenVersion, s.TokensObtainedUtc, s.TokensRefreshedUtc, s.AccessTokenExpiresUtc))
            .SingleOrDefault());

    private static readonly Func<AppDbContext, string, CancellationToken, Task<ServerStamp?>> NamedStamp = EF.CompileAsyncQuery(
        (AppDbContext db, string normalizedName, CancellationToken ct) => db.MailServers
            .Where(s => s.NormalizedName == normalizedName)
            .Select(s => new ServerStamp(s.Id, s.Version, s.TokenVersion, s.TokensObtainedUtc, s.TokensRefreshedUtc, s.AccessTokenExpiresUtc))
            .SingleOrDefault());

    private static readonly Func<AppDbContext, int, CancellationToken, Task<MailServer?>> ById = EF.CompileAsyncQuery(
        (AppDbContext db, int id, CancellationToken ct) => db.MailServers.AsNoTracking().SingleOrDefault(s => s.Id == id));

    private readonly ConcurrentDictionary<string, SendingTarget> _targets = new(StringComparer.Ordinal);

    /// <summary>
    /// The default server (<paramref name="serverName"/> null) or the one of that name (ignoring case), as it is stored now.
    /// </summary>
    /// <exception cref="InvalidOperationException">No server is the default, or none has that name.</exception>
    internal async Task<(SendingTarget Target, StoredTokenTimes Times)> FindAsync(AppDbContext db, string? serverName, CancellationToken ct)
    {
        var key = serverName is null ? DefaultKey : MailServer.NormalizeName(serverName);
        var stamp = serverName is null ? await DefaultStamp(db, ct) : await NamedStamp(db, key, ct);
        if (stamp is null)
        {
            _targets.TryRemove(key, out _);
            throw NotFound(serverName);
        }

        var times = new StoredTokenTimes(stamp.TokensObtainedUtc, stamp.TokensRefreshedUtc, stamp.AccessTokenExpiresUtc);
        if (_targets.TryGetValue(key, out var cached) && cached.Id == stamp.Id && cached.Version == stamp.Version && cached.TokenVersion == stamp.TokenVersion)
        {
            return (cached, times);
        }

        var row = await ById(db, stamp.Id, ct);
        if (row is null)
        {
            // Deleted between the two reads.
            _targets.TryRemove(key, out _);
            throw NotFound(serverName);
        }

        var target = Build(row);
        if (target.Failure is null)
        {
            _targets[key] = target;
        }
        else
        {
            _targets.TryRemove(key, out _);
        }

        // The row may be newer than the stamp: its own times go with its own token.
        return (target, StoredTokenTimes.Of(row));
    }

    /// <summary>
    /// Compiles and runs the queries of a send, and reads the default server in (decrypting what a send would): what the
    /// first send would do, without sending.
    /// </summary>
    internal async Task WarmUpAsync(AppDbContext db, CancellationToken ct)
    {
        _ = await NamedStamp(db, DefaultKey, ct);
        if (await DefaultStamp(db, ct) is null)
        {
            _ = await ById(db, 0, ct);
            return;
        }

        _ = await FindAsync(db, serverName: null, ct);
    }

    internal static InvalidOperationException NotFound(string? serverName) => new(serverName is null
        ? "No mail server is the default: make one the default in MailServerAdmin."
        : $"There is no mail server named '{serverName}'.");

    private SendingTarget Build(MailServer server)
    {
        var endpoint = new SmtpEndpoint(server.Host, server.Port, server.Security, null, server.CertificatePin);
        SmtpFailure? failure = null;
        string? accessToken = null;
        if (server.AuthenticationType == AuthenticationType.OAuth)
        {
            // Used only while the keeper would hand it out as it is; null (unreadable, none) sends every use to the keeper.
            accessToken = tokens.StoredAccessToken(server);
        }
        else if (server.RequiresAuthentication && server.Login is not null)
        {
            // The password decrypts only for the destination it was saved with.
            var password = vault.Read(SecretField.Password, server.Id, MailServerSettings.Of(server), server.ProtectedPassword);
            if (password.State == SecretState.Unreadable)
            {
                failure = new SmtpFailure(SmtpStep.Authenticate, SmtpFailureKind.AuthenticationFailed,
                    LocalizableText.Of("Smtp_PasswordUnreadable"), LocalizableText.Of("Smtp_PasswordUnreadable_Hint"), null);
            }
            else if (password.Value is not null)
            {
                endpoint = endpoint with { Credential = new BasicCredential(server.Login, password.Value) };
            }
        }

        return new SendingTarget(server.Id, server.Version, server.TokenVersion, server.SenderEmail, server.SenderName, endpoint)
        {
            IsOAuth = server.AuthenticationType == AuthenticationType.OAuth,
            OAuthUser = server.UserName ?? server.SenderEmail,
            AccessToken = accessToken,
            Failure = failure,
        };
    }

    private sealed record ServerStamp(
        int Id, Guid Version, Guid TokenVersion, DateTime? TokensObtainedUtc, DateTime? TokensRefreshedUtc, DateTime? AccessTokenExpiresUtc);
}

/// <summary>
/// One stored server as sending uses it. <see cref="Endpoint"/> has the Basic credential (none for OAuth: its token is
/// decided per send); <see cref="Failure"/> is set when the stored password cannot be read.
/// </summary>
internal sealed record SendingTarget(int Id, Guid Version, Guid TokenVersion, string SenderEmail, string? SenderName, SmtpEndpoint Endpoint)
{
    public bool IsOAuth { get; init; }

    public string OAuthUser { get; init; } = "";

    /// <summary>The stored access token as of <see cref="TokenVersion"/>, decrypted; null when none or unreadable.</summary>
    public string? AccessToken { get; init; }

    public SmtpFailure? Failure { get; init; }

    public override string ToString() => $"{nameof(SendingTarget)} {{ Id = {Id}, Host = {Endpoint.Host}, Port = {Endpoint.Port} }}";
}
