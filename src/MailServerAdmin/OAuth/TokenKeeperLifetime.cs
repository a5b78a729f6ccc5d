namespace MailServerAdmin.OAuth;

/// <summary>
/// Ties <see cref="TokenKeeper"/> to the host, in every app that uses the library (with or without the background
/// refresher): at start, refresh leases left behind by a process that died are reported; at stop, refreshes already sent
/// to a provider are waited for (bounded), so that their answers are stored.
/// </summary>
internal sealed partial class TokenKeeperLifetime(TokenKeeper keeper, ILogger<TokenKeeperLifetime> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await keeper.ReportInterruptedAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A database not migrated yet (the admin app migrates it) or not reachable: the next refresh looks again.
            LogCheckFailed(logger, ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => keeper.StopAsync(cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not look for interrupted token refreshes at start")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception);
}
