using MailServerAdmin.Data;
using MailServerAdmin.MailServers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MailServerAdmin.OAuth;

/// <summary>
/// Refreshes OAuth tokens in the background: before the access token expires, and at least weekly, so that refresh
/// tokens stay alive even when no mail is sent (Microsoft's expire after 90 days without use).
/// </summary>
public sealed partial class TokenRefreshWorker(
    IServiceScopeFactory scopes, TokenKeeper keeper, IOptions<OAuthOptions> options, TimeProvider time, ILogger<TokenRefreshWorker> logger)
    : BackgroundService
{
    /// <summary>Refreshed when the access token expires within this time.</summary>
    public static readonly TimeSpan Lead = TimeSpan.FromMinutes(10);

    /// <summary>Refreshed at least this often, whatever the expiry.</summary>
    public static readonly TimeSpan KeepAlive = TimeSpan.FromDays(7);

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

    /// <summary>One pass: refreshes every server that is due; returns how many were refreshed.</summary>
    public async Task<int> RefreshDueAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var soon = now + Lead;
        var stale = now - KeepAlive;
        List<int> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            due = await scope.ServiceProvider.GetRequiredService<AppDbContext>().MailServers.AsNoTracking()
                .Where(s => s.AuthenticationType == AuthenticationType.OAuth && s.ProtectedRefreshToken != null && !s.TokenNeedsAuthorization)
                .Where(s => s.AccessTokenExpiresUtc <= soon || (s.TokensRefreshedUtc ?? s.TokensObtainedUtc ?? DateTime.MinValue) <= stale)
                .Select(s => s.Id)
                .ToListAsync(ct);
        }

        var refreshed = 0;
        foreach (var id in due)
        {
            try
            {
                await keeper.RefreshAsync(id, force: true, ct);
                refreshed++;
            }
            catch (TokenUnavailableException)
            {
                // Recorded on the server (shown on the list and the form) and in the audit log.
            }
        }

        return refreshed;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A background token refresh pass failed")]
    private static partial void LogPassFailed(ILogger logger, Exception exception);
}
