using MailServerAdmin.Data;
using MailServerAdmin.MailServers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MailServerAdmin.OAuth;

/// <summary>
/// Refreshes OAuth tokens in the background: before the access token expires, and at least weekly, so that refresh
/// tokens stay alive even when no mail is sent (Microsoft's expire after 90 days without use). It goes through
/// <see cref="TokenKeeper"/>, so its refreshes take the row's lease like any other; it skips servers in a back-off, that
/// need a new Get Token or whose lease another process holds, and starts nothing while the app stops. Stopping waits
/// (bounded) for a refresh already sent, so that its answer is stored.
/// </summary>
public sealed partial class TokenRefreshWorker(
    IServiceScopeFactory scopes, TokenKeeper keeper, IOptions<OAuthOptions> options, TimeProvider time, ILogger<TokenRefreshWorker> logger)
    : BackgroundService
{
    /// <summary>Refreshed when the access token expires within this time.</summary>
    public static readonly TimeSpan Lead = TimeSpan.FromMinutes(10);

    /// <summary>Refreshed at least this often, whatever the expiry.</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromDays(7);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Cancels the pass (no new refresh starts), then waits for the refresh already sent.
        await base.StopAsync(cancellationToken);
        await keeper.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.RefreshCheckMinutes <= 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(options.Value.RefreshCheckMinutes), time);
        do
        {
            try
            {
                await RefreshDueAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogPassFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One pass: reports interrupted refreshes, then refreshes every server that is due; returns how many were refreshed.</summary>
    public async Task<int> RefreshDueAsync(CancellationToken ct)
    {
        await keeper.ReportInterruptedAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        var soon = now + Lead;
        var appOnly = OAuthProviderDescriptor.All.Where(d => d.IsAppOnly).Select(d => (OAuthProvider?)d.Provider).ToList();
        var stale = now - KeepAlive;
        List<int> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            due = await scope.ServiceProvider.GetRequiredService<AppDbContext>().MailServers.AsNoTracking()
                // App-only servers have no refresh token: they are renewed with their stored credential.
                .Where(s => s.AuthenticationType == AuthenticationType.OAuth && (s.ProtectedRefreshToken != null || appOnly.Contains(s.OAuthProvider)) && !s.TokenNeedsAuthorization)
                .Where(s => s.TokenRetryAfterUtc == null || s.TokenRetryAfterUtc <= now)
                .Where(s => s.TokenLeaseId == null || s.TokenLeaseUntilUtc <= now)
                .Where(s => s.AccessTokenExpiresUtc <= soon || (s.TokensRefreshedUtc ?? s.TokensObtainedUtc ?? DateTime.MinValue) <= stale)
                .Select(s => s.Id)
                .ToListAsync(ct);
        }

        var refreshed = 0;
        foreach (var id in due)
        {
            ct.ThrowIfCancellationRequested();
            try
            {
                await keeper.RefreshInBackgroundAsync(id, ct);
                refreshed++;
            }
            catch (TokenUnavailableException)
            {
                // Recorded on the server (shown on the list, the form and the banner) and, when it is news, in the audit log.
            }
        }

        return refreshed;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A background token refresh pass failed")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
