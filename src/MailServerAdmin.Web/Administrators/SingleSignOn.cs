using System.Security.Claims;
using MailServerAdmin.Audit;
using MailServerAdmin.Data;
using MailServerAdmin.Validation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace MailServerAdmin.Web.Administrators;

/// <summary>
/// Signs an administrator in with the identity an OpenID Connect provider vouched for. Only e-mails on the allow-list get
/// in; the first sign-in creates the administrator, or links the existing one with the same e-mail. Every sign-in is
/// audited.
/// </summary>
public sealed partial class SingleSignOn(
    UserManager<IdentityUser> users,
    SignInManager<IdentityUser> signIn,
    AppDbContext db,
    AuditLog audit,
    IOptions<SingleSignOnSettings> settings,
    ILogger<SingleSignOn> logger)
{
    /// <summary>Where the handler sends the browser when the provider's answer cannot be used (a bad token, say).</summary>
    public const string FailedPath = "/Account/ExternalLogin?handler=Failed";

    public async Task<SingleSignOnOutcome> SignInAsync(ExternalLoginInfo info, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(info);
        var email = EmailOf(info.Principal);
        if (email is null)
        {
            LogNoEmail(logger, info.LoginProvider);
            return new(SingleSignOnResult.NoEmail, null);
        }

        if (IsFalse(info.Principal.FindFirstValue("email_verified")))
        {
            LogUnverified(logger, email);
            return new(SingleSignOnResult.Unverified, email);
        }

        if (!settings.Value.Allows(email))
        {
            LogNotAllowed(logger, email);
            return new(SingleSignOnResult.NotAllowed, email);
        }

        var user = await users.FindByLoginAsync(info.LoginProvider, info.ProviderKey) ?? await LinkAsync(info, email, ct);
        if (await users.IsLockedOutAsync(user))
        {
            LogLockedOut(logger, user.Id, user.LockoutEnd);
            return new(SingleSignOnResult.LockedOut, email);
        }

        // The provider checked the administrator (with its own second factor where it has one): no local code is asked.
        await signIn.SignInAsync(user, isPersistent: false, authenticationMethod: info.LoginProvider);
        audit.Record(AuditAction.SingleSignOn, null, null, detail: email, administrator: user.Email ?? email);
        await db.SaveChangesAsync(ct);
        LogSignedIn(logger, user.Id, info.LoginProvider);
        return new(SingleSignOnResult.SignedIn, email);
    }

    /// <summary>First sign-in: the administrator with that e-mail gets this login, or is created without a password.</summary>
    private async Task<IdentityUser> LinkAsync(ExternalLoginInfo info, string email, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            user = new IdentityUser { UserName = email, Email = email, EmailConfirmed = true };
            Check(await users.CreateAsync(user));
            audit.Record(AuditAction.AdministratorAdded, null, null, detail: email, administrator: email);
        }
        else
        {
            audit.Record(AuditAction.SingleSignOnLinked, null, null, detail: email, administrator: email);
        }

        Check(await users.AddLoginAsync(user, new UserLoginInfo(info.LoginProvider, info.ProviderKey, info.ProviderDisplayName)));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return user;
    }

    private static string? EmailOf(ClaimsPrincipal principal)
    {
        var email = (principal.FindFirstValue(ClaimTypes.Email) ?? principal.FindFirstValue("email"))?.Trim();
        return email is { Length: > 0 and <= 254 } && Mailbox.IsValid(email) ? email : null;
    }

    private static bool IsFalse(string? value) => string.Equals(value, "false", StringComparison.OrdinalIgnoreCase);

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"Single sign-on could not record the administrator: {string.Join("; ", result.Errors.Select(e => e.Code))}");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Single sign-on refused: the {Provider} identity has no usable e-mail address")]
    private static partial void LogNoEmail(ILogger logger, string provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Single sign-on refused for {Email}: the provider says the address is not verified")]
    private static partial void LogUnverified(ILogger logger, string email);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Single sign-on refused for {Email}: not on the allow-list")]
    private static partial void LogNotAllowed(ILogger logger, string email);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Single sign-on refused: administrator {UserId} is locked out until {LockoutEnd}")]
    private static partial void LogLockedOut(ILogger logger, string userId, DateTimeOffset? lockoutEnd);

    [LoggerMessage(Level = LogLevel.Information, Message = "Administrator {UserId} signed in through {Provider}")]
    private static partial void LogSignedIn(ILogger logger, string userId, string provider);
}

