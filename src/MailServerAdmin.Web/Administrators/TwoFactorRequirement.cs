using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace MailServerAdmin.Web.Administrators;

/// <summary>A page an administrator may open before setting up two-factor sign-in where it is required.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class AllowedBeforeTwoFactorAttribute : Attribute;

/// <summary>
/// With <c>Admin:RequireTwoFactor</c>, an administrator who signed in with a password and has no two-factor sign-in yet is
/// sent to set it up, whatever they ask for, until it is done. Single sign-on is left to the provider's own checks.
/// </summary>
public static class TwoFactorRequirement
{
    public const string SetupPath = "/Account/Manage/EnableAuthenticator";

    private static readonly object TwoFactorKey = new();

    /// <summary>Called where the sign-in is checked against the database on each request: whether two-factor is on.</summary>
    public static void Remember(HttpContext context, bool twoFactorEnabled)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[TwoFactorKey] = twoFactorEnabled;
    }

    public static IApplicationBuilder UseTwoFactorRequirement(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (MustSetUp(context))
        {
            var returnUrl = $"{context.Request.PathBase}{context.Request.Path}{context.Request.QueryString}";
            context.Response.Redirect(HttpMethods.IsGet(context.Request.Method)
                ? $"{context.Request.PathBase}{SetupPath}?returnUrl={Uri.EscapeDataString(returnUrl)}"
                : $"{context.Request.PathBase}{SetupPath}");
            return;
        }

        await next(context);
    });

    private static bool MustSetUp(HttpContext context)
    {
        if (context.User.Identity?.IsAuthenticated != true
            || !context.RequestServices.GetRequiredService<IOptions<SignInSettings>>().Value.RequireTwoFactor)
        {
            return false;
        }

        var endpoint = context.GetEndpoint();
        if (endpoint is null
            || endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null
            || endpoint.Metadata.GetMetadata<AllowedBeforeTwoFactorAttribute>() is not null)
        {
            return false;
        }

        if (context.User.FindFirstValue(ClaimTypes.AuthenticationMethod) == SingleSignOnSettings.Scheme)
        {
            return false;
        }

        return context.Items[TwoFactorKey] is not true;
    }
}
