using MailServerAdmin.Resources;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Localization;

/// <summary>The errors of ASP.NET Core Identity that the pages can show, in the request's language.</summary>
public sealed class LocalizedIdentityErrors(IStringLocalizer<SharedResource> localizer) : IdentityErrorDescriber
{
    public override IdentityError DefaultError() => Error(nameof(DefaultError), localizer["Identity_DefaultError"]);

    public override IdentityError ConcurrencyFailure() => Error(nameof(ConcurrencyFailure), localizer["Identity_ConcurrencyFailure"]);

    public override IdentityError InvalidUserName(string? userName) => Error(nameof(InvalidUserName), localizer["Identity_InvalidUserName", userName ?? ""]);

    public override IdentityError InvalidEmail(string? email) => Error(nameof(InvalidEmail), localizer["Identity_InvalidEmail", email ?? ""]);

    public override IdentityError DuplicateUserName(string userName) => Error(nameof(DuplicateUserName), localizer["Admins_AlreadyAdmin", userName]);

    public override IdentityError DuplicateEmail(string email) => Error(nameof(DuplicateEmail), localizer["Admins_AlreadyAdmin", email]);

    public override IdentityError PasswordTooShort(int length) => Error(nameof(PasswordTooShort), localizer["Admins_PasswordTooShort", length]);

    public override IdentityError PasswordRequiresUniqueChars(int uniqueChars) =>
        Error(nameof(PasswordRequiresUniqueChars), localizer["Identity_PasswordRequiresUniqueChars", uniqueChars]);

    private static IdentityError Error(string code, string description) => new() { Code = code, Description = description };
}
