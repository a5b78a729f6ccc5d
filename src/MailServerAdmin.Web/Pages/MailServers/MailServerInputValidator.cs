using System.Net;
using System.Text.RegularExpressions;
using FluentValidation;
using FluentValidation.Results;
using MailServerAdmin.MailServers;
using MailServerAdmin.OAuth;
using MailServerAdmin.Resources;
using MailServerAdmin.Validation;
using MailServerAdmin.Web.Validation;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Pages.MailServers;

public sealed partial class MailServerInputValidator : AbstractValidator<MailServerInput>
{
    /// <summary>The provider fields Get Token needs; also checked on Save.</summary>
    public const string Authorize = "Authorize";

    /// <summary>The rule sets of Save: every rule but what only Get Token needs.</summary>
    public static readonly string[] Save = [FluentValidation.Internal.RulesetValidatorSelector.DefaultRuleSetName, Authorize];

    /// <summary>What Get Token needs beyond <see cref="Authorize"/> (Manual configuration's authorization URL).</summary>
    public const string GetToken = "GetToken";

    public MailServerInputValidator(MailServerStore store, IStringLocalizer<SharedResource> localizer)
    {
        // Before the other rules, so that a control character is what the message beside the field names.
        RuleSet($"{FluentValidation.Internal.RulesetValidatorSelector.DefaultRuleSetName},{Authorize}", () => LineRules(localizer));

        RuleFor(x => x.Name)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage(_ => localizer["Validation_NameRequired"])
            .MaximumLength(MailServerLimits.Name).WithMessage(_ => localizer["Validation_NameTooLong"])
            .MustAsync(async (input, name, ct) => !await store.IsNameTakenAsync(name!, input.Id, ct))
            .WithMessage(x => localizer["Validation_NameTaken", x.Name!]);

        RuleFor(x => x.Host)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage(_ => localizer["Validation_HostRequired"])
            .MaximumLength(MailServerLimits.Host).WithMessage(_ => localizer["Validation_HostTooLong"])
            .Must(HostName.IsValid).WithMessage(_ => localizer["Validation_HostInvalid"]);

        RuleFor(x => x.Port)
            .Cascade(CascadeMode.Stop)
            .NotNull().WithMessage(_ => localizer["Validation_PortRequired"])
            .InclusiveBetween(1, 65535).WithMessage(_ => localizer["Validation_PortRange"]);

        RuleFor(x => x.Security)
            .IsInEnum().WithMessage(_ => localizer["Validation_SecurityRequired"]);

        RuleFor(x => x.CertificatePin)
            .Must(pin => string.IsNullOrEmpty(pin) || CertificateFingerprint.Normalize(pin) is not null)
            .WithMessage(_ => localizer["Validation_CertificatePinInvalid"]);

        RuleFor(x => x.UserName)
            .MaximumLength(MailServerLimits.Email).WithMessage(_ => localizer["Validation_UserNameTooLong"]);

        RuleFor(x => x.SenderEmail)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage(_ => localizer["Validation_SenderEmailRequired"])
            .MaximumLength(MailServerLimits.Email).WithMessage(_ => localizer["Validation_EmailTooLong"])
            .EmailAddress().WithMessage(_ => localizer["Validation_EmailInvalid"])
            .Must(Mailbox.IsValid).WithMessage(_ => localizer["Validation_EmailInvalid"]);

        RuleFor(x => x.SenderName)
            .MaximumLength(MailServerLimits.DisplayName).WithMessage(_ => localizer["Validation_SenderNameTooLong"]);

        RuleFor(x => x.AuthenticationType)
            .IsInEnum().WithMessage(_ => localizer["Validation_AuthenticationTypeRequired"]);

        When(x => !x.IsOAuth && x.RequiresAuthentication, () => BasicRules(localizer));
        When(x => x.IsOAuth, () => TokenRules(localizer));
        RuleSet(Authorize, () => When(x => x.IsOAuth, () => OAuthRules(localizer)));
        RuleSet(GetToken, () =>
            RuleFor(x => x.AuthorizationUrl)
                .NotEmpty().When(x => x.IsOAuth && !x.ProviderDescriptor.RequiresAuthorizationUrl)
                .WithMessage(_ => localizer["Validation_AuthorizationUrlForGetToken"]));
    }

    /// <summary>The fields of <see cref="SecretPolicy"/>'s verdict that Get Token needs (every one but the tokens).</summary>
    private static bool IsProviderField(RequiredField field) => field is not (RequiredField.AccessToken or RequiredField.RefreshToken);

