using System.Net;
using System.Text.RegularExpressions;
using FluentValidation;
using MailServerAdmin.Web.MailServers;
using MailServerAdmin.Web.OAuth;
using MailServerAdmin.Web.Resources;
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
        When(x => x.IsOAuth, () => CompleteTokenRules(localizer));
        RuleSet(Authorize, () => When(x => x.IsOAuth, () => OAuthRules(localizer)));
        RuleSet(GetToken, () =>
            RuleFor(x => x.AuthorizationUrl)
                .NotEmpty().When(x => x.IsOAuth && x.Provider == OAuthProvider.Manual)
                .WithMessage(_ => localizer["Validation_AuthorizationUrlForGetToken"]));
    }

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

        RuleFor(x => x.EffectiveLogin)
            .NotEmpty().WithMessage(_ => localizer["Validation_LoginRequired"])
            .OverridePropertyName(nameof(MailServerInput.Login));

        RuleFor(x => x.Password)
            .MaximumLength(MailServerLimits.Password).WithMessage(_ => localizer["Validation_PasswordTooLong"]);

        RuleFor(x => x.Password)
            .NotEmpty()
            .When(x => !x.HasStoredPassword || x.ClearPassword)
            .WithMessage(x => x.ClearPassword ? localizer["Validation_PasswordAfterClear"] : localizer["Validation_PasswordRequired"]);

        // A stored password is only ever sent to the destination it was typed for.
        RuleFor(x => x.Password)
            .Must((input, _) => !input.MovesStoredPassword)
            .WithMessage(_ => localizer["Validation_PasswordMoves"]);
    }

    private void OAuthRules(IStringLocalizer localizer)
    {
        RuleFor(x => x.Provider)
            .IsInEnum().WithMessage(_ => localizer["Validation_ProviderRequired"]);

        RuleFor(x => x.UserName)
            .NotEmpty().WithMessage(_ => localizer["Validation_OAuthUserNameRequired"]);

        RuleFor(x => x.Tenant)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage(_ => localizer["Validation_TenantRequired"])
            .Matches(TenantPattern()).WithMessage(_ => localizer["Validation_TenantInvalid"])
            .When(x => x.Provider == OAuthProvider.Microsoft);

        RuleFor(x => x.ClientId)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage(_ => localizer["Validation_ClientIdRequired"])
            .MaximumLength(MailServerLimits.ClientId).WithMessage(_ => localizer["Validation_ClientIdTooLong"]);

        RuleFor(x => x.ClientSecret)
            .MaximumLength(MailServerLimits.ClientSecret).WithMessage(_ => localizer["Validation_ClientSecretTooLong"]);

        RuleFor(x => x.ClientSecret)
            .Must((input, _) => input.HasClientSecret)
            .When(x => x.Provider != OAuthProvider.Manual || x.ClientSecretMustBeRetyped)
            .WithMessage(x => x.ClientSecretMustBeRetyped ? localizer["Validation_ClientSecretMoves"] : localizer["Validation_ClientSecretRequired"]);

        RuleFor(x => x.AuthorizationUrl)
            .NotEmpty().When(x => x.Provider != OAuthProvider.Manual, ApplyConditionTo.CurrentValidator).WithMessage(_ => localizer["Validation_AuthorizationUrlRequired"])
            .Must(BeAnEndpoint).When(x => !string.IsNullOrEmpty(x.AuthorizationUrl), ApplyConditionTo.CurrentValidator).WithMessage(_ => localizer["Validation_Endpoint"]);

        RuleFor(x => x.TokenUrl)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().WithMessage(_ => localizer["Validation_TokenUrlRequired"])
            .Must(BeAnEndpoint).WithMessage(_ => localizer["Validation_Endpoint"])
            .Must((input, url) => MicrosoftOAuthClient.AuthorizationUrlMatches(input.AuthorizationUrl, url))
            .When(x => x.Provider == OAuthProvider.Microsoft, ApplyConditionTo.CurrentValidator)
            .WithMessage(_ => localizer["Validation_MicrosoftUrls"]);

        RuleFor(x => x.RevocationUrl)
            .NotEmpty().When(x => x.Provider == OAuthProvider.Google, ApplyConditionTo.CurrentValidator).WithMessage(_ => localizer["Validation_RevocationUrlRequired"])
            .Must(BeAnEndpoint).When(x => !string.IsNullOrEmpty(x.RevocationUrl), ApplyConditionTo.CurrentValidator).WithMessage(_ => localizer["Validation_Endpoint"]);

        RuleFor(x => x.Scopes)
            .Cascade(CascadeMode.Stop)
            .NotEmpty().When(x => x.Provider != OAuthProvider.Manual, ApplyConditionTo.CurrentValidator).WithMessage(_ => localizer["Validation_ScopesRequired"])
            .MaximumLength(MailServerLimits.Scopes).WithMessage(_ => localizer["Validation_ScopesTooLong"]);
    }

    /// <summary>Seed §10: an OAuth server is saved only with every field, access and refresh token included.</summary>
    private void CompleteTokenRules(IStringLocalizer localizer)
    {
        RuleFor(x => x.AccessToken)
            .MaximumLength(MailServerLimits.Token).WithMessage(_ => localizer["Validation_AccessTokenTooLong"])
            .Must((input, _) => input.HasAccessToken)
            .WithMessage(x => x.Provider == OAuthProvider.Manual ? localizer["Validation_AccessTokenPaste"] : localizer["Validation_AccessTokenMissing"]);

        RuleFor(x => x.RefreshToken)
            .MaximumLength(MailServerLimits.Token).WithMessage(_ => localizer["Validation_RefreshTokenTooLong"])
            .Must((input, _) => input.HasRefreshToken)
            .WithMessage(x => x.Provider == OAuthProvider.Manual ? localizer["Validation_RefreshTokenPaste"] : localizer["Validation_RefreshTokenMissing"]);

        RuleFor(x => x)
            .Custom((input, context) =>
            {
                var missing = Missing(input);
                if (missing.Count > 0)
                {
                    context.AddFailure(new FluentValidation.Results.ValidationFailure(
                        string.Empty,
                        localizer["Validation_OAuthIncomplete", string.Join(", ", missing.Select(key => localizer[key].Value))]));
                }
            });
    }

    /// <summary>What the complete-token rule still needs, as resource keys of the fields' names.</summary>
    public static List<string> Missing(MailServerInput input)
    {
        var missing = new List<string>();
        var manual = input.Provider == OAuthProvider.Manual;
        if (input.Provider == OAuthProvider.Microsoft && string.IsNullOrEmpty(input.Tenant))
        {
            missing.Add("Missing_Tenant");
        }

        if (string.IsNullOrEmpty(input.ClientId))
        {
            missing.Add("Missing_ClientId");
        }

        if (!manual && !input.HasClientSecret)
        {
            missing.Add("Missing_ClientSecret");
        }

        if (!manual && string.IsNullOrEmpty(input.AuthorizationUrl))
        {
            missing.Add("Missing_AuthorizationUrl");
        }

        if (string.IsNullOrEmpty(input.TokenUrl))
        {
            missing.Add("Missing_TokenUrl");
        }

        if (!manual && string.IsNullOrEmpty(input.Scopes))
        {
            missing.Add("Missing_Scopes");
        }

        if (!input.HasAccessToken)
        {
            missing.Add("Missing_AccessToken");
        }

        if (!input.HasRefreshToken)
        {
            missing.Add("Missing_RefreshToken");
        }

        return missing;
    }

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
