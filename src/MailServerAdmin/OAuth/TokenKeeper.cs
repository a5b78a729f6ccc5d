using System.Diagnostics;
using System.Runtime.ExceptionServices;
using MailServerAdmin.Audit;
using MailServerAdmin.Data;
using MailServerAdmin.Localization;
using MailServerAdmin.MailServers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using static MailServerAdmin.Localization.LocalizableText;

namespace MailServerAdmin.OAuth;

/// <summary>
/// Keeps OAuth servers' tokens working, across every process that shares the database:
/// <list type="bullet">
/// <item>an access token is refreshed when less than the smaller of five minutes and a fifth of its lifetime is left;</item>
/// <item>one refresh per server at a time across processes: only the process that took the row's refresh lease (a
/// conditional update) redeems the refresh token; the others wait for its answer by re-reading the row, and never
/// present a refresh token that may be being redeemed;</item>
/// <item>callers in one process share one attempt per server, its success or its failure;</item>
/// <item>once the request is sent, the provider's answer is stored whatever happens to the caller (it only stops
/// waiting) or to the app (stopping waits for it, and no refresh starts while stopping);</item>
/// <item>after a failure, no refresh is tried before a back-off with jitter has passed, and a still-valid access token
/// is used meanwhile; after <c>invalid_grant</c> none is tried until new tokens are stored;</item>
/// <item>the audit log gets the changes of state (started failing, recovered, needs authorization), not routine refreshes.</item>
/// </list>
/// </summary>
public sealed partial class TokenKeeper : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(150);

    private readonly IServiceScopeFactory _scopes;
    private readonly OAuthClients _clients;
    private readonly SecretVault _vault;
    private readonly IHttpClientFactory _httpClients;
    private readonly OAuthOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<TokenKeeper> _logger;
    private readonly Dictionary<int, Task<RefreshOutcome>> _attempts = [];
    private readonly AppOnlyTokens _appOnlyTokens;
    private readonly Lock _attemptsLock = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenRegistration _stoppingRegistration;
    private readonly string _holder = $"{Environment.MachineName}, process {Environment.ProcessId}, {Guid.NewGuid().ToString("N")[..6]}";
    private bool _disposed;

    public TokenKeeper(
        IServiceScopeFactory scopes, OAuthClients clients, AppOnlyTokens appOnlyTokens, SecretVault vault, IHttpClientFactory httpClients,
        IOptions<OAuthOptions> options, TimeProvider time, ILogger<TokenKeeper> logger, IHostApplicationLifetime? lifetime = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _scopes = scopes;
        _clients = clients;
        _appOnlyTokens = appOnlyTokens;
        _vault = vault;
        _httpClients = httpClients;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _stoppingRegistration = lifetime?.ApplicationStopping.Register(_stopping.Cancel) ?? default;
    }

    /// <summary>An access token that expires sooner than this is always refreshed before use (see <see cref="TokenTiming"/>).</summary>
    public static TimeSpan RefreshBefore => TokenTiming.MaxRefreshAhead;

    /// <summary>Who this process is in a lease (host name, process id and an instance tag).</summary>
    public string Holder => _holder;

    private DateTime Now => _time.GetUtcNow().UtcDateTime;

    /// <summary>
    /// A usable access token for the server: the stored one, refreshed first when it is due. After a failed refresh the
    /// stored token is used while it is valid; without one, the failure is reported without asking the provider again
    /// before the back-off is over (or, after <c>invalid_grant</c>, before new tokens are stored).
    /// </summary>
    public async Task<string> GetAccessTokenAsync(int serverId, CancellationToken ct)
    {
        var row = await ReadRowAsync(serverId, ct);
        var now = Now;
        var current = Read(row, SecretField.AccessToken);
        var usable = current is not null && TokenTiming.IsUsable(row.AccessTokenExpiresUtc, now);
        if (current is not null && HandsOut(StoredTokenTimes.Of(row), now))
        {
            return current;
        }

        if (row.TokenNeedsAuthorization || row.TokenRetryAfterUtc > now)
        {
            return usable ? current! : throw Failing(row);
        }

        var outcome = await JoinAsync(serverId, new RefreshRequest(Trigger.Use), ct);
        if (outcome.AccessToken is { } token)
        {
            return token;
        }

        // The refresh failed: the access token that is still valid keeps the mail going meanwhile.
        return usable && TokenTiming.IsUsable(row.AccessTokenExpiresUtc, Now) ? current! : outcome.Throw();
    }

    /// <summary>
    /// Whether <see cref="GetAccessTokenAsync"/> would hand out the stored access token as it is, now, without reading
    /// anything else or asking the provider: the token is usable and not yet due for refresh. The back-off, a refresh
    /// token refused by the provider or a refresh lease held elsewhere change nothing while this holds. (A caller that
    /// keeps the decrypted token must also know it is still the stored one: the row's <see cref="MailServer.TokenVersion"/>.)
    /// </summary>
    public bool HandsOutStored(StoredTokenTimes times) => HandsOut(times, Now);

    /// <summary>
    /// The stored access token of <paramref name="server"/> decrypted for its own settings, as <see cref="GetAccessTokenAsync"/>
    /// reads it; null when there is none or it cannot be read.
    /// </summary>
    public string? StoredAccessToken(MailServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return Read(server, SecretField.AccessToken);
    }

    /// <summary>
    /// Refreshes now (Refresh now on the Check page: an administrator's own action, done even during a back-off), or,
    /// unless <paramref name="force"/>, only when due (as <see cref="GetAccessTokenAsync"/>).
    /// </summary>
    public async Task<string> RefreshAsync(int serverId, bool force, CancellationToken ct)
    {
        if (!force)
        {
            return await GetAccessTokenAsync(serverId, ct);
        }

        string administrator;
        await using (var scope = _scopes.CreateAsyncScope())
        {
            administrator = scope.ServiceProvider.GetRequiredService<IAuditActor>().Name;
        }

        var outcome = await JoinAsync(serverId, new RefreshRequest(Trigger.Manual) { Administrator = administrator }, ct);
        return outcome.AccessToken ?? outcome.Throw();
    }

    /// <summary>
    /// The SMTP server refused <paramref name="rejectedToken"/> although it should be valid (revoked early, clock skew): a
    /// newer stored token if another caller already refreshed, else one refresh (back-off and <c>invalid_grant</c> apply).
    /// </summary>
    public async Task<string> RenewRejectedAsync(int serverId, string rejectedToken, CancellationToken ct)
    {
        var outcome = await JoinAsync(serverId, new RefreshRequest(Trigger.Rejected) { RejectedToken = rejectedToken }, ct);
        return outcome.AccessToken ?? outcome.Throw();
    }

    /// <summary>The background refresher's refresh: done even when not yet due, skipped during a back-off.</summary>
    public async Task<string> RefreshInBackgroundAsync(int serverId, CancellationToken ct)
    {
        var outcome = await JoinAsync(serverId, new RefreshRequest(Trigger.Background), ct);
        return outcome.AccessToken ?? outcome.Throw();
    }

    /// <summary>
    /// Leases found expired: their holder died (or was killed) between asking the provider and storing its answer.
    /// Each is released, logged and shown in its server's health; the next refresh tries once (a provider that had
    /// rotated the refresh token refuses it, and the server then needs a new Get Token).
    /// </summary>
    public async Task<int> ReportInterruptedAsync(CancellationToken ct)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        // Leases exist only while a refresh runs: there is almost never one, and plain SQL spares a query compilation.
        if (!await StartupChecks.AnyAsync(db, """SELECT 1 FROM "MailServers" WHERE "TokenLeaseId" IS NOT NULL""", ct))
        {
            return 0;
        }

        var now = Now;
        var expired = await db.MailServers.AsNoTracking()
            .Where(s => s.TokenLeaseId != null && s.TokenLeaseUntilUtc <= now)
            .ToListAsync(ct);
        var reported = 0;
        foreach (var row in expired)
        {
            reported += await RecordInterruptedAsync(row) ? 1 : 0;
        }

        return reported;
    }

    /// <summary>
    /// The app is stopping: no new refresh starts, and the refreshes already sent are waited for (at most the provider's
    /// time limit and a little), so that their answers are stored.
    /// </summary>
    public async Task StopAsync(CancellationToken ct)
    {
        Task[] running;
        lock (_attemptsLock)
        {
            if (_disposed)
            {
                return;
            }

            running = [.. _attempts.Values];
        }

        await _stopping.CancelAsync();

        if (running.Length == 0)
        {
            return;
        }

        LogWaitingForRefreshes(_logger, running.Length);
        try
        {
            await Task.WhenAll(running).WaitAsync(_options.Timeout + TimeSpan.FromSeconds(10), ct);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            LogStoppedWithRefreshesRunning(_logger, running.Count(t => !t.IsCompleted));
        }
    }

    /// <summary>Revokes the grant at the provider's revocation endpoint and clears the stored tokens.</summary>
    public async Task RevokeAsync(int serverId, CancellationToken ct)
    {
        // A refresh of this process finishes first (its answer is stored, then revoked).
        Task<RefreshOutcome>? running;
        lock (_attemptsLock)
        {
            running = _attempts.GetValueOrDefault(serverId);
        }

        if (running is not null)
        {
            await running.WaitAsync(ct);
        }

        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
        var server = await db.MailServers.AsNoTracking().SingleOrDefaultAsync(s => s.Id == serverId, ct)
            ?? throw new TokenUnavailableException(Of("Token_ServerGone"));
        // The tokens decrypt only for the revocation URL they were saved with.
        var token = Read(server, SecretField.RefreshToken) ?? Read(server, SecretField.AccessToken);
        if (string.IsNullOrEmpty(server.RevocationUrl) || token is null)
        {
            throw new TokenUnavailableException(Of("Token_NothingToRevoke"));
        }

        var leaseId = Guid.NewGuid();
        if (!await TakeLeaseAsync(db, server, leaseId, ct))
        {
            throw new TokenUnavailableException(Of("Token_RefreshInProgress"), Of("Token_RefreshInProgress_Hint"));
        }

        HttpResponseMessage? response = null;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(_options.Timeout);
            try
            {
                using var content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token });
                response = await _httpClients.CreateClient(ManualOAuthClient.HttpClientName)
                    .PostAsync(new Uri(Settings(server).Resolve(server.RevocationUrl)!), content, timeout.Token);
            }
            catch (Exception ex) when (ex is HttpRequestException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
            {
                throw new TokenUnavailableException(Of("Token_RevocationUnreachable", ex.Message), Of("Token_RevocationUnreachable_Hint"), ex);
            }

            var body = await response.Content.ReadAsStringAsync(ct);
            // An already revoked or expired token is reported as invalid_token: it is gone either way.
            if (!response.IsSuccessStatusCode && !body.Contains("invalid_token", StringComparison.Ordinal))
            {
                throw new TokenUnavailableException(Of("Token_RevocationRefused", (int)response.StatusCode), Of("Token_RevocationRefused_Hint"));
            }
        }
        catch
        {
            await ReleaseLeaseAsync(serverId, leaseId);
            throw;
        }
        finally
        {
            response?.Dispose();
        }

        // The provider revoked them: they are cleared whatever happens to the request now.
        await using var transaction = await db.Database.BeginTransactionAsync(CancellationToken.None);
        await db.MailServers.Where(s => s.Id == serverId && s.TokenLeaseId == leaseId).ExecuteUpdateAsync(u => u
            .SetProperty(s => s.ProtectedAccessToken, (string?)null)
            .SetProperty(s => s.ProtectedRefreshToken, (string?)null)
            .SetProperty(s => s.AccessTokenExpiresUtc, (DateTime?)null)
            .SetProperty(s => s.TokenError, (string?)null)
            .SetProperty(s => s.TokenErrorUtc, (DateTime?)null)
            .SetProperty(s => s.TokenFailureCount, 0)
            .SetProperty(s => s.TokenRetryAfterUtc, (DateTime?)null)
            .SetProperty(s => s.TokenNeedsAuthorization, true)
            .SetProperty(s => s.TokenVersion, Guid.NewGuid())
            .SetProperty(s => s.TokenLeaseId, (Guid?)null)
            .SetProperty(s => s.TokenLeaseUntilUtc, (DateTime?)null)
            .SetProperty(s => s.TokenLeaseTakenUtc, (DateTime?)null)
            .SetProperty(s => s.TokenLeaseHolder, (string?)null), CancellationToken.None);
        audit.Record(AuditAction.TokensRevoked, server.Id, server.Name, ["AccessToken", "RefreshToken"]);
        await db.SaveChangesAsync(CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
    }

    /// <summary>The provider settings of a stored server, with its client secret when it can be read.</summary>
    public OAuthSettings Settings(MailServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return new(
            server.OAuthProvider ?? OAuthProvider.Manual, server.Tenant, server.ClientId ?? "", Read(server, SecretField.ClientSecret),
            server.AuthorizationUrl, server.TokenUrl ?? "", server.RevocationUrl, server.Scopes);
    }

    public void Dispose()
    {
        lock (_attemptsLock)
        {
            _disposed = true;
        }

        _stoppingRegistration.Dispose();
        _stopping.Dispose();
    }

    /// <summary>When the stored access token was issued: the later of its Get Token (or paste) and its last refresh.</summary>
    internal static DateTime? IssuedUtc(MailServer server) => StoredTokenTimes.Of(server).IssuedUtc;

    private static bool HandsOut(StoredTokenTimes times, DateTime now) =>
        TokenTiming.IsUsable(times.ExpiresUtc, now) && !TokenTiming.IsDue(times.IssuedUtc, times.ExpiresUtc, now);

    /// <summary>Joins the attempt of this process for the server, or starts one. The caller's token only stops its wait.</summary>
    private async Task<RefreshOutcome> JoinAsync(int serverId, RefreshRequest request, CancellationToken ct)
    {
        Task<RefreshOutcome> attempt;
        lock (_attemptsLock)
        {
            if (!_attempts.TryGetValue(serverId, out attempt!))
            {
                // The attempt belongs to no caller (nor to the request that started it: no HttpContext flows into it).
                using (ExecutionContext.SuppressFlow())
                {
                    attempt = Task.Run(() => RunAttemptAsync(serverId, request));
                }

                _attempts[serverId] = attempt;
                _ = attempt.ContinueWith(
                    done =>
                    {
                        lock (_attemptsLock)
                        {
                            if (_attempts.TryGetValue(serverId, out var current) && current == done)
                            {
                                _attempts.Remove(serverId);
                            }
                        }
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }
        }

        return await attempt.WaitAsync(ct);
    }

    private async Task<RefreshOutcome> RunAttemptAsync(int serverId, RefreshRequest request)
    {
        try
        {
            return new RefreshOutcome(await RefreshOnceAsync(serverId, request), null);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return new RefreshOutcome(null, ExceptionDispatchInfo.Capture(new TokenUnavailableException(Of("Token_Stopping"))));
        }
        catch (Exception ex)
        {
            return new RefreshOutcome(null, ExceptionDispatchInfo.Capture(ex));
        }
    }

    /// <summary>One attempt: use what is stored, wait for another process's refresh, or take the lease and refresh.</summary>
    private async Task<string> RefreshOnceAsync(int serverId, RefreshRequest request)
    {
        var stopping = _stopping.Token;
        var waitUntil = Stopwatch.GetTimestamp() + (long)(_options.WaitForOtherInstance.TotalSeconds * Stopwatch.Frequency);
        Guid? startVersion = null;
        while (true)
        {
            await using var scope = _scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            var row = await ReadRowAsync(db, serverId, stopping);
            startVersion ??= row.TokenVersion;
            var now = Now;
            if (Accepts(request, row, startVersion.Value, now) is { } stored)
            {
                return stored;
            }

            if (row.TokenNeedsAuthorization || (request.Trigger != Trigger.Manual && row.TokenRetryAfterUtc > now))
            {
                throw Failing(row);
            }

            if (row.TokenLeaseId is { } lease)
            {
                if (row.TokenLeaseUntilUtc <= now)
                {
                    await RecordInterruptedAsync(row);
                    continue;
                }

                // Another process is redeeming the refresh token: wait for its answer, never present the same token.
                var settled = await WaitForHolderAsync(db, row, lease, waitUntil, stopping)
                    ?? throw new TokenUnavailableException(
                        Of("Token_OtherInstanceBusy", (int)_options.WaitForOtherInstance.TotalSeconds, row.TokenLeaseHolder ?? ""),
                        Of("Token_OtherInstanceBusy_Hint"));
                if (settled.TokenVersion == row.TokenVersion && settled.TokenErrorUtc != row.TokenErrorUtc && settled.TokenError is not null
                    && (settled.TokenNeedsAuthorization || settled.TokenRetryAfterUtc > Now))
                {
                    // Its refresh failed: that outcome is this attempt's too.
                    throw Failing(settled);
                }

                continue;
            }

            var refreshToken = _vault.Read(SecretField.RefreshToken, row.Id, MailServerSettings.Of(row), row.ProtectedRefreshToken);
            // App-only servers never have a refresh token: a new token is obtained with their stored credential instead.
            var appOnly = OAuthProviderDescriptor.Find(row.OAuthProvider!.Value)?.IsAppOnly == true;
            if (refreshToken.State == SecretState.None && !appOnly)
            {
                throw new TokenUnavailableException(Of("Token_NoRefreshToken"), Of("Token_NoRefreshToken_Hint"));
            }

            if (refreshToken.State == SecretState.Unreadable)
            {
                throw new TokenUnavailableException(Of("Token_Unreadable"), Of("Token_Unreadable_Hint"));
            }

            // No new refresh while the app stops.
            stopping.ThrowIfCancellationRequested();
            var leaseId = Guid.NewGuid();
            if (!await TakeLeaseAsync(db, row, leaseId, stopping))
            {
                // Another process took it (or stored new tokens) between the read and the update: look again.
                if (Stopwatch.GetTimestamp() > waitUntil)
                {
                    throw new TokenUnavailableException(
                        Of("Token_OtherInstanceBusy", (int)_options.WaitForOtherInstance.TotalSeconds, ""), Of("Token_OtherInstanceBusy_Hint"));
                }

                continue;
            }

            // The point of no return: from here on nothing cancels the request or the storing of its answer.
            return await RedeemAsync(row, appOnly ? null : refreshToken.Value!, leaseId, request);
        }
    }

    /// <summary>A stored access token this attempt may hand out without refreshing, or null.</summary>
    private string? Accepts(RefreshRequest request, MailServer row, Guid startVersion, DateTime now)
    {
        var current = Read(row, SecretField.AccessToken);
        if (current is null || !TokenTiming.IsUsable(row.AccessTokenExpiresUtc, now))
        {
            return null;
        }

        // Refreshed (or replaced by new tokens) since this attempt began.
        if (row.TokenVersion != startVersion)
        {
            return current;
        }

        return request.Trigger switch
        {
            Trigger.Use => TokenTiming.IsDue(IssuedUtc(row), row.AccessTokenExpiresUtc, now) ? null : current,
            Trigger.Rejected => current != request.RejectedToken ? current : null,
            _ => null,
        };
    }

    /// <summary>Re-reads the row until the lease's holder is done (or its lease expired); null when the wait is over.</summary>
    private async Task<MailServer?> WaitForHolderAsync(AppDbContext db, MailServer row, Guid lease, long waitUntil, CancellationToken stopping)
    {
        while (Stopwatch.GetTimestamp() < waitUntil)
        {
            await Task.Delay(PollInterval, _time, stopping);
            var now = await db.MailServers.AsNoTracking().SingleOrDefaultAsync(s => s.Id == row.Id, stopping)
                ?? throw new TokenUnavailableException(Of("Token_ServerGone"));
            if (now.TokenLeaseId != lease || now.TokenVersion != row.TokenVersion || now.TokenLeaseUntilUtc <= Now)
            {
                return now;
            }
        }

        return null;
    }

    /// <summary>Takes the row's refresh lease if it is free (or expired) and the tokens are still the ones read.</summary>
    private async Task<bool> TakeLeaseAsync(AppDbContext db, MailServer row, Guid leaseId, CancellationToken ct)
    {
        var now = Now;
        var until = now + _options.LeaseDuration;
        var taken = await db.MailServers
            .Where(s => s.Id == row.Id && s.TokenVersion == row.TokenVersion && (s.TokenLeaseId == null || s.TokenLeaseUntilUtc <= now))
            .ExecuteUpdateAsync(u => u
                .SetProperty(s => s.TokenLeaseId, leaseId)
                .SetProperty(s => s.TokenLeaseUntilUtc, until)
                .SetProperty(s => s.TokenLeaseTakenUtc, now)
                .SetProperty(s => s.TokenLeaseHolder, _holder), ct);
        return taken == 1;
    }

    private async Task ReleaseLeaseAsync(int serverId, Guid leaseId)
    {
        await using var scope = _scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AppDbContext>().MailServers
            .Where(s => s.Id == serverId && s.TokenLeaseId == leaseId)
            .ExecuteUpdateAsync(u => u
                .SetProperty(s => s.TokenLeaseId, (Guid?)null)
                .SetProperty(s => s.TokenLeaseUntilUtc, (DateTime?)null)
                .SetProperty(s => s.TokenLeaseTakenUtc, (DateTime?)null)
                .SetProperty(s => s.TokenLeaseHolder, (string?)null), CancellationToken.None);
    }

    /// <summary>
    /// Redeems the refresh token (an app-only server, without one: its credential) under the lease and stores the
    /// answer, or the failure; nothing here is cancelled.
    /// </summary>
    private async Task<string> RedeemAsync(MailServer row, string? refreshToken, Guid leaseId, RefreshRequest request)
    {
        TokenSet tokens;
        try
        {
            // Each provider client has its own time limit (OAuth:TimeoutSeconds).
            tokens = refreshToken is null
                ? await _appOnlyTokens.RenewAsync(row, CancellationToken.None)
                : await _clients.For(row.OAuthProvider!.Value).RefreshAsync(Settings(row), refreshToken, CancellationToken.None);
        }
        catch (OAuthException ex)
        {
            throw await RecordFailureAsync(row, leaseId, ex, request);
        }
        catch
        {
            await ReleaseLeaseAsync(row.Id, leaseId);
            throw;
        }

        return await StoreAsync(row, leaseId, tokens with { RefreshToken = refreshToken is null || tokens.RefreshToken == refreshToken ? null : tokens.RefreshToken }, request);
    }

    private async Task<string> StoreAsync(MailServer row, Guid leaseId, TokenSet tokens, RefreshRequest request)
    {
        var none = CancellationToken.None;
        var readVersion = row.TokenVersion;
        var wasFailing = row.TokenError is not null || row.TokenFailureCount > 0;
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
        var rotated = scope.ServiceProvider.GetRequiredService<MailServerStore>().ApplyRefreshedTokens(row, tokens);

        await using var transaction = await db.Database.BeginTransactionAsync(none);
        var written = await WriteTokensAsync(db.MailServers.Where(s => s.Id == row.Id && s.TokenLeaseId == leaseId && s.TokenVersion == readVersion));
        if (written == 0)
        {
            // The lease expired and was taken over, but nobody stored tokens since: this answer (maybe the only valid
            // refresh token) is stored all the same.
            written = await WriteTokensAsync(db.MailServers.Where(s => s.Id == row.Id && s.TokenVersion == readVersion));
            if (written > 0)
            {
                LogLeaseLostAnswerStored(_logger, row.Id);
            }
        }

        if (written == 0)
        {
            // New tokens were saved (Get Token, Revoke) or the server deleted while this refresh ran: those stand.
            await transaction.RollbackAsync(none);
            await ReleaseLeaseAsync(row.Id, leaseId);
            LogStaleRefresh(_logger, row.Id);
            var newer = await db.MailServers.AsNoTracking().SingleOrDefaultAsync(s => s.Id == row.Id, none);
            return newer is not null && TokenTiming.IsUsable(newer.AccessTokenExpiresUtc, Now) && Read(newer, SecretField.AccessToken) is { } token
                ? token
                : throw new TokenUnavailableException(Of("Token_ChangedMeanwhile"), Of("Token_ChangedMeanwhile_Hint"));
        }

        var actor = request.Administrator ?? SystemAuditActor.SystemName;
        if (wasFailing)
        {
            audit.Record(AuditAction.TokenRefreshRecovered, row.Id, row.Name, administrator: actor);
        }

        if (request.Trigger == Trigger.Manual)
        {
            audit.Record(AuditAction.TokensRefreshed, row.Id, row.Name, rotated ? ["AccessToken", "RefreshToken"] : ["AccessToken"],
                rotated ? AuditDetails.RefreshTokenRotated : null, actor);
        }

        await db.SaveChangesAsync(none);
        await transaction.CommitAsync(none);
        LogRefreshed(_logger, row.Id, rotated);
        return tokens.AccessToken;

        Task<int> WriteTokensAsync(IQueryable<MailServer> target) => target.ExecuteUpdateAsync(
            u =>
            {
                u.SetProperty(s => s.ProtectedAccessToken, row.ProtectedAccessToken)
                    .SetProperty(s => s.AccessTokenExpiresUtc, row.AccessTokenExpiresUtc)
                    .SetProperty(s => s.TokensRefreshedUtc, row.TokensRefreshedUtc)
                    .SetProperty(s => s.TokenAccount, row.TokenAccount)
                    .SetProperty(s => s.TokenError, (string?)null)
                    .SetProperty(s => s.TokenErrorUtc, (DateTime?)null)
                    .SetProperty(s => s.TokenNeedsAuthorization, false)
                    .SetProperty(s => s.TokenFailureCount, 0)
                    .SetProperty(s => s.TokenRetryAfterUtc, (DateTime?)null)
                    .SetProperty(s => s.TokenVersion, row.TokenVersion)
                    .SetProperty(s => s.TokenLeaseId, (Guid?)null)
                    .SetProperty(s => s.TokenLeaseUntilUtc, (DateTime?)null)
                    .SetProperty(s => s.TokenLeaseTakenUtc, (DateTime?)null)
                    .SetProperty(s => s.TokenLeaseHolder, (string?)null);
                if (rotated)
                {
                    // A stored refresh token is only ever replaced by a new one, never by nothing.
                    u.SetProperty(s => s.ProtectedRefreshToken, row.ProtectedRefreshToken);
                }
            },
            none);
    }

    /// <summary>Stores a failed refresh on the row (under the lease) and returns what its callers are told.</summary>
    private async Task<TokenUnavailableException> RecordFailureAsync(MailServer row, Guid leaseId, OAuthException ex, RefreshRequest request)
    {
        var none = CancellationToken.None;
        var now = Now;
        var failures = row.TokenFailureCount + 1;
        DateTime? retryAfter = ex.IsInvalidGrant ? null : now + TokenTiming.Backoff(failures, _options.RetryFirst, _options.RetryMax, Random.Shared);
        // An outage is said to be one; a connection that could not be made keeps its own hint (the network, the URL).
        var explanation = ex.IsInvalidGrant ? Of("Token_RefreshTokenRejected_Hint")
            : ex.IsTransient && ex.Error != "network" ? Of("Token_Outage", new UtcTime(retryAfter!.Value))
            : Join(" ", [ex.HintText, Of("Token_NextTry", new UtcTime(retryAfter!.Value))]);
        var error = Join(" ", [ex.DescriptionText, explanation]);
        var stored = Stored(error);

        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
        await using var transaction = await db.Database.BeginTransactionAsync(none);
        var written = await db.MailServers
            .Where(s => s.Id == row.Id && s.TokenLeaseId == leaseId && s.TokenVersion == row.TokenVersion)
            .ExecuteUpdateAsync(
                u => u
                    .SetProperty(s => s.TokenError, stored)
                    .SetProperty(s => s.TokenErrorUtc, now)
                    .SetProperty(s => s.TokenNeedsAuthorization, ex.IsInvalidGrant)
                    .SetProperty(s => s.TokenFailureCount, failures)
                    .SetProperty(s => s.TokenRetryAfterUtc, retryAfter)
                    .SetProperty(s => s.TokenLeaseId, (Guid?)null)
                    .SetProperty(s => s.TokenLeaseUntilUtc, (DateTime?)null)
                    .SetProperty(s => s.TokenLeaseTakenUtc, (DateTime?)null)
                    .SetProperty(s => s.TokenLeaseHolder, (string?)null),
                none);
        if (written == 0)
        {
            // The tokens were replaced meanwhile: this failure was about the old ones.
            await transaction.RollbackAsync(none);
            await ReleaseLeaseAsync(row.Id, leaseId);
        }
        else
        {
            var actor = request.Administrator ?? SystemAuditActor.SystemName;
            var detail = Truncate($"{ex.Error}: {ex.Description}", 500);
            if (ex.IsInvalidGrant && !row.TokenNeedsAuthorization)
            {
                audit.Record(AuditAction.TokensNeedAuthorization, row.Id, row.Name, detail: detail, administrator: actor);
            }
            else if (!ex.IsInvalidGrant && row.TokenError is null && row.TokenFailureCount == 0)
            {
                audit.Record(AuditAction.TokenRefreshFailed, row.Id, row.Name, detail: detail, administrator: actor);
            }

            await db.SaveChangesAsync(none);
            await transaction.CommitAsync(none);
        }

        LogRefreshFailed(_logger, row.Id, ex.Error, retryAfter);
        return new TokenUnavailableException(Of("Token_RefreshFailed", ex.DescriptionText), explanation, ex);
    }

    /// <summary>
    /// A failure as the server's health keeps it: a text the pages show in each reader's language, or in English when
    /// that would not fit the column.
    /// </summary>
    private static string Stored(LocalizableText text)
    {
        var stored = text.ToJson();
        return stored.Length <= MailServerLimits.TokenError ? stored : Truncate(text.ToString(), MailServerLimits.TokenError);
    }

    /// <summary>Releases a lease whose holder died before storing an answer, and says so in the health and the log.</summary>
    private async Task<bool> RecordInterruptedAsync(MailServer row)
    {
        var none = CancellationToken.None;
        var now = Now;
        var text = Of("Token_Interrupted", new UtcTime(row.TokenLeaseTakenUtc ?? now), row.TokenLeaseHolder ?? "");
        var stored = Stored(text);
        await using var scope = _scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        var audit = scope.ServiceProvider.GetRequiredService<AuditLog>();
        await using var transaction = await db.Database.BeginTransactionAsync(none);
        var written = await db.MailServers
            .Where(s => s.Id == row.Id && s.TokenLeaseId == row.TokenLeaseId && s.TokenLeaseUntilUtc <= now)
            .ExecuteUpdateAsync(
                u => u
                    .SetProperty(s => s.TokenError, stored)
                    .SetProperty(s => s.TokenErrorUtc, now)
                    .SetProperty(s => s.TokenLeaseId, (Guid?)null)
                    .SetProperty(s => s.TokenLeaseUntilUtc, (DateTime?)null)
                    .SetProperty(s => s.TokenLeaseTakenUtc, (DateTime?)null)
                    .SetProperty(s => s.TokenLeaseHolder, (string?)null),
                none);
        if (written == 0)
        {
            await transaction.RollbackAsync(none);
            return false;
        }

        if (row.TokenError is null && row.TokenFailureCount == 0)
        {
            audit.Record(AuditAction.TokenRefreshFailed, row.Id, row.Name, detail: AuditDetails.RefreshInterrupted, administrator: SystemAuditActor.SystemName);
        }

        await db.SaveChangesAsync(none);
        await transaction.CommitAsync(none);
        LogInterrupted(_logger, row.Id, row.TokenLeaseHolder ?? "", row.TokenLeaseTakenUtc);
        return true;
    }

    /// <summary>Why no token can be had now, from what the row says, without asking the provider.</summary>
    private static TokenUnavailableException Failing(MailServer row)
    {
        var error = row.TokenError is null ? null : FromStored(row.TokenError);
        if (row.TokenNeedsAuthorization)
        {
            return new TokenUnavailableException(Of("Token_NeedsGetToken", error ?? Of("Token_NoRefreshToken")), Of("Token_NeedsGetToken_Hint"));
        }

        return new TokenUnavailableException(
            Of("Token_RefreshFailing", error ?? Plain(""), new UtcTime(row.TokenRetryAfterUtc ?? DateTime.MinValue)), Of("Token_RefreshFailing_Hint"));
    }

    private async Task<MailServer> ReadRowAsync(int serverId, CancellationToken ct)
    {
        await using var scope = _scopes.CreateAsyncScope();
        return await ReadRowAsync(scope.ServiceProvider.GetRequiredService<AppDbContext>(), serverId, ct);
    }

    private static async Task<MailServer> ReadRowAsync(AppDbContext db, int serverId, CancellationToken ct)
    {
        var row = await db.MailServers.AsNoTracking().SingleOrDefaultAsync(s => s.Id == serverId, ct)
            ?? throw new TokenUnavailableException(Of("Token_ServerGone"));
        return row.AuthenticationType == AuthenticationType.OAuth ? row : throw new TokenUnavailableException(Of("Token_NotOAuth"));
    }

    /// <summary>A stored secret of the server, for the server's own settings; null when absent or unreadable.</summary>
    private string? Read(MailServer server, SecretField field) => _vault.Read(field, server.Id, MailServerSettings.Of(server), field switch
    {
        SecretField.AccessToken => server.ProtectedAccessToken,
        SecretField.RefreshToken => server.ProtectedRefreshToken,
        SecretField.ClientSecret => server.ProtectedClientSecret,
        _ => server.ProtectedPassword,
    }).Value;

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];

    [LoggerMessage(Level = LogLevel.Information, Message = "Refreshed the OAuth tokens of mail server {ServerId} (refresh token rotated: {Rotated})")]
    private static partial void LogRefreshed(ILogger logger, int serverId, bool rotated);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing the OAuth tokens of mail server {ServerId} failed: {Error}; next try not before {RetryAfterUtc} (UTC)")]
    private static partial void LogRefreshFailed(ILogger logger, int serverId, string error, DateTime? retryAfterUtc);

    [LoggerMessage(Level = LogLevel.Information, Message = "Mail server {ServerId} got new tokens while its tokens were refreshed; the refresh was discarded")]
    private static partial void LogStaleRefresh(ILogger logger, int serverId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The refresh lease of mail server {ServerId} had expired when its answer came; the answer was stored, since no other tokens had been stored")]
    private static partial void LogLeaseLostAnswerStored(ILogger logger, int serverId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The last token refresh of mail server {ServerId} (by {Holder}, started {StartedUtc} UTC) was interrupted before its answer was stored; the next refresh tries once, and if the provider had rotated the refresh token, the server needs a new Get Token")]
    private static partial void LogInterrupted(ILogger logger, int serverId, string holder, DateTime? startedUtc);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: waiting for {Count} token refresh(es) already sent, so that their answers are stored")]
    private static partial void LogWaitingForRefreshes(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stopped while {Count} token refresh(es) had not finished; their answers may be lost")]
    private static partial void LogStoppedWithRefreshesRunning(ILogger logger, int count);

    private enum Trigger
    {
        /// <summary>A send or a check needs a token: refresh only when due, not during a back-off.</summary>
        Use,

        /// <summary>The SMTP server refused the token it was given.</summary>
        Rejected,

        /// <summary>The background refresher: refresh, but not during a back-off.</summary>
        Background,

        /// <summary>An administrator's Refresh now: refresh, even during a back-off.</summary>
        Manual,
    }

    private sealed record RefreshRequest(Trigger Trigger)
    {
        public string? RejectedToken { get; init; }

        /// <summary>The administrator who asked (Refresh now); the system otherwise.</summary>
        public string? Administrator { get; init; }
    }

    /// <summary>What one attempt came to: a token, or the exception every caller that shared it gets.</summary>
    private sealed record RefreshOutcome(string? AccessToken, ExceptionDispatchInfo? Error)
    {
        public string Throw()
        {
            Error!.Throw();
            throw Error.SourceException;
        }
    }
}

/// <summary>The times of a stored access token that decide whether it is handed out as it is or refreshed first.</summary>
public readonly record struct StoredTokenTimes(DateTime? ObtainedUtc, DateTime? RefreshedUtc, DateTime? ExpiresUtc)
{
    /// <summary>When the token was issued: the later of its Get Token (or paste) and its last refresh.</summary>
    public DateTime? IssuedUtc => RefreshedUtc is { } refreshed && (ObtainedUtc is not { } obtained || refreshed > obtained)
        ? refreshed
        : ObtainedUtc;

    public static StoredTokenTimes Of(MailServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return new(server.TokensObtainedUtc, server.TokensRefreshedUtc, server.AccessTokenExpiresUtc);
    }
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
