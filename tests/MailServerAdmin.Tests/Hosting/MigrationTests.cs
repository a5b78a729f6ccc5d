using System.Net;
using MailServerAdmin.Data;
using MailServerAdmin.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Hosting;

/// <summary>
/// Migrations as a deploy step (<c>dotnet MailServerAdmin.Web.dll migrate</c>), an app that will not run on a database it
/// was not allowed to migrate, and several instances starting at once on an empty database. On the run's database.
/// </summary>
public sealed class MigrationTests
{
    [Fact]
    public async Task Without_migrate_at_start_the_app_refuses_an_unmigrated_database_until_the_migrate_command_has_run()
    {
        using var target = new AppFactory();
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Database__Provider"] = target.Postgres is null ? "Sqlite" : "Postgres",
            ["ConnectionStrings__MailServerAdmin"] = target.ConnectionString,
            ["DataProtection__KeyStore"] = "Directory",
            ["DataProtection__KeysDirectory"] = target.KeysDirectory,
            ["Database__MigrateAtStart"] = "false",
        };

        // 1. The new version is started before the database was migrated: it says what to run, and stops.
        await using (var refused = AppProcess.Start(environment))
        {
            var exitCode = await refused.WaitForExitAsync();
            Assert.True(exitCode == 1, $"exit code {exitCode}:\n{refused.Output}");
            Assert.Contains("The database lacks", refused.Output, StringComparison.Ordinal);
            Assert.Contains("Database:MigrateAtStart is false", refused.Output, StringComparison.Ordinal);
            Assert.Contains("dotnet MailServerAdmin.Web.dll migrate", refused.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Now listening", refused.Output, StringComparison.Ordinal);
        }

        Assert.NotEmpty(await PendingAsync(target));

        // 2. The deploy step: migrates, says so, exits 0, and listens on nothing.
        await using (var migrate = AppProcess.Start(environment, "migrate"))
        {
            var exitCode = await migrate.WaitForExitAsync();
            Assert.True(exitCode == 0, $"exit code {exitCode}:\n{migrate.Output}");
            Assert.Contains("database is up to date", migrate.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Now listening", migrate.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("set-up code", migrate.Output, StringComparison.Ordinal);
        }

        Assert.Empty(await PendingAsync(target));

        // 3. The app starts on the migrated database, without migrating, and is ready.
        await using var started = AppProcess.Start(environment);
        var address = await started.ListeningAsync();
        using var probe = new HttpClient();
        using var ready = await probe.GetAsync(new Uri(address, "/healthz/ready"));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("set-up code to create the first administrator", started.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Instances_that_start_together_on_an_empty_database_apply_each_migration_once()
    {
        using var first = new AppFactory();
        using var second = first.Sibling();
        using var third = first.Sibling();

        // Each one migrates at start; EF Core's migration lock lets one of them do it while the others wait.
        await Task.WhenAll(new[] { first, second, third }.Select(app => Task.Run(() => app.Services)));

        var applied = await first.WithDbAsync(db => db.Database.GetAppliedMigrationsAsync());
        var known = await first.WithDbAsync(db => Task.FromResult(db.Database.GetMigrations()));
        Assert.Equal(known, applied);
        var client = await second.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("After a crowded start"));
        Assert.Equal(1, await third.WithDbAsync(db => db.MailServers.CountAsync()));
    }

    private static async Task<List<string>> PendingAsync(AppFactory target)
    {
        var options = new DbContextOptionsBuilder<AppDbContext>();
        if (target.Postgres is null)
        {
            options.UseSqlite($"Data Source={target.DatabasePath};Pooling=False");
        }
        else
        {
            DatabaseSettings.UsePostgres(options, target.Postgres.ConnectionString);
        }

        await using var db = new AppDbContext(options.Options);
        var pending = (await db.Database.GetPendingMigrationsAsync()).ToList();
        SqliteConnection.ClearAllPools();
        return pending;
    }
}
