using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace MailServerAdmin.Web.Faults;

/// <summary>Registers the handling of a database that cannot be written or read.</summary>
public static class StorageFaultRegistration
{
    /// <summary>The page filter for every Razor Page, and a sign-in check that leaves an unusable database alone.</summary>
    public static IServiceCollection AddStorageFaults(this IServiceCollection services)
    {
        services.Configure<MvcOptions>(options => options.Filters.Add<StorageFaultPageFilter>());

        // Every signed-in request checks the administrator in the database. While the 503 page is shown that check
        // would fail again, so that page is shown as to a visitor who is not signed in; the cookie is kept.
        services.PostConfigure<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme, options =>
        {
            var validate = options.Events.OnValidatePrincipal;
            options.Events.OnValidatePrincipal = context =>
            {
                if (context.HttpContext.Features.Get<StorageFaultFeature>() is null)
                {
                    return validate(context);
                }

                context.RejectPrincipal();
                return Task.CompletedTask;
            };
        });
        return services;
    }

    /// <summary>Answers 503 with the message for a storage fault anywhere after this point of the pipeline.</summary>
    public static IApplicationBuilder UseStorageFaults(this IApplicationBuilder app) => app.UseMiddleware<StorageFaultMiddleware>();
}
