using MailServerAdmin.Web.Sending;

namespace MailServerAdmin.Web.Pages.MailServers;

/// <summary>A connection test or a test message, as the pages show it.</summary>
public sealed record SmtpOutcome(
    string Title, bool Succeeded, string Summary, IReadOnlyList<SmtpStepResult> Steps, SmtpFailure? Failure, string Transcript)
{
    public static SmtpOutcome From(SmtpCheckResult result) => new(
        "Connection test", result.Succeeded, "The server accepted the connection, the login and the sender.", result.Steps, result.Failure, result.Transcript);

    public static SmtpOutcome From(SmtpSendResult result, string recipient) => new(
        "Test message", result.Succeeded, $"The test message to {recipient} was accepted by the server.", result.Steps, result.Failure, result.Transcript);

    public static SmtpOutcome Refused(string title, string message, string? hint) => new(
        title, false, message, [], new SmtpFailure(SmtpStep.Connect, SmtpFailureKind.ConnectionFailed, message, hint, null), "");
}
