using System.Net;
using System.Text.RegularExpressions;
using FluentValidation;
using MailServerAdmin.Web.MailServers;
using MailServerAdmin.Web.OAuth;
using MailServerAdmin.Web.Validation;

namespace MailServerAdmin.Web.Pages.MailServers;

public sealed partial class MailServerInputValidator : AbstractValidator<MailServerInput>
{
    /// <summary>The provider fields Get Token needs; also checked on Save.</summary>
    public const string Authorize = "Authorize";

    /// <summary>The rule sets of Save: every rule but what only Get Token needs.</summary>
    public static readonly string[] Save = [FluentValidation.Internal.RulesetValidatorSelector.DefaultRuleSetName, Authorize];

    /// <summary>What Get Token needs beyond <see cref="Authorize"/> (Manual configuration's authorization URL).</summary>
    public const string GetToken = "GetToken";

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

        RuleFor(x => x.AuthenticationType)
            .IsInEnum().WithMessage("Choose Basic or OAuth authentication.");

        When(x => !x.IsOAuth && x.RequiresAuthentication, BasicRules);
        When(x => x.IsOAuth, CompleteTokenRules);
        RuleSet(Authorize, () => When(x => x.IsOAuth, OAuthRules));
        RuleSet(GetToken, () =>
            RuleFor(x => x.AuthorizationUrl)
                .NotEmpty().When(x => x.IsOAuth && x.Provider == OAuthProvider.Manual)
                .WithMessage("Enter the provider's authorization URL: Get Token sends you there to sign in."));
    }

    private void BasicRules()
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
    }

    private void OAuthRules()
    {
        RuleFor(x => x.Provider)
            .IsInEnum().WithMessage("Choose Microsoft, Google or Manual configuration.");

        RuleFor(x => x.UserName)
            .NotEmpty().WithMessage("Enter the user name: the mailbox that signs in to the SMTP server with the token.");

        RuleFor(x => x.Tenant)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("Enter the tenant: common, organizations, your domain, or the directory (tenant) ID.")
            .Matches(TenantPattern()).WithMessage("A tenant is a name such as common or contoso.onmicrosoft.com, or a directory ID.")
            .When(x => x.Provider == OAuthProvider.Microsoft);

        RuleFor(x => x.ClientId)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("Enter the client ID from the provider's console.")
            .MaximumLength(MailServerLimits.ClientId).WithMessage("The client ID can have at most {MaxLength} characters.");

        RuleFor(x => x.ClientSecret)
            .MaximumLength(MailServerLimits.ClientSecret).WithMessage("The client secret can have at most {MaxLength} characters.");

        RuleFor(x => x.ClientSecret)
            .Must((input, _) => input.HasClientSecret)
            .When(x => x.Provider != OAuthProvider.Manual || x.ClientSecretMustBeRetyped)
            .WithMessage(x => x.ClientSecretMustBeRetyped
                ? "You changed the authorization or token URL: type the client secret again to confirm it may be sent there."
                : "Enter the client secret from the provider's console.");

        RuleFor(x => x.AuthorizationUrl)
            .NotEmpty().When(x => x.Provider != OAuthProvider.Manual, ApplyConditionTo.CurrentValidator).WithMessage("Enter the authorization URL.")
            .Must(BeAnEndpoint).When(x => !string.IsNullOrEmpty(x.AuthorizationUrl), ApplyConditionTo.CurrentValidator).WithMessage(EndpointMessage);

        RuleFor(x => x.TokenUrl)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage("Enter the token URL.")
            .Must(BeAnEndpoint).WithMessage(EndpointMessage)
            .Must((input, url) => MicrosoftOAuthClient.AuthorizationUrlMatches(input.AuthorizationUrl, url))
            .When(x => x.Provider == OAuthProvider.Microsoft, ApplyConditionTo.CurrentValidator)
            .WithMessage("Microsoft's URLs are https://<host>/<tenant>/oauth2/v2.0/authorize and …/oauth2/v2.0/token, with the same host and tenant.");

        RuleFor(x => x.RevocationUrl)
            .NotEmpty().When(x => x.Provider == OAuthProvider.Google, ApplyConditionTo.CurrentValidator).WithMessage("Enter the revocation URL.")
            .Must(BeAnEndpoint).When(x => !string.IsNullOrEmpty(x.RevocationUrl), ApplyConditionTo.CurrentValidator).WithMessage(EndpointMessage);

        RuleFor(x => x.Scopes)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().When(x => x.Provider != OAuthProvider.Manual, ApplyConditionTo.CurrentValidator).WithMessage("Enter the scopes, separated by spaces.")
            .MaximumLength(MailServerLimits.Scopes).WithMessage("The scopes can have at most {MaxLength} characters.");
    }

    /// <summary>Seed §10: an OAuth server is saved only with every field, access and refresh token included.</summary>
    private void CompleteTokenRules()
    {
        RuleFor(x => x.AccessToken)
            .MaximumLength(MailServerLimits.Token).WithMessage("The access token can have at most {MaxLength} characters.")
            .Must((input, _) => input.HasAccessToken)
            .WithMessage(x => x.Provider == OAuthProvider.Manual
                ? "Paste the access token, or click Get Token."
                : "There is no access token yet: click Get Token.");

        RuleFor(x => x.RefreshToken)
            .MaximumLength(MailServerLimits.Token).WithMessage("The refresh token can have at most {MaxLength} characters.")
            .Must((input, _) => input.HasRefreshToken)
            .WithMessage(x => x.Provider == OAuthProvider.Manual
                ? "Paste the refresh token, or click Get Token."
                : "There is no refresh token yet: click Get Token.");

        RuleFor(x => x)
            .Custom((input, context) =>
            {
                var missing = Missing(input);
                if (missing.Count > 0)
                {
                    context.AddFailure(new FluentValidation.Results.ValidationFailure(
                        string.Empty,
                        $"This OAuth server cannot be saved until every field is filled. Missing: {string.Join(", ", missing)}."));
                }
            });
    }

    /// <summary>What the complete-token rule still needs, in words.</summary>
    public static List<string> Missing(MailServerInput input)
    {
        var missing = new List<string>();
        var manual = input.Provider == OAuthProvider.Manual;
        if (input.Provider == OAuthProvider.Microsoft && string.IsNullOrEmpty(input.Tenant))
        {
            missing.Add("tenant");
        }

        if (string.IsNullOrEmpty(input.ClientId))
        {
            missing.Add("client ID");
        }

        if (!manual && !input.HasClientSecret)
        {
            missing.Add("client secret");
        }

        if (!manual && string.IsNullOrEmpty(input.AuthorizationUrl))
        {
            missing.Add("authorization URL");
        }

        if (string.IsNullOrEmpty(input.TokenUrl))
        {
            missing.Add("token URL");
        }

        if (!manual && string.IsNullOrEmpty(input.Scopes))
        {
            missing.Add("scopes");
        }

        if (!input.HasAccessToken)
        {
            missing.Add("access token");
        }

        if (!input.HasRefreshToken)
        {
            missing.Add("refresh token");
        }

        return missing;
    }

    private const string EndpointMessage = "Enter an https:// URL (plain http:// only for this machine: localhost or 127.0.0.1).";

    /// <summary>An absolute https URL, or http to a loopback address (a provider running on this machine).</summary>
    public static bool BeAnEndpoint(string? value)
    {
        var resolved = value?.Replace(OAuthProviderDefaults.TenantPlaceholder, "common", StringComparison.OrdinalIgnoreCase);
        if (!Uri.TryCreate(resolved, UriKind.Absolute, out var uri) || value!.Length > MailServerLimits.Url || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return false;
        }

        return uri.Scheme == Uri.UriSchemeHttps
            || (uri.Scheme == Uri.UriSchemeHttp && (uri.IsLoopback || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip))));
    }

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9.-]{0,99}$")]
    private static partial Regex TenantPattern();
}
