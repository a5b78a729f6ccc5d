using System.Collections.Concurrent;
using MailServerAdmin.Audit;
using MailServerAdmin.Data;
using MailServerAdmin.Localization;
using MailServerAdmin.MailServers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using static MailServerAdmin.Localization.LocalizableText;

namespace MailServerAdmin.OAuth;

/// <summary>
/// Keeps OAuth servers' tokens working: refreshes an access token before it expires, always stores a rotated refresh
/// token and never erases one, one refresh at a time per server in this process, and across processes the row's
/// token version keeps a stale refresh from overwriting newer tokens.
/// </summary>
public sealed partial class TokenKeeper(
    IServiceScopeFactory scopes, OAuthClients clients, SecretVault vault, IHttpClientFactory httpClients, IOptions<OAuthOptions> options,
    TimeProvider time, ILogger<TokenKeeper> logger)
{
    /// <summary>An access token that expires sooner than this is refreshed before use.</summary>
    public static readonly TimeSpan RefreshBefore = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<int, SemaphoreSlim> _gates = new();

    /// <summary>A usable access token for the server, refreshed first when it expires within five minutes.</summary>
    public async Task<string> GetAccessTokenAsync(int serverId, CancellationToken ct)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var current = await db.MailServers.AsNoTracking().SingleOrDefaultAsync(s => s.Id == serverId, ct)
                ?? throw new TokenUnavailableException(Of("Token_ServerGone"));
            if (IsFresh(current.AccessTokenExpiresUtc) && Read(current, SecretField.AccessToken) is { } token)
            {
                return token;
            }
        }

        return await RefreshAsync(serverId, force: false, ct);
    }

    /// <summary>Refreshes now (or, unless forced, only when still needed once it is this caller's turn).</summary>
    public async Task<string> RefreshAsync(int serverId, bool force, CancellationToken ct)
    {
        var gate = _gates.GetOrAdd(serverId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
            var store = scope.ServiceProvider.GetRequiredService<MailServerStore>();
            var server = await db.MailServers.SingleOrDefaultAsync(s => s.Id == serverId, ct)
                ?? throw new TokenUnavailableException(Of("Token_ServerGone"));
            if (server.AuthenticationType != AuthenticationType.OAuth)
            {
                throw new TokenUnavailableException(Of("Token_NotOAuth"));
            }

            // Another caller may have refreshed while this one waited.
            if (!force && IsFresh(server.AccessTokenExpiresUtc) && Read(server, SecretField.AccessToken) is { } fresh)
            {
                return fresh;
            }

            var settings = MailServerSettings.Of(server);
            var refreshToken = vault.Read(SecretField.RefreshToken, server.Id, settings, server.ProtectedRefreshToken);
            // App-only servers never have a refresh token: a new token is obtained with their stored credential instead.
            var appOnly = OAuthProviderDescriptor.Find(server.OAuthProvider!.Value)?.IsAppOnly == true;
            if (refreshToken.State == SecretState.None && !appOnly)
            {
                throw new TokenUnavailableException(Of("Token_NoRefreshToken"), Of("Token_NoRefreshToken_Hint"));
            }

            if (refreshToken.State == SecretState.Unreadable)
            {
                throw new TokenUnavailableException(Of("Token_Unreadable"), Of("Token_Unreadable_Hint"));
            }

            TokenSet tokens;
            try
            {
                tokens = appOnly
                    ? await scope.ServiceProvider.GetRequiredService<AppOnlyTokens>().RenewAsync(server, ct)
                    : await clients.For(server.OAuthProvider!.Value).RefreshAsync(Settings(server), refreshToken.Value!, ct);
            }
            catch (OAuthException ex)
            {
                await RecordFailureAsync(db, audit, server, ex, ct);
                throw new TokenUnavailableException(Of("Token_RefreshFailed", ex.DescriptionText), Hint(ex), ex);
            }

            // Always keep the newest refresh token; an answer without one keeps the stored one.
            var rotated = store.ApplyRefreshedTokens(server, tokens with { RefreshToken = tokens.RefreshToken == refreshToken.Value ? null : tokens.RefreshToken });
            audit.Record(AuditAction.TokensRefreshed, server.Id, server.Name, rotated ? ["AccessToken", "RefreshToken"] : ["AccessToken"],
                rotated ? AuditDetails.RefreshTokenRotated : null);
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateConcurrencyException)
            {
                // Someone saved the server (new tokens, other settings) or another instance refreshed meanwhile:
                // theirs win, and their access token is used when it is fresh.
                LogStaleRefresh(logger, server.Id);
                db.ChangeTracker.Clear();
                var newer = await db.MailServers.AsNoTracking().SingleOrDefaultAsync(s => s.Id == serverId, ct);
                return newer is not null && IsFresh(newer.AccessTokenExpiresUtc) && Read(newer, SecretField.AccessToken) is { } token
                    ? token
                    : throw new TokenUnavailableException(Of("Token_ChangedMeanwhile"), Of("Token_ChangedMeanwhile_Hint"));
            }

            LogRefreshed(logger, server.Id, rotated);
            return tokens.AccessToken;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Revokes the grant at the provider's revocation endpoint and clears the stored tokens.</summary>
    public async Task RevokeAsync(int serverId, CancellationToken ct)
    {
        var gate = _gates.GetOrAdd(serverId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
            var server = await db.MailServers.SingleOrDefaultAsync(s => s.Id == serverId, ct)
                ?? throw new TokenUnavailableException(Of("Token_ServerGone"));
            // The tokens decrypt only for the revocation URL they were saved with.
            var token = Read(server, SecretField.RefreshToken) ?? Read(server, SecretField.AccessToken);
            if (string.IsNullOrEmpty(server.RevocationUrl) || token is null)
            {
                throw new TokenUnavailableException(Of("Token_NothingToRevoke"));
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.Value.Timeout);
            HttpResponseMessage response;
            try
            {
                using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token });
                response = await httpClients.CreateClient(ManualOAuthClient.HttpClientName)
                    .PostAsync(new Uri(Settings(server).Resolve(server.RevocationUrl)!), content, timeout.Token);
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
            {
                throw new TokenUnavailableException(Of("Token_RevocationUnreachable", ex.Message), Of("Token_RevocationUnreachable_Hint"), ex);
            }

            using (response)
            {
                var body = await response.Content.ReadAsStringAsync(ct);
                // An already revoked or expired token is reported as invalid_token: it is gone either way.
                if (!response.IsSuccessStatusCode && !body.Contains("invalid_token", StringComparison.Ordinal))
                {
                    throw new TokenUnavailableException(Of("Token_RevocationRefused", (int)response.StatusCode), Of("Token_RevocationRefused_Hint"));
                }
            }

            server.ProtectedAccessToken = null;
            server.ProtectedRefreshToken = null;
            server.AccessTokenExpiresUtc = null;
            server.TokenError = null;
            server.TokenErrorUtc = null;
            server.TokenNeedsAuthorization = true;
            server.TokenVersion = Guid.NewGuid();
            audit.Record(AuditAction.TokensRevoked, server.Id, server.Name, ["AccessToken", "RefreshToken"]);
            await db.SaveChangesAsync(ct);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The provider settings of a stored server, with its client secret when it can be read.</summary>
    public OAuthSettings Settings(MailServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return new(
            server.OAuthProvider ?? OAuthProvider.Manual, server.Tenant, server.ClientId ?? "", Read(server, SecretField.ClientSecret),
            server.AuthorizationUrl, server.TokenUrl ?? "", server.RevocationUrl, server.Scopes);
    }

    /// <summary>A stored secret of the server, for the server's own settings; null when absent or unreadable.</summary>
    private string? Read(MailServer server, SecretField field) => vault.Read(field, server.Id, MailServerSettings.Of(server), field switch
    {
        SecretField.AccessToken => server.ProtectedAccessToken,
        SecretField.RefreshToken => server.ProtectedRefreshToken,
        SecretField.ClientSecret => server.ProtectedClientSecret,
        _ => server.ProtectedPassword,
    }).Value;

    private bool IsFresh(DateTime? expiresUtc) => expiresUtc is null || expiresUtc.Value - time.GetUtcNow().UtcDateTime > RefreshBefore;

    private async Task RecordFailureAsync(AppDbContext db, AuditLog audit, MailServer server, OAuthException ex, CancellationToken ct)
    {
        // Kept as a text the pages show in each administrator's language (in English when it would not fit the column).
        var error = Join(" ", [ex.DescriptionText, Hint(ex)]);
        var stored = error.ToJson();
        server.TokenError = stored.Length <= MailServerLimits.TokenError ? stored : Truncate(error.ToString(), MailServerLimits.TokenError);
        server.TokenErrorUtc = time.GetUtcNow().UtcDateTime;
        server.TokenNeedsAuthorization = ex.Error is "invalid_grant";
        audit.Record(AuditAction.TokenRefreshFailed, server.Id, server.Name, detail: Truncate($"{ex.Error}: {ex.Description}", 500));
        LogRefreshFailed(logger, server.Id, ex.Error);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // The server changed meanwhile; its new state stands.
        }
    }

    private static LocalizableText Hint(OAuthException ex) => ex.Error == "invalid_grant"
        ? Of("Token_RefreshTokenRejected_Hint")
        : ex.HintText;

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];

    [LoggerMessage(Level = LogLevel.Information, Message = "Refreshed the OAuth tokens of mail server {ServerId} (refresh token rotated: {Rotated})")]
    private static partial void LogRefreshed(ILogger logger, int serverId, bool rotated);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing the OAuth tokens of mail server {ServerId} failed: {Error}")]
    private static partial void LogRefreshFailed(ILogger logger, int serverId, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mail server {ServerId} changed while its tokens were refreshed; the refresh was discarded")]
    private static partial void LogStaleRefresh(ILogger logger, int serverId);
}

/// <summary>
/// No access token can be had: <see cref="MessageText"/> says why, <see cref="HintText"/> what to do (when there is
/// something to do). <see cref="Exception.Message"/> and <see cref="Hint"/> are the English texts.
/// </summary>
public sealed class TokenUnavailableException(LocalizableText message, LocalizableText? hint = null, Exception? inner = null)
    : Exception(message?.ToString(), inner)
{
    public LocalizableText MessageText { get; } = message ?? throw new ArgumentNullException(nameof(message));

    public LocalizableText? HintText { get; } = hint;

    public string Hint => HintText?.ToString() ?? "";
}
