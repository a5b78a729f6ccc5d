using MailServerAdmin.Validation;

namespace SendMail;

/// <summary>The command line: a recipient, a subject and a body, and any number of settings (<c>--Name=value</c>).</summary>
internal sealed record SendCommand(string To, string Subject, string Body, string[] Settings)
{
    public const string Usage = """
        Usage: SendMail <to> <subject> <body> [--Setting=value ...]

        Sends one plain-text message through the default mail server configured in MailServerAdmin,
        with the server's sender as From. Exit code: 0 sent, 1 not sent (the reason is printed), 2 bad arguments.

        The admin app's settings (in appsettings.json, as environment variables with __ for :, or here):
          --ConnectionStrings:MailServerAdmin="Data Source=/path/to/mailserveradmin.db"
          --DataProtection:KeysDirectory=/path/to/keys
        Relative paths start at the current directory (samples/SendMail under dotnet run, whose appsettings.json
        points at the admin app's files in src/MailServerAdmin.Web/App_Data).
        """;

    /// <summary>The command, or null with <paramref name="error"/> saying what is wrong.</summary>
    public static SendCommand? Parse(string[] args, out string? error)
    {
        ArgumentNullException.ThrowIfNull(args);
        var positional = new List<string>();
        var settings = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || args[i].Length == 2)
            {
                positional.Add(args[i]);
            }
            else if (args[i].Contains('=', StringComparison.Ordinal))
            {
                settings.Add(args[i]);
            }
            else if (i + 1 < args.Length)
            {
                settings.Add($"{args[i]}={args[++i]}");
            }
            else
            {
                error = $"The setting {args[i]} has no value.";
                return null;
            }
        }

        if (positional.Count != 3)
        {
            error = $"Expected a recipient, a subject and a body; got {positional.Count} argument(s).";
            return null;
        }

        if (!Mailbox.IsValid(positional[0]))
        {
            error = $"'{positional[0]}' is not an e-mail address.";
            return null;
        }

        error = null;
        return new SendCommand(positional[0], positional[1], positional[2], [.. settings]);
    }
}
