using FluentValidation;
using MailServerAdmin.Validation;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Administrators;

/// <summary>Rules for an administrator's credentials, shared by the set-up and Administrators pages.</summary>
public static class AdministratorRules
{
    public const int MinimumPasswordLength = 12;

    public static IRuleBuilderOptions<T, string?> AdministratorEmail<T>(this IRuleBuilder<T, string?> rule, IStringLocalizer localizer) =>
        rule.NotEmpty().WithMessage(_ => localizer["Admins_EmailRequired"])
            .Must(value => string.IsNullOrEmpty(value) || (value.Length <= 254 && Mailbox.IsValid(value)))
            .WithMessage(_ => localizer["Admins_EmailInvalid"]);

    public static IRuleBuilderOptions<T, string?> AdministratorPassword<T>(this IRuleBuilder<T, string?> rule, IStringLocalizer localizer) =>
        rule.NotEmpty().WithMessage(_ => localizer["Admins_PasswordRequired"])
            .Must(value => string.IsNullOrEmpty(value) || value.Length >= MinimumPasswordLength)
            .WithMessage(_ => localizer["Admins_PasswordTooShort", MinimumPasswordLength]);

    /// <summary>Puts an Identity error beside the field it is about.</summary>
    public static string FieldFor(IdentityError error, string prefix) => error.Code switch
    {
        var c when c.StartsWith("Password", StringComparison.Ordinal) => $"{prefix}.Password",
        "DuplicateUserName" or "DuplicateEmail" or "InvalidEmail" or "InvalidUserName" => $"{prefix}.Email",
        _ => string.Empty,
    };
}
