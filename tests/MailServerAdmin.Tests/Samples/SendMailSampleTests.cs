using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Tests.Infrastructure.Smtp;
using MimeKit;
using Xunit.Abstractions;

namespace MailServerAdmin.Tests.Samples;

/// <summary>
/// samples/SendMail, run as the separate process a business application is: its own host over the admin app's database
/// file and key directory (given as environment variables), sending through the default server the admin configured.
/// </summary>
[Trait("Database", "Sqlite")] // The sample is pointed at the admin app's SQLite file (it checks that file before it starts).
public sealed class SendMailSampleTests(ITestOutputHelper output)
{
    private const string Login = "relay@example.com";
    private const string Password = "Relay-Pa55word!";
    private const string NoDatabaseAdvice = "Run the admin app first, or point ConnectionStrings:MailServerAdmin at its database.";

    [SmtpPeerFact]
    public async Task The_sample_sends_through_the_default_server_with_its_stored_password_and_sender()
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { Tls = SmtpPeerTls.None, RequireAuth = true });
        peer.AcceptBasic(Login, Password);
        using var app = new AppFactory();
        var admin = await app.CreateBrowserAsync();
        // Security None: the administrator chose to send the password unencrypted, so it is sent.
        await admin.CreateServerAsync(ServerForms.Basic("Billing relay", Password)
            .With("Input.Host", peer.Host)
            .With("Input.Port", peer.Port.ToString(CultureInfo.InvariantCulture))
            .With("Input.Security", "None")
            .With("Input.Login", Login)
            .With("Input.SenderEmail", "billing@example.com")
            .With("Input.SenderName", "Example Billing")
            .With("Input.IsDefault", "true"));

        var run = await RunSampleAsync(app.DatabasePath, app.KeysDirectory, "customer@example.net", "Your invoice", "Invoice 42 is attached.");

        output.WriteLine(peer.Transcript);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Sent to customer@example.net. The server answered: OK", run.StandardOutput.Trim());
        var attempt = Assert.Single(peer.AuthAttempts);
        Assert.Equal((Login, Password, true), (attempt.User, attempt.Secret, attempt.Success));
        var received = Assert.Single(peer.Messages);
        Assert.Equal("billing@example.com", received.MailFrom);
        Assert.Equal(["customer@example.net"], received.RcptTos);
        var message = received.ToMimeMessage();
        var from = Assert.IsType<MailboxAddress>(Assert.Single(message.From));
        Assert.Equal(("Example Billing", "billing@example.com"), (from.Name, from.Address));
        Assert.Equal("Your invoice", message.Subject);
        Assert.Equal("Invoice 42 is attached.", message.TextBody?.TrimEnd());
        Assert.DoesNotContain(Password, run.StandardOutput + run.StandardError, StringComparison.Ordinal);
    }

    [SmtpPeerFact]
    public async Task A_refused_login_comes_back_explained_with_exit_code_1()
    {
        await using var peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { Tls = SmtpPeerTls.None, RequireAuth = true });
        using var app = new AppFactory();
        var admin = await app.CreateBrowserAsync();
        await admin.CreateServerAsync(ServerForms.Basic("Billing relay", Password)
            .With("Input.Host", peer.Host)
            .With("Input.Port", peer.Port.ToString(CultureInfo.InvariantCulture))
            .With("Input.Security", "None")
            .With("Input.Login", Login));

        var run = await RunSampleAsync(app.DatabasePath, app.KeysDirectory, "customer@example.net", "Your invoice", "Body");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"Not sent: The server refused the login and password for {Login}", run.StandardError, StringComparison.Ordinal);
        Assert.Contains("What to do: ", run.StandardError, StringComparison.Ordinal);
        Assert.Empty(peer.Messages);
        Assert.DoesNotContain(Password, run.StandardOutput + run.StandardError, StringComparison.Ordinal);
    }

    [SqliteFact("the sample is pointed at the admin app's SQLite file")]
    public async Task Without_a_default_server_the_sample_says_so_and_exits_1()
    {
        using var app = new AppFactory();
        _ = app.Services; // started once: the database is created and migrated, and has no server

        var run = await RunSampleAsync(app.DatabasePath, app.KeysDirectory, "customer@example.net", "Subject", "Body");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal("No mail server is the default: make one the default in MailServerAdmin.", run.StandardError.Trim());
        Assert.Equal("", run.StandardOutput);
    }

    [SqliteFact("the sample is pointed at the admin app's SQLite file")]
    public async Task Without_the_admin_apps_database_the_sample_says_so_and_creates_none()
    {
        var directory = Directory.CreateTempSubdirectory("sendmail-sample-").FullName;
        var database = Path.Combine(directory, "mailserveradmin.db");
        try
        {
            var run = await RunSampleAsync(database, Path.Combine(directory, "keys"), "customer@example.net", "Subject", "Body");

            Assert.Equal(1, run.ExitCode);
            Assert.Equal($"There is no MailServerAdmin database at {database}. {NoDatabaseAdvice}", run.StandardError.Trim());
            Assert.False(File.Exists(database));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [SqliteFact("the sample is pointed at the admin app's SQLite file")]
    public async Task A_database_the_admin_app_has_not_migrated_is_left_as_it_is()
    {
        var directory = Directory.CreateTempSubdirectory("sendmail-sample-").FullName;
        var database = Path.Combine(directory, "mailserveradmin.db");
        await File.WriteAllBytesAsync(database, []);
        try
        {
            var run = await RunSampleAsync(database, Path.Combine(directory, "keys"), "customer@example.net", "Subject", "Body");

            Assert.Equal(1, run.ExitCode);
            Assert.StartsWith($"The database at {database} is not migrated (", run.StandardError, StringComparison.Ordinal);
            Assert.EndsWith($"pending). {NoDatabaseAdvice}", run.StandardError.Trim(), StringComparison.Ordinal);
            Assert.Equal(0, new FileInfo(database).Length);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [SqliteFact("the sample is pointed at the admin app's SQLite file")]
    public async Task With_another_key_directory_the_sample_names_it_and_writes_no_key_there()
    {
        using var app = new AppFactory();
        var admin = await app.CreateBrowserAsync();
        await admin.CreateServerAsync(ServerForms.Basic("Billing relay", Password).With("Input.IsDefault", "true"));
        var otherKeys = Path.Combine(app.DataDirectory, "other-keys");

        var run = await RunSampleAsync(app.DatabasePath, otherKeys, "customer@example.net", "Subject", "Body");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(
            $"There are no Data Protection keys in {otherKeys}, so the stored secrets of 'Billing relay' cannot be decrypted. "
            + "Point DataProtection:KeysDirectory at the admin app's key directory.",
            run.StandardError.Trim());
        Assert.Empty(Directory.EnumerateFiles(otherKeys));
    }

    [Theory]
    [InlineData]
    [InlineData("customer@example.net", "Subject only")]
    [InlineData("not an address", "Subject", "Body")]
    [InlineData("customer@example.net", "Subject", "Body", "--ConnectionStrings:MailServerAdmin")]
    public async Task Bad_arguments_get_the_usage_and_exit_code_2(params string[] arguments)
    {
        var run = await RunSampleAsync(null, null, arguments);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Usage: SendMail <to> <subject> <body>", run.StandardError, StringComparison.Ordinal);
        Assert.Equal("", run.StandardOutput);
    }

    private sealed record SampleRun(int ExitCode, string StandardOutput, string StandardError);

    /// <summary>Runs the built sample (<c>dotnet SendMail.dll ...</c>) in an empty folder, with the settings as environment variables.</summary>
    private async Task<SampleRun> RunSampleAsync(string? databasePath, string? keysDirectory, params string[] arguments)
    {
        var workingDirectory = Directory.CreateTempSubdirectory("sendmail-cwd-").FullName;
        var start = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(SampleAssembly);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["Smtp__TimeoutSeconds"] = "10";
        start.Environment.Remove("ConnectionStrings__MailServerAdmin");
        start.Environment.Remove("DataProtection__KeysDirectory");
        if (databasePath is not null)
        {
            start.Environment["ConnectionStrings__MailServerAdmin"] = $"Data Source={databasePath}";
        }

        if (keysDirectory is not null)
        {
            start.Environment["DataProtection__KeysDirectory"] = keysDirectory;
        }

        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            try
            {
                await process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"SendMail did not finish within 90 s. Output so far:\n{await stdout}\n{await stderr}");
            }

            var run = new SampleRun(process.ExitCode, await stdout, await stderr);
            output.WriteLine($"exit code {run.ExitCode}\nstdout:\n{run.StandardOutput}\nstderr:\n{run.StandardError}");
            return run;
        }
        finally
        {
            Directory.Delete(workingDirectory, recursive: true);
        }
    }

    /// <summary>The SendMail.dll that was built with these tests (recorded in this assembly by the project file).</summary>
    private static string SampleAssembly
    {
        get
        {
            var path = typeof(SendMailSampleTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .SingleOrDefault(a => a.Key == "SendMailSample")?.Value;
            Assert.True(File.Exists(path), $"The SendMail sample was not built where the test project recorded it: '{path}'.");
            return path!;
        }
    }

    /// <summary>The dotnet host running these tests (the CLI passes it on), else the one on the PATH.</summary>
    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host
        : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath!
        : "dotnet";
}