    /// <summary>Every single-line field is one line of text, and a secret has no line break (Save and Get Token alike).</summary>
    private void LineRules(IStringLocalizer localizer)
    {
        RuleFor(x => x.Name).SingleLine(localizer)
            .Must(name => string.IsNullOrEmpty(name) || MailServer.NormalizeName(name).Length > 0).WithMessage(_ => localizer["Validation_NameRequired"]);
        RuleFor(x => x.Host).SingleLine(localizer);
        RuleFor(x => x.UserName).SingleLine(localizer);
        RuleFor(x => x.SenderEmail).SingleLine(localizer);
        RuleFor(x => x.SenderName).SingleLine(localizer);
        When(x => !x.IsOAuth && x.RequiresAuthentication, () =>
        {
            RuleFor(x => x.Login).SingleLine(localizer);
            RuleFor(x => x.Password).NoLineBreak(localizer);
        });
        When(x => x.IsOAuth, () =>
        {
            RuleFor(x => x.Tenant).SingleLine(localizer);
            RuleFor(x => x.ClientId).SingleLine(localizer);
            RuleFor(x => x.ClientSecret).NoLineBreak(localizer);
            RuleFor(x => x.AuthorizationUrl).SingleLine(localizer);
            RuleFor(x => x.TokenUrl).SingleLine(localizer);
            RuleFor(x => x.RevocationUrl).SingleLine(localizer);
            RuleFor(x => x.Scopes).SingleLine(localizer);
            RuleFor(x => x.AccessToken).NoLineBreak(localizer);
            RuleFor(x => x.RefreshToken).NoLineBreak(localizer);
        });
    }

    private void BasicRules(IStringLocalizer localizer)
    {
        RuleFor(x => x.Login)
            .MaximumLength(MailServerLimits.Email).WithMessage(_ => localizer["Validation_LoginTooLong"]);

        RuleFor(x => x.Password)
            .MaximumLength(MailServerLimits.Password).WithMessage(_ => localizer["Validation_PasswordTooLong"]);

        // Presence, and where a stored password may go: SecretPolicy's verdict.
        RuleFor(x => x).Custom((input, context) => AddProblems(input, context, localizer, _ => true));
    }

    private void OAuthRules(IStringLocalizer localizer)
    {
        RuleFor(x => x.Provider)
            .IsInEnum().WithMessage(_ => localizer["Validation_ProviderRequired"]);

        RuleFor(x => x.Tenant)
            .Cascade(CascadeMode.Stop)
            .Matches(TenantPattern()).WithMessage(_ => localizer["Validation_TenantInvalid"])
            // An application permission is granted in one organisation: its tenant, not a multi-tenant alias.
            .Must(tenant => !MultiTenantAliases.Contains(tenant!)).When(x => x.ProviderDescriptor.IsAppOnly, ApplyConditionTo.CurrentValidator)
            .WithMessage(_ => localizer["Validation_TenantAppOnly"])
            .When(x => x.ProviderDescriptor.HasTenant && !string.IsNullOrEmpty(x.Tenant));

        RuleFor(x => x.ClientId)
            .MaximumLength(MailServerLimits.ClientId).WithMessage(_ => localizer["Validation_ClientIdTooLong"]);

        RuleFor(x => x.ClientSecret)
            .MaximumLength(MailServerLimits.ClientSecret).WithMessage(_ => localizer["Validation_ClientSecretTooLong"]);

        RuleFor(x => x.AuthorizationUrl)
            .Must(BeAnEndpoint).When(x => !string.IsNullOrEmpty(x.AuthorizationUrl)).WithMessage(_ => localizer["Validation_Endpoint"]);

        RuleFor(x => x.TokenUrl)
            .Cascade(CascadeMode.Stop)
            .Must(BeAnEndpoint).WithMessage(_ => localizer["Validation_Endpoint"])
            .Must((input, url) => MicrosoftOAuthClient.AuthorizationUrlMatches(input.AuthorizationUrl, url))
            .When(x => x.ProviderDescriptor.UrlsShareAuthority, ApplyConditionTo.CurrentValidator)
            .WithMessage(_ => localizer["Validation_MicrosoftUrls"])
            .Must(url => MicrosoftOAuthClient.Authority(url) is not null)
            .When(x => x.ProviderDescriptor.TokenUrlIsMsalAuthority, ApplyConditionTo.CurrentValidator)
            .WithMessage(_ => localizer["Validation_MicrosoftTokenUrl"])
            .When(x => !string.IsNullOrEmpty(x.TokenUrl));

        RuleFor(x => x.RevocationUrl)
            .Must(BeAnEndpoint).When(x => !string.IsNullOrEmpty(x.RevocationUrl)).WithMessage(_ => localizer["Validation_Endpoint"]);

        RuleFor(x => x.Scopes)
            .MaximumLength(MailServerLimits.Scopes).WithMessage(_ => localizer["Validation_ScopesTooLong"]);

        // Presence, and where a stored client secret may go: SecretPolicy's verdict.
        RuleFor(x => x).Custom((input, context) => AddProblems(input, context, localizer, IsProviderField));
    }

