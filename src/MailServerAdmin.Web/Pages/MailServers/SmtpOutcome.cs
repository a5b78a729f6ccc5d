using MailServerAdmin.Localization;
using MailServerAdmin.Sending;
using static MailServerAdmin.Localization.LocalizableText;

namespace MailServerAdmin.Web.Pages.MailServers;

/// <summary>A connection test or a test message, as the pages show it.</summary>
public sealed record SmtpOutcome(
    LocalizableText Title, bool Succeeded, LocalizableText Summary, IReadOnlyList<SmtpStepResult> Steps, SmtpFailure? Failure, string Transcript)
{
    /// <summary>
    /// The saved server whose Edit page "Trust this certificate for this server" opens (the Check page); null where the
    /// result sits beside the form, whose pin field it fills.
    /// </summary>
    public int? TrustOnEditOf { get; init; }

    public static readonly LocalizableText ConnectionTest = Of("Check_ConnectionTest");

    public static readonly LocalizableText TestMessage = Of("Check_TestMessage");

    public static SmtpOutcome From(SmtpCheckResult result) => new(
        ConnectionTest, result.Succeeded, Of("Check_ConnectionTest_Passed"), result.Steps, result.Failure, result.Transcript);

    public static SmtpOutcome From(SmtpSendResult result, string recipient) => new(
        TestMessage, result.Succeeded, Of("Check_TestMessage_Passed", recipient), result.Steps, result.Failure, result.Transcript);

    public static SmtpOutcome Refused(LocalizableText title, LocalizableText message, LocalizableText? hint) => new(
        title, false, message, [], new SmtpFailure(SmtpStep.Connect, SmtpFailureKind.ConnectionFailed, message, hint, null), "");
}
