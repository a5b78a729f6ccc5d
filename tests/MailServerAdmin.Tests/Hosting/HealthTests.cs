using System.Net;
using System.Text.Json;
using MailServerAdmin.Data;
using MailServerAdmin.MailServers;
using MailServerAdmin.OAuth;
using MailServerAdmin.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace MailServerAdmin.Tests.Hosting;

/// <summary>
/// /healthz and /healthz/ready for an orchestrator: anonymous, over plain HTTP, statuses only. The database tests run on
/// the run's database (a SQLite file, or PostgreSQL reached through a relay that the test cuts).
/// </summary>
public sealed class HealthTests
{
    [Fact]
    public async Task Liveness_and_readiness_answer_anonymously_over_plain_http_with_statuses_only()
    {
        using var app = new AppFactory();
        var probe = Probe(app);

        var (liveStatus, live) = await GetAsync(probe, "/healthz");
        var (readyStatus, ready) = await GetAsync(probe, "/healthz/ready");

        Assert.Equal(HttpStatusCode.OK, liveStatus);
        Assert.Equal("""{"status":"Healthy"}""", live);
        // No default server yet: the admin app must still be reachable to create one, so it is ready, but degraded.
        Assert.Equal(HttpStatusCode.OK, readyStatus);
        Assert.Equal("""{"status":"Degraded","checks":{"database":"Healthy","migrations":"Healthy","key-ring":"Healthy","default-server":"Degraded"}}""", ready);

        await (await app.CreateBrowserAsync()).CreateServerAsync(ServerForms.Basic("Relay", password: "probe-must-not-see-this"));
        var (afterStatus, after) = await GetAsync(probe, "/healthz/ready");

        Assert.Equal(HttpStatusCode.OK, afterStatus);
        Assert.Equal("Healthy", Status(after));
        Assert.DoesNotContain("Relay", after, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("smtp.example.com", after, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("probe-must-not-see-this", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_default_server_whose_tokens_need_a_new_get_token_makes_readiness_degraded()
    {
        using var app = new AppFactory();
        await (await app.CreateBrowserAsync()).CreateServerAsync(ServerForms.Basic("Relay"));
        await app.WithDbAsync(db => db.MailServers.ExecuteUpdateAsync(u => u
            .SetProperty(s => s.AuthenticationType, AuthenticationType.OAuth)
            .SetProperty(s => s.OAuthProvider, OAuthProvider.Manual)
            .SetProperty(s => s.TokenNeedsAuthorization, true)));

        var (status, ready) = await GetAsync(Probe(app), "/healthz/ready");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Degraded", Status(ready));
        Assert.Equal("Degraded", Check(ready, "default-server"));
    }

    [Fact]
    public async Task Readiness_turns_unhealthy_when_the_database_cannot_be_reached()
    {
        await using var database = ReachableDatabase.Start();
        var app = database.App;
        var probe = Probe(app);
        await (await app.CreateBrowserAsync()).CreateServerAsync(ServerForms.Basic("Relay"));
        Assert.Equal("Healthy", Status((await GetAsync(probe, "/healthz/ready")).Body));

        await database.CutAsync();
        var (status, ready) = await GetAsync(probe, "/healthz/ready");
        var (liveStatus, _) = await GetAsync(probe, "/healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", Status(ready));
        Assert.Equal("Unhealthy", Check(ready, "database"));
        // The process itself is alive: restarting it would not bring the database back.
        Assert.Equal(HttpStatusCode.OK, liveStatus);
    }

    [Theory]
    [InlineData(KeyRingStore.Directory)]
    [InlineData(KeyRingStore.Database)]
    public async Task Readiness_turns_unhealthy_when_the_key_ring_is_missing(KeyRingStore store)
    {
        using var app = new AppFactory { Settings = new Dictionary<string, string?> { [DatabaseSettings.KeyStoreSetting] = store.ToString() } };
        var probe = Probe(app);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(probe, "/healthz/ready")).Status);

        if (store == KeyRingStore.Directory)
        {
            Directory.Delete(app.KeysDirectory, recursive: true);
        }
        else
        {
            Assert.True(await app.WithDbAsync(db => db.DataProtectionKeys.ExecuteDeleteAsync()) > 0);
        }

        var (status, ready) = await GetAsync(probe, "/healthz/ready");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", Check(ready, "key-ring"));
        Assert.Equal("Healthy", Check(ready, "database"));
    }

    /// <summary>A probe: plain HTTP, no cookies, no redirects followed (a redirect is not an answer).</summary>
    private static HttpClient Probe(AppFactory app) =>
        app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false, BaseAddress = new Uri("http://localhost") });

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient probe, string path)
    {
        using var response = await probe.GetAsync(new Uri(path, UriKind.Relative));
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string? Status(string body) => JsonDocument.Parse(body).RootElement.GetProperty("status").GetString();

    private static string? Check(string body, string name) => JsonDocument.Parse(body).RootElement.GetProperty("checks").GetProperty(name).GetString();
}

/// <summary>
/// An app whose database the test can make unreachable: on SQLite, a file in a folder of its own that is moved away; on
/// PostgreSQL (the run's, or the one given), the server reached through a relay that is cut.
/// </summary>
public sealed class ReachableDatabase : IAsyncDisposable
{
    private readonly string? _sqliteFolder;
    private readonly TcpForwarder? _relay;

    private ReachableDatabase(AppFactory app, string? sqliteFolder, TcpForwarder? relay)
    {
        App = app;
        _sqliteFolder = sqliteFolder;
        _relay = relay;
    }

    public AppFactory App { get; }

    public static ReachableDatabase Start(PostgresDatabase? postgres = null)
    {
        if (postgres is null && !TestDatabase.IsPostgres)
        {
            // The file in a folder of its own, inside the app's: moving the folder takes the database away, not the keys.
            string? folder = null;
            var app = new AppFactory { RouteConnectionString = _ => $"Data Source={Path.Combine(folder!, "mailserveradmin.db")}" };
            folder = Directory.CreateDirectory(Path.Combine(app.DataDirectory, "database")).FullName;
            _ = app.Services;
            return new ReachableDatabase(app, folder, null);
        }

        var server = new NpgsqlConnectionStringBuilder(postgres?.ConnectionString ?? TestDatabase.RequirePostgresServer());
        var relay = TcpForwarder.Start(server.Host!, server.Port);
        var routed = new Func<string, string>(direct => new NpgsqlConnectionStringBuilder(direct) { Host = "127.0.0.1", Port = relay.Port, Timeout = 3 }.ConnectionString);
        var factory = postgres is null ? new AppFactory { RouteConnectionString = routed } : new AppFactory(postgres) { RouteConnectionString = routed };
        _ = factory.Services;
        return new ReachableDatabase(factory, null, relay);
    }

    /// <summary>From now on the database cannot be reached: the file's folder is gone, or the server's connections are cut.</summary>
    public async Task CutAsync()
    {
        if (_sqliteFolder is not null)
        {
            Directory.Move(_sqliteFolder, _sqliteFolder + "-gone");
            SqliteConnection.ClearAllPools();
        }

        if (_relay is not null)
        {
            await _relay.CutAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        App.Dispose();
        if (_relay is not null)
        {
            await _relay.DisposeAsync();
        }
    }
}
