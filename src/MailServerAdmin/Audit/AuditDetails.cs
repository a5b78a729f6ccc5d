using MailServerAdmin.Localization;
using MailServerAdmin.OAuth;
using Microsoft.Extensions.Localization;
using static MailServerAdmin.Localization.LocalizableText;

namespace MailServerAdmin.Audit;

/// <summary>
/// What the audit log records beside an action: the notes are stored in English (the log is a record, read by tools
/// too) and shown in the reader's language; field names are shown with the form's labels.
/// </summary>
public static class AuditDetails
{
    public const string WasDefault = "It was the default server";

    public const string RefreshTokenRotated = "The provider rotated the refresh token; the new one is stored.";

    public const string RefreshInterrupted = "The last refresh was interrupted before the provider's answer was stored.";

    private const string PreviousDefaultPrefix = "Previous default: ";
    private const string AccountSeparator = ", account ";
    private const string NotSavedYet = "; not saved yet";

    public static string PreviousDefault(string name) => PreviousDefaultPrefix + name;

    public static string TokensObtained(OAuthProvider provider, string? account) =>
        $"{OAuthProviderDescriptor.For(provider).Name}{(account is null ? "" : AccountSeparator + account)}{NotSavedYet}";

    /// <summary>The action in the localizer's language.</summary>
    public static string Action(AuditAction action, IStringLocalizer localizer)
    {
        ArgumentNullException.ThrowIfNull(localizer);
        // Every action has its text "Audit_Action_<Action>"; one without shows its name.
        var text = localizer[$"Audit_Action_{action}"];
        return text.ResourceNotFound ? action.ToString() : text.Value;
    }

    /// <summary>The recorded field names ("Host, Password") with the form's labels, in the localizer's language.</summary>
    public static string Fields(string? fields, IStringLocalizer localizer)
    {
        ArgumentNullException.ThrowIfNull(localizer);
        if (string.IsNullOrEmpty(fields))
        {
            return "";
        }

        return string.Join(", ", fields.Split(", ").Select(name =>
        {
            var key = name switch
            {
                nameof(MailServers.MailServer.OAuthProvider) => "Field_Provider",
                nameof(MailServers.MailServer.TokensObtainedUtc) => "AuditField_TokensObtainedUtc",
                nameof(MailServers.MailServer.TokensRefreshedUtc) => "AuditField_TokensRefreshedUtc",
                nameof(MailServers.MailServer.TokenAccount) => "AuditField_TokenAccount",
                _ => "Field_" + name,
            };
            return localizer[key] is { ResourceNotFound: false } label ? label.Value : name;
        }));
    }

    /// <summary>The recorded note as a text: the notes this app writes are translated, anything else is shown as stored.</summary>
    public static LocalizableText? Note(string? detail)
    {
        if (string.IsNullOrEmpty(detail))
        {
            return null;
        }

        if (detail == WasDefault)
        {
            return Of("Audit_Detail_WasDefault");
        }

        if (detail == RefreshTokenRotated)
        {
            return Of("Audit_Detail_RefreshTokenRotated");
        }

        if (detail == RefreshInterrupted)
        {
            return Of("Audit_Detail_RefreshInterrupted");
        }

        if (detail.StartsWith(PreviousDefaultPrefix, StringComparison.Ordinal))
        {
            return Of("Audit_Detail_PreviousDefault", detail[PreviousDefaultPrefix.Length..]);
        }

        if (detail.EndsWith(NotSavedYet, StringComparison.Ordinal))
        {
            var obtained = detail[..^NotSavedYet.Length];
            var separator = obtained.IndexOf(AccountSeparator, StringComparison.Ordinal);
            var label = separator < 0 ? obtained : obtained[..separator];
            if (OAuthProviderDescriptor.All.FirstOrDefault(d => d.Name == label) is { } provider)
            {
                var name = Of(provider.LabelKey);
                return separator < 0
                    ? Of("Audit_Detail_TokensObtained", name)
                    : Of("Audit_Detail_TokensObtained_Account", name, obtained[(separator + AccountSeparator.Length)..]);
            }
        }

        return Plain(detail);
    }
}
