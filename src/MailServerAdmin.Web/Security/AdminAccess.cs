using MailServerAdmin.Web.Administrators;
using MailServerAdmin.Data;
using Microsoft.AspNetCore.Authentication;
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
        if (id is null || !await db.Users.AnyAsync(u => u.Id == id && u.SecurityStamp == stamp))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
        }
    }

    public static void AddAdminAccess(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // Outside Development the app is served over HTTPS, so cookies are never sent in clear.
        var secure = builder.Environment.IsDevelopment() ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;

        services.AddAuthentication(IdentityConstants.ApplicationScheme).AddIdentityCookies();
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
        services.AddScoped<SetupCode>();
    }
}