public enum SingleSignOnResult
{
    SignedIn,
    NoEmail,
    Unverified,
    NotAllowed,
    LockedOut,
}

public sealed record SingleSignOnOutcome(SingleSignOnResult Result, string? Email);

/// <summary>Registers the OpenID Connect handler when <c>Authentication:Oidc:Authority</c> is set.</summary>
public static partial class SingleSignOnRegistration
{
    public static void AddSingleSignOn(this AuthenticationBuilder authentication, IConfiguration configuration, CookieSecurePolicy secure)
    {
        ArgumentNullException.ThrowIfNull(authentication);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SingleSignOnSettings.Section);
        authentication.Services.Configure<SingleSignOnSettings>(section);
        var settings = section.Get<SingleSignOnSettings>() ?? new SingleSignOnSettings();
        if (!settings.IsConfigured)
        {
            return;
        }

        if (!Uri.TryCreate(settings.Authority, UriKind.Absolute, out var authority)
            || (authority.Scheme != Uri.UriSchemeHttps && !SingleSignOnSettings.IsLoopbackHttp(authority)))
        {
            throw new InvalidOperationException(
                $"{SingleSignOnSettings.Section}:Authority must be an https URL (plain http only on this machine), such as https://accounts.google.com.");
        }

        if (string.IsNullOrWhiteSpace(settings.ClientId))
        {
            throw new InvalidOperationException($"{SingleSignOnSettings.Section}:ClientId is required when {SingleSignOnSettings.Section}:Authority is set.");
        }

        authentication.AddOpenIdConnect(SingleSignOnSettings.Scheme, settings.DisplayName, options =>
        {
            options.SignInScheme = IdentityConstants.ExternalScheme;
            options.Authority = authority.ToString();
            options.ClientId = settings.ClientId;
            options.ClientSecret = string.IsNullOrEmpty(settings.ClientSecret) ? null : settings.ClientSecret;
            // Authorization code with PKCE; the answer comes back as a top-level GET, which the Lax cookies go with.
            options.ResponseType = OpenIdConnectResponseType.Code;
            options.ResponseMode = OpenIdConnectResponseMode.Query;
            options.UsePkce = true;
            options.Scope.Clear();
            foreach (var scope in settings.EffectiveScopes())
            {
                options.Scope.Add(scope);
            }

            // The id_token is checked against the provider's keys (JWKS), its issuer, this client as audience, its lifetime
            // and the nonce of this browser's request. Metadata over plain http only from a provider on this machine.
            options.RequireHttpsMetadata = !SingleSignOnSettings.IsLoopbackHttp(authority);
            options.ProtocolValidator.RequireNonce = true;
            options.TokenValidationParameters.ValidateIssuer = true;
            options.TokenValidationParameters.ValidateAudience = true;
            options.TokenValidationParameters.ValidateLifetime = true;
            options.TokenValidationParameters.RequireSignedTokens = true;
            options.GetClaimsFromUserInfoEndpoint = false;
            options.SaveTokens = false;
            options.DisableTelemetry = true;
            options.CorrelationCookie.SecurePolicy = secure;
            options.CorrelationCookie.SameSite = SameSiteMode.Lax;
            options.NonceCookie.SecurePolicy = secure;
            options.NonceCookie.SameSite = SameSiteMode.Lax;
            options.Events.OnRemoteFailure = context =>
            {
                var logger = context.HttpContext.RequestServices.GetRequiredService<ILogger<SingleSignOn>>();
                LogRemoteFailure(logger, context.Failure?.GetType().Name ?? "", context.Failure?.Message ?? "");
                context.Response.Redirect($"{context.Request.PathBase}{SingleSignOn.FailedPath}");
                context.HandleResponse();
                return Task.CompletedTask;
            };
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Single sign-on failed: {Failure}: {Reason}")]
    private static partial void LogRemoteFailure(ILogger logger, string failure, string reason);
}