    /// <summary>Seed §10: an OAuth server is saved only with every field, access and refresh token included.</summary>
    private void TokenRules(IStringLocalizer localizer)
    {
        RuleFor(x => x.AccessToken)
            .MaximumLength(MailServerLimits.Token).WithMessage(_ => localizer["Validation_AccessTokenTooLong"]);

        RuleFor(x => x.RefreshToken)
            .MaximumLength(MailServerLimits.Token).WithMessage(_ => localizer["Validation_RefreshTokenTooLong"]);

        RuleFor(x => x).Custom((input, context) =>
        {
            AddProblems(input, context, localizer, field => !IsProviderField(field));
            var missing = input.Verdict.Problems.Select(p => MissingKey(input, p.Field)).OfType<string>().Distinct().ToList();
            if (missing.Count > 0)
            {
                context.AddFailure(new ValidationFailure(
                    string.Empty,
                    localizer["Validation_OAuthIncomplete", string.Join(", ", missing.Select(key => localizer[key].Value))]));
            }
        });
    }

    /// <summary>Puts the verdict's problems (those <paramref name="include"/> selects) beside their fields.</summary>
    private static void AddProblems(
        MailServerInput input, ValidationContext<MailServerInput> context, IStringLocalizer localizer, Func<RequiredField, bool> include)
    {
        foreach (var problem in input.Verdict.Problems.Where(p => include(p.Field)))
        {
            context.AddFailure(new ValidationFailure(PropertyOf(problem.Field), Message(input, problem, localizer)));
        }
    }

    /// <summary>The form property a required field is shown beside.</summary>
    public static string PropertyOf(RequiredField field) => field switch
    {
        RequiredField.Login => nameof(MailServerInput.Login),
        RequiredField.Password => nameof(MailServerInput.Password),
        RequiredField.UserName => nameof(MailServerInput.UserName),
        RequiredField.Tenant => nameof(MailServerInput.Tenant),
        RequiredField.ClientId => nameof(MailServerInput.ClientId),
        RequiredField.ClientSecret => nameof(MailServerInput.ClientSecret),
        RequiredField.AuthorizationUrl => nameof(MailServerInput.AuthorizationUrl),
        RequiredField.TokenUrl => nameof(MailServerInput.TokenUrl),
        RequiredField.RevocationUrl => nameof(MailServerInput.RevocationUrl),
        RequiredField.Scopes => nameof(MailServerInput.Scopes),
        RequiredField.AccessToken => nameof(MailServerInput.AccessToken),
        RequiredField.Certificate => nameof(MailServerInput.CertificateFile),
        RequiredField.ServiceAccountKey => nameof(MailServerInput.ServiceAccountKeyFile),
        _ => nameof(MailServerInput.RefreshToken),
    };

