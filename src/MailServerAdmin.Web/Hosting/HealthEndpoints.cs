using System.Text.Json;
using MailServerAdmin.Data;
using MailServerAdmin.MailServers;
using MailServerAdmin.OAuth;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MailServerAdmin.Web.Hosting;

/// <summary>
/// Health endpoints for an orchestrator or a load balancer, anonymous and answered over plain HTTP too (probes do not
/// go through the proxy): <c>/healthz</c>, the process answers (liveness); <c>/healthz/ready</c>, it can serve
/// (readiness): the database is reachable and migrated, and the key ring's store holds a usable key. A missing default
/// server, or one whose tokens need a new Get Token or failed to refresh, makes it Degraded (still 200: the admin app is
/// where that gets fixed). The answer is a status per check, without any detail.
/// </summary>
public static class HealthEndpoints
{
    public const string LivenessPath = "/healthz";
    public const string ReadinessPath = "/healthz/ready";
    private const string Ready = "ready";

    public static IServiceCollection AddHealthEndpoints(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddDbContextCheck<AppDbContext>("database", HealthStatus.Unhealthy, [Ready])
            .AddCheck<MigrationsCheck>("migrations", HealthStatus.Unhealthy, [Ready])
            .AddCheck<KeyRingCheck>("key-ring", HealthStatus.Unhealthy, [Ready])
            .AddCheck<DefaultServerCheck>("default-server", HealthStatus.Degraded, [Ready]);
        // A database that does not answer must not hold the probe longer than a probe waits.
        services.Configure<HealthCheckServiceOptions>(options =>
        {
            foreach (var registration in options.Registrations)
            {
                registration.Timeout = TimeSpan.FromSeconds(5);
            }
        });
        return services;
    }

    /// <summary>Before HTTPS redirection and sign-in: probes reach the app directly, over HTTP, without cookies.</summary>
    public static IApplicationBuilder UseHealthEndpoints(this IApplicationBuilder app)
    {
        app.UseHealthChecks(LivenessPath, new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        app.UseHealthChecks(ReadinessPath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(Ready), ResponseWriter = WriteAsync });
        return app;
    }

    /// <summary><c>{"status":"Healthy","checks":{"database":"Healthy",…}}</c>: statuses only, never a description or an error.</summary>
    private static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status", report.Status.ToString());
        if (report.Entries.Count > 0)
        {
            json.WriteStartObject("checks");
            foreach (var (name, entry) in report.Entries)
            {
                json.WriteString(name, entry.Status.ToString());
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted);
    }

    /// <summary>Every migration this version has is applied (a database migrated by a newer version is fine).</summary>
    private sealed class MigrationsCheck(AppDbContext db) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            // Asking a SQLite file that is gone for its migrations would create an empty one.
            if (!await db.Database.CanConnectAsync(cancellationToken))
            {
                return new HealthCheckResult(context.Registration.FailureStatus, "The database cannot be reached.");
            }

            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
            return pending == 0
                ? HealthCheckResult.Healthy()
                : new HealthCheckResult(context.Registration.FailureStatus, $"{pending} migration(s) pending: run the migrate command.");
        }
    }

    /// <summary>
    /// The key ring works (a value protected and read back, which also makes a new key when one is due) and its store
    /// still holds a key that is active now and can be read (decrypted with the certificate, when one protects them).
    /// </summary>
    private sealed class KeyRingCheck(IKeyManager keys, IDataProtectionProvider protection, TimeProvider time) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var protector = protection.CreateProtector("MailServerAdmin.Health.KeyRing");
            protector.Unprotect(protector.Protect([1]));

            var now = time.GetUtcNow();
            var usable = keys.GetAllKeys().Where(k => !k.IsRevoked && k.ActivationDate <= now && k.ExpirationDate > now).ToList();
            if (usable.Count == 0)
            {
                return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, "The key ring's store holds no usable key."));
            }

            foreach (var key in usable)
            {
                // Reading the descriptor decrypts the key: it fails when the certificate that protects it is not available.
                _ = key.Descriptor;
            }

            return Task.FromResult(HealthCheckResult.Healthy());
        }
    }

    /// <summary>A default server exists, and if it uses OAuth its tokens do not wait for an administrator.</summary>
    private sealed class DefaultServerCheck(AppDbContext db, TimeProvider time) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var server = await db.MailServers.AsNoTracking()
                .Where(s => s.IsDefault)
                .Select(s => new
                {
                    s.AuthenticationType,
                    Health = new TokenHealth(s.ProtectedAccessToken != null, s.ProtectedRefreshToken != null, s.AccessTokenExpiresUtc,
                        s.TokensRefreshedUtc, s.TokenError, s.TokenErrorUtc, s.TokenNeedsAuthorization),
                })
                .FirstOrDefaultAsync(cancellationToken);
            if (server is null)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, "No server is the default.");
            }

            if (server.AuthenticationType == AuthenticationType.OAuth
                && server.Health.State(time.GetUtcNow().UtcDateTime) is TokenState.NeedsGetToken or TokenState.RefreshFailed)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, "The default server's tokens need an administrator.");
            }

            return HealthCheckResult.Healthy();
        }
    }
}
