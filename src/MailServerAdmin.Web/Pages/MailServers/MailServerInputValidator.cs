using FluentValidation;
using MailServerAdmin.Web.MailServers;
using MailServerAdmin.Web.Validation;

namespace MailServerAdmin.Web.Pages.MailServers;

public sealed class MailServerInputValidator : AbstractValidator<MailServerInput>
{
    public MailServerInputValidator(MailServerStore store)
    {
        RuleFor(x => x.Name)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("Enter a name for the server.")
            .MaximumLength(MailServerLimits.Name).WithMessage("The name can have at most {MaxLength} characters.")
            .MustAsync(async (input, name, ct) => !await store.IsNameTakenAsync(name!, input.Id, ct))
            .WithMessage(x => $"A server named '{x.Name}' already exists (names are compared ignoring case).");

        RuleFor(x => x.Host)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("Enter the SMTP server's host name or IP address.")
            .MaximumLength(MailServerLimits.Host).WithMessage("A host name can have at most {MaxLength} characters.")
            .Must(HostName.IsValid).WithMessage("Enter a host name such as smtp.example.com, or an IPv4 or IPv6 address.");

        RuleFor(x => x.Port)
            .Cascade(CascadeMode.Stop)
            .NotNull().WithMessage("Enter the port, usually 587 (STARTTLS) or 465 (SSL on connect).")
            .InclusiveBetween(1, 65535).WithMessage("The port must be a number from 1 to 65535.");

        RuleFor(x => x.Security)
            .IsInEnum().WithMessage("Choose a connection security mode.");

        RuleFor(x => x.UserName)
            .MaximumLength(MailServerLimits.Email).WithMessage("The user name can have at most {MaxLength} characters.");

        RuleFor(x => x.SenderEmail)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("Enter the sender's e-mail address.")
            .MaximumLength(MailServerLimits.Email).WithMessage("An e-mail address can have at most {MaxLength} characters.")
            .EmailAddress().WithMessage("Enter an e-mail address such as mail@example.com.")
            .Must(Mailbox.IsValid).WithMessage("Enter an e-mail address such as mail@example.com.");

        RuleFor(x => x.SenderName)
            .MaximumLength(MailServerLimits.DisplayName).WithMessage("The display name can have at most {MaxLength} characters.");

        When(x => x.RequiresAuthentication, () =>
        {
            RuleFor(x => x.Login)
                .MaximumLength(MailServerLimits.Email).WithMessage("The login can have at most {MaxLength} characters.");

            RuleFor(x => x.EffectiveLogin)
                .NotEmpty().WithMessage("Enter the login, or a user name to use as the login.")
                .OverridePropertyName(nameof(MailServerInput.Login));

            RuleFor(x => x.Password)
                .MaximumLength(MailServerLimits.Password).WithMessage("The password can have at most {MaxLength} characters.");

            RuleFor(x => x.Password)
                .NotEmpty()
                .When(x => !x.HasStoredPassword || x.ClearPassword)
                .WithMessage(x => x.ClearPassword
                    ? "You chose to clear the stored password: enter a new one, or turn off authentication."
                    : "Enter the password, or turn off \"Requires authentication\".");

            // A stored password is only ever sent to the destination it was typed for.
            RuleFor(x => x.Password)
                .Must((input, _) => !input.MovesStoredPassword)
                .WithMessage("You changed the server, port or security: type the password again to confirm it may be sent there.");
        });
    }
}
