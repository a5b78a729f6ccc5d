using MailServerAdmin.Web.Administrators;
using MailServerAdmin.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using MailServerAdmin.Web.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.CookiePolicy;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Web.Security;

/// <summary>Only signed-in administrators reach the app; its cookies are locked down.</summary>
public static class AdminAccess
{
    private static async Task StillAnAdministratorAsync(Microsoft.AspNetCore.Authentication.Cookies.CookieValidatePrincipalContext context)
    {
        var claimTypes = context.HttpContext.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<IdentityOptions>>().Value.ClaimsIdentity;
        var id = context.Principal?.FindFirst(claimTypes.UserIdClaimType)?.Value;
        var stamp = context.Principal?.FindFirst(claimTypes.SecurityStampClaimType)?.Value;
        var db = context.HttpContext.RequestServices.GetRequiredService<AppDbContext>();
        var twoFactor = id is null
            ? null
            : await db.Users.Where(u => u.Id == id && u.SecurityStamp == stamp).Select(u => (bool?)u.TwoFactorEnabled).SingleOrDefaultAsync();
        if (twoFactor is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return;
        }

        TwoFactorRequirement.Remember(context.HttpContext, twoFactor.Value);
    }

    public static void AddAdminAccess(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // Outside Development the app is served over HTTPS, so cookies are never sent in clear.
        var secure = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;

        var authentication = services.AddAuthentication(IdentityConstants.ApplicationScheme);
        authentication.AddIdentityCookies();
        authentication.AddSingleSignOn(builder.Configuration, secure);
        services.AddOptions<SignInSettings>().Configure<IConfiguration>((options, configuration) =>
        {
            options.RequireTwoFactor = configuration.GetValue(SignInSettings.RequireTwoFactorSetting, false);
            options.LocalAccounts = configuration.GetValue(SignInSettings.LocalAccountsSetting, true);
        }).ValidateOnStart();
        if (!builder.Configuration.GetValue(SignInSettings.LocalAccountsSetting, true)
            && string.IsNullOrWhiteSpace(builder.Configuration[$"{SingleSignOnSettings.Section}:Authority"]))
        {
            throw new InvalidOperationException(
                $"{SignInSettings.LocalAccountsSetting} is false but single sign-on is not configured ({SingleSignOnSettings.Section}:Authority): nobody could sign in.");
        }

        services.AddIdentityCore<IdentityUser>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = AdministratorRules.MinimumPasswordLength;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
                options.Lockout.AllowedForNewUsers = true;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddSignInManager()
            // Codes from authenticator apps, and the one-time token a password reset by another administrator uses.
            // No e-mail or SMS codes: this app sends no such messages.
            .AddTokenProvider<AuthenticatorTokenProvider<IdentityUser>>(TokenOptions.DefaultAuthenticatorProvider)
            .AddTokenProvider<DataProtectorTokenProvider<IdentityUser>>(TokenOptions.DefaultProvider)
            .AddErrorDescriber<LocalizedIdentityErrors>()
            .AddEntityFrameworkStores<AppDbContext>();

        services.ConfigureApplicationCookie(options =>
        {
            options.Cookie.Name = "MailServerAdmin.Auth";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.SecurePolicy = secure;
            options.LoginPath = "/Account/Login";
            options.LogoutPath = "/Account/Logout";
            options.AccessDeniedPath = "/Account/Login";
            options.ExpireTimeSpan = TimeSpan.FromHours(8);
            options.SlidingExpiration = true;
            // A removed administrator (or one whose security stamp changed) is signed out on their next request:
            // one indexed lookup per request instead of Identity's periodic re-issue of the whole sign-in.
            options.Events.OnValidatePrincipal = StillAnAdministratorAsync;
        });

        // The cookies that carry a sign-in half-way (the provider's answer; the password before its second factor).
        services.Configure<CookieAuthenticationOptions>(IdentityConstants.ExternalScheme, options =>
        {
            options.Cookie.Name = "MailServerAdmin.External";
            options.Cookie.SecurePolicy = secure;
        });
        services.Configure<CookieAuthenticationOptions>(IdentityConstants.TwoFactorUserIdScheme, options =>
        {
            options.Cookie.Name = "MailServerAdmin.TwoFactor";
            options.Cookie.SecurePolicy = secure;
        });

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());

        services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "MailServerAdmin.Antiforgery";
            options.Cookie.SecurePolicy = secure;
        });
        services.Configure<CookieTempDataProviderOptions>(options => options.Cookie.SecurePolicy = secure);
        services.Configure<CookiePolicyOptions>(options =>
        {
            options.HttpOnly = HttpOnlyPolicy.Always;
            options.Secure = secure;
            options.MinimumSameSitePolicy = SameSiteMode.Lax;
        });
        services.AddHsts(options =>
        {
            options.MaxAge = TimeSpan.FromDays(365);
            options.IncludeSubDomains = true;
        });

        services.AddScoped<AdministratorService>();
        services.AddScoped<AccountSecurity>();
        services.AddScoped<PasswordSignIn>();
        services.AddScoped<SingleSignOn>();
        services.AddSingleton<DummyPassword>();
        services.AddScoped<SetupCode>();
    }
}
