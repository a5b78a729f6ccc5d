using MailServerAdmin.Web.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MailServerAdmin.Tests.Infrastructure;

/// <summary>
/// The real app on a real SQLite file and a real key directory, in a folder of its own. A second factory
/// over the same folder is the same installation started again.
/// </summary>
public sealed class AppFactory : WebApplicationFactory<Program>
{
    public AppFactory()
        : this(Directory.CreateTempSubdirectory("mailserveradmin-tests-").FullName)
    {
    }

    private AppFactory(string dataDirectory) => DataDirectory = dataDirectory;

    public string DataDirectory { get; }

    public string DatabasePath => Path.Combine(DataDirectory, "mailserveradmin.db");

    public string KeysDirectory => Path.Combine(DataDirectory, "keys");

    public CapturedLogs Logs { get; } = new();

    public SqlLog Sql { get; } = new();

    private bool OwnsDirectory { get; set; } = true;

    /// <summary>Stops this app and starts it again on the same database and key directory.</summary>
    public AppFactory Restart()
    {
        OwnsDirectory = false;
        Dispose();
        return new AppFactory(DataDirectory);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting($"ConnectionStrings:{AppDatabase.ConnectionStringName}", $"Data Source={DatabasePath}");
        builder.UseSetting(AppDatabase.KeysDirectorySetting, KeysDirectory);
        builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(Logs));
        builder.ConfigureServices(services =>
            services.ConfigureDbContext<AppDbContext>(options => options.AddInterceptors(Sql)));
    }

    /// <summary>A client that follows redirects and keeps cookies, like a browser.</summary>
    public HttpClient CreateBrowser() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = true });

    public async Task<T> WithDbAsync<T>(Func<AppDbContext, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<AppDbContext>());
    }

    public Task WithDbAsync(Func<AppDbContext, Task> action) => WithDbAsync(async db =>
    {
        await action(db);
        return true;
    });

    /// <summary>Moves everything from the write-ahead log into the database file.</summary>
    public Task CheckpointAsync() => WithDbAsync(db => db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);"));

    /// <summary>Reads a column straight from the SQLite file, bypassing the app.</summary>
    public async Task<string?> ReadRawAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={DatabasePath};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (await command.ExecuteScalarAsync()) as string;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && OwnsDirectory)
        {
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder left behind is harmless.
            }
        }
    }
}