    /// <summary>The message beside a field for one of the verdict's problems.</summary>
    public static string Message(MailServerInput input, ServerProblem problem, IStringLocalizer localizer)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(problem);
        ArgumentNullException.ThrowIfNull(localizer);
        var pasted = input.ProviderDescriptor.AcceptsPastedTokens;
        var appOnly = input.ProviderDescriptor.IsAppOnly;
        var key = (problem.Field, problem.Kind) switch
        {
            (_, ProblemKind.Conflicting) => "Validation_CredentialConflict",
            (RequiredField.ClientSecret, ProblemKind.Missing) when input.ProviderDescriptor.AcceptsCertificate => "Validation_AppCredentialRequired",
            (RequiredField.Certificate, ProblemKind.Missing) => "Validation_AppCredentialRequired",
            (RequiredField.Certificate, ProblemKind.MustBeRetyped) => "Validation_CertificateMoves",
            (RequiredField.Certificate, _) => "Validation_CertificateUnreadable",
            (RequiredField.ServiceAccountKey, ProblemKind.Missing) => "Validation_ServiceAccountKeyRequired",
            (RequiredField.ServiceAccountKey, ProblemKind.MustBeRetyped) => "Validation_ServiceAccountKeyMoves",
            (RequiredField.ServiceAccountKey, _) => "Validation_ServiceAccountKeyUnreadable",
            (RequiredField.AccessToken, ProblemKind.MustBeRetyped) when appOnly => "Validation_AppTokenMoves",
            (RequiredField.AccessToken, ProblemKind.Unreadable) when appOnly => "Validation_AppTokenUnreadable",
            (RequiredField.AccessToken, _) when appOnly => "Validation_AppTokenMissing",
            (RequiredField.Password, ProblemKind.Missing) => input.ClearPassword ? "Validation_PasswordAfterClear" : "Validation_PasswordRequired",
            (RequiredField.Password, ProblemKind.MustBeRetyped) =>
                problem.Change == SecretChange.CertificatePin ? "Validation_PasswordMoves_Pin" : "Validation_PasswordMoves",
            (RequiredField.Password, _) => "Validation_PasswordUnreadable",
            (RequiredField.ClientSecret, ProblemKind.Missing) => "Validation_ClientSecretRequired",
            (RequiredField.ClientSecret, ProblemKind.MustBeRetyped) => problem.Change switch
            {
                SecretChange.Issuer => "Validation_ClientSecretMoves_Issuer",
                SecretChange.RevocationUrl => "Validation_ClientSecretMoves_Revocation",
                _ => "Validation_ClientSecretMoves",
            },
            (RequiredField.ClientSecret, _) => "Validation_ClientSecretUnreadable",
            (RequiredField.AccessToken or RequiredField.RefreshToken, ProblemKind.MustBeRetyped) => problem.Change switch
            {
                SecretChange.Issuer => "Validation_TokensMove_Issuer",
                SecretChange.RevocationUrl => "Validation_TokensMove_Revocation",
                SecretChange.CertificatePin => "Validation_TokensMove_Pin",
                _ => "Validation_TokensMove_Destination",
            },
            (RequiredField.AccessToken or RequiredField.RefreshToken, ProblemKind.Unreadable) => "Validation_TokensUnreadable",
            (RequiredField.AccessToken, _) => pasted ? "Validation_AccessTokenPaste" : "Validation_AccessTokenMissing",
            (RequiredField.RefreshToken, _) => pasted ? "Validation_RefreshTokenPaste" : "Validation_RefreshTokenMissing",
            (RequiredField.Login, _) => "Validation_LoginRequired",
            (RequiredField.UserName, _) => "Validation_OAuthUserNameRequired",
            (RequiredField.Tenant, _) => "Validation_TenantRequired",
            (RequiredField.ClientId, _) => "Validation_ClientIdRequired",
            (RequiredField.AuthorizationUrl, _) => "Validation_AuthorizationUrlRequired",
            (RequiredField.TokenUrl, _) => "Validation_TokenUrlRequired",
            (RequiredField.RevocationUrl, _) => "Validation_RevocationUrlRequired",
            _ => "Validation_ScopesRequired",
        };
        return localizer[key];
    }

    /// <summary>The resource key naming a field in the "still missing" summary, for the fields the summary lists.</summary>
    private static string? MissingKey(MailServerInput input, RequiredField field) => field switch
    {
        RequiredField.Tenant => "Missing_Tenant",
        RequiredField.ClientId => "Missing_ClientId",
        RequiredField.ClientSecret or RequiredField.Certificate when input.ProviderDescriptor.AcceptsCertificate => "Missing_AppCredential",
        RequiredField.ClientSecret => "Missing_ClientSecret",
        RequiredField.ServiceAccountKey => "Missing_ServiceAccountKey",
        RequiredField.AccessToken when input.ProviderDescriptor.IsAppOnly => "Missing_AppToken",
        RequiredField.AuthorizationUrl => "Missing_AuthorizationUrl",
        RequiredField.TokenUrl => "Missing_TokenUrl",
        RequiredField.Scopes => "Missing_Scopes",
        RequiredField.AccessToken => "Missing_AccessToken",
        RequiredField.RefreshToken => "Missing_RefreshToken",
        _ => null,
    };

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

    /// <summary>Tenants that name no organisation: Microsoft's multi-tenant sign-in aliases.</summary>
    private static readonly HashSet<string> MultiTenantAliases = new(["common", "organizations", "consumers"], StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9.-]{0,99}$")]
    private static partial Regex TenantPattern();
}
