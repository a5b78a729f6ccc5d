// Sends one message through the default mail server of MailServerAdmin, as a business application does:
//   dotnet run --project samples/SendMail -- to@example.com "Subject" "Body"
using System.Data.Common;
using MailServerAdmin;
using MailServerAdmin.Sending;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using MimeKit;
using SendMail;

if (args is ["-h" or "--help"])
{
    Console.WriteLine(SendCommand.Usage);
    return 0;
}

if (SendCommand.Parse(args, out var error) is not { } command)
{
    Console.Error.WriteLine(error);
    Console.Error.WriteLine(SendCommand.Usage);
    return 2;
}

// The admin app's settings, ConnectionStrings:MailServerAdmin and DataProtection:KeysDirectory: from appsettings.json,
// environment variables or the command line. Relative paths start at the content root (the current directory).
var builder = Host.CreateApplicationBuilder(command.Settings);

// Quiet unless Logging:LogLevel says otherwise: warnings and errors, on stderr, so that stdout has only the result.
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);

// The database, the key ring, OAuth token keeping and SMTP. No .WithTokenRefresher(): this process sends once and
// exits (the admin app keeps the tokens alive; MailDelivery refreshes one itself when it is about to expire).
builder.AddMailServers();

using var host = builder.Build();
await using var scope = host.Services.CreateAsyncScope();
try
{
    // This program never creates or migrates the database: the admin app does.
    if (await Installation.FindProblemAsync(scope.ServiceProvider) is { } problem)
    {
        Console.Error.WriteLine(problem);
        return 1;
    }

    var message = new MimeMessage
    {
        To = { MailboxAddress.Parse(command.To) },
        Subject = command.Subject,
        Body = new TextPart("plain") { Text = command.Body },
    };

    // The default server (or SendAsync(message, serverName: "...") for a named one); without a From, its sender.
    var delivery = scope.ServiceProvider.GetRequiredService<MailDelivery>();
    SmtpSendResult result = await delivery.SendAsync(message);
    if (result.Succeeded)
    {
        Console.WriteLine($"Sent to {command.To}. The server answered: {result.ServerReply}");
        return 0;
    }

    Console.Error.WriteLine($"Not sent: {result.Failure!.Message}");
    if (result.Failure.Hint is { } hint)
    {
        Console.Error.WriteLine($"What to do: {hint}");
    }

    return 1;
}
catch (Exception e) when (e is DbException or InvalidOperationException)
{
    // The database cannot be read, or the default server was removed meanwhile.
    Console.Error.WriteLine($"Not sent: {e.Message}");
    return 1;
}
