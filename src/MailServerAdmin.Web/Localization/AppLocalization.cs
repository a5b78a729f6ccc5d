using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using MailServerAdmin.Resources;
using MailServerAdmin.Web.Validation;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.DataAnnotations;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.WebEncoders;

namespace MailServerAdmin.Web.Localization;

/// <summary>
/// The languages of the app: English (the default), Spanish and Brazilian Portuguese. The language is the one chosen
/// with the picker (kept in the standard culture cookie), else the browser's Accept-Language, else English.
/// </summary>
public static class AppLocalization
{
    public const string DefaultCulture = "en";

    /// <summary>Where the language picker's form goes.</summary>
    public const string PickerPath = "/culture";

    /// <summary>A page sets this view data entry to send the picker back somewhere else than to itself.</summary>
    public const string PickerReturnUrlKey = "PickerReturnUrl";

    /// <summary>
    /// The query parameters the picker carries back to the page (search, paging, the audit filter, sign-in's return
    /// address, a Get Token draft). Any other is left out, so that a page whose address holds a secret (the OAuth
    /// callback's code and state) never repeats it in the picker or in the redirect after it.
    /// </summary>
    public static readonly IReadOnlySet<string> PickerQueryKeys =
        new HashSet<string>(["q", "p", "server", "ReturnUrl", "draft"], StringComparer.OrdinalIgnoreCase);

    /// <summary>The supported cultures, in the order the picker lists them.</summary>
    public static readonly IReadOnlyList<string> Cultures = [DefaultCulture, "es", "pt-BR"];

    /// <summary>How long the picker's choice is remembered.</summary>
    public static readonly TimeSpan CookieLifetime = TimeSpan.FromDays(365);

    /// <summary>
    /// A supported culture as the app formats with it. Spanish dates are written dd/MM/yyyy on every platform (ICU, on
    /// Linux, would write d/M/yyyy; Windows writes dd/MM/yyyy).
    /// </summary>
    public static CultureInfo Culture(string name)
    {
        var culture = new CultureInfo(name, useUserOverride: false);
        if (culture.TwoLetterISOLanguageName == "es")
        {
            culture.DateTimeFormat.ShortDatePattern = "dd/MM/yyyy";
        }

        return CultureInfo.ReadOnly(culture);
    }

    /// <summary>The supported culture named <paramref name="name"/> (ignoring case), or null.</summary>
    public static string? Supported(string? name) =>
        Cultures.FirstOrDefault(c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The supported culture for a browser's language: the same culture, else the one of the same language
    /// (<c>pt</c> and <c>pt-PT</c> get the Portuguese texts, <c>es-AR</c> the Spanish ones), else null.
    /// </summary>
    public static string? ForLanguage(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }

        var language = name.Split('-', 2)[0];
        return Supported(name) ?? Cultures.FirstOrDefault(c => string.Equals(c.Split('-', 2)[0], language, StringComparison.OrdinalIgnoreCase));
    }

    public static IServiceCollection AddAppLocalization(this IServiceCollection services)
    {
        services.AddLocalization();
        services.Replace(ServiceDescriptor.Singleton<IStringLocalizerFactory>(sp =>
            new CachingStringLocalizerFactory(ActivatorUtilities.CreateInstance<ResourceManagerStringLocalizerFactory>(sp))));
        services.Configure<RequestLocalizationOptions>(options =>
        {
            var cultures = Cultures.Select(Culture).ToList();
            options.DefaultRequestCulture = new RequestCulture(DefaultCulture);
            options.SupportedCultures = cultures;
            options.SupportedUICultures = cultures;
            options.RequestCultureProviders = [new CookieRequestCultureProvider(), new AcceptLanguageByLanguageProvider()];
            options.ApplyCurrentCultureToResponseHeaders = true;
        });
        // Accented letters and typographic quotes are written as they are, not as character references.
        services.Configure<WebEncoderOptions>(options => options.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
        services.AddSingleton<IValidationAttributeAdapterProvider, LocalizedValidationAttributes>();
        services.AddOptions<MvcOptions>()
            .Configure<IStringLocalizer<SharedResource>>((options, localizer) => LocalizeModelBinding(options.ModelBindingMessageProvider, localizer));
        return services;
    }

    /// <summary>
    /// Views get <c>IHtmlLocalizer&lt;SharedResource&gt;</c> (texts with inline markup); display names
    /// (<c>[Display(Name = "key")]</c>) are resource keys of <see cref="SharedResource"/>.
    /// </summary>
    public static IMvcBuilder AddAppLocalization(this IMvcBuilder builder) =>
        builder.AddViewLocalization()
            .AddDataAnnotationsLocalization(options =>
                options.DataAnnotationLocalizerProvider = (_, factory) => factory.Create(typeof(SharedResource)));

    /// <summary>
    /// The language picker's target: <c>GET /culture?culture=es&amp;returnUrl=/MailServers</c> remembers a supported
    /// language and goes back to the page (a local URL only). Anonymous, so that the sign-in page has the picker too;
    /// a GET form, so that it works without script and needs no antiforgery token (it changes nothing but the language).
    /// </summary>
    public static IEndpointConventionBuilder MapCulturePicker(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet(PickerPath, (string? culture, string? returnUrl, HttpContext context, TimeProvider time) =>
            {
                if (Supported(culture) is { } supported)
                {
                    context.Response.RememberCulture(supported, time.GetUtcNow());
                }

                return Results.LocalRedirect(IsLocalUrl(returnUrl) ? returnUrl! : "/");
            })
            .AllowAnonymous();

    /// <summary>Where the picker returns to: this page's path, with only the <see cref="PickerQueryKeys"/> of its query.</summary>
    public static string PickerReturnUrl(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var kept = request.Query.Where(pair => PickerQueryKeys.Contains(pair.Key));
        return $"{request.PathBase}{request.Path}{QueryString.Create(kept)}";
    }

    /// <summary>Remembers <paramref name="culture"/> in the standard culture cookie for a year.</summary>
    public static void RememberCulture(this HttpResponse response, string culture, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Cookies.Append(
            CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
            new CookieOptions
            {
                Expires = now.Add(CookieLifetime),
                IsEssential = true,
                HttpOnly = true,
                SameSite = SameSiteMode.Lax,
                Secure = response.HttpContext.Request.IsHttps,
                Path = "/",
            });
    }

    /// <summary>A path on this site ("/x", not "//host" or "/\\host"), as <c>IUrlHelper.IsLocalUrl</c> decides.</summary>
    private static bool IsLocalUrl(string? url) =>
        !string.IsNullOrEmpty(url)
        && url[0] == '/'
        && (url.Length == 1 || (url[1] != '/' && url[1] != '\\'))
        && !url.Any(char.IsControl);

    /// <summary>Messages of model binding ("The value 'x' is not valid for Port.") in the request's language.</summary>
    private static void LocalizeModelBinding(Microsoft.AspNetCore.Mvc.ModelBinding.Metadata.DefaultModelBindingMessageProvider messages, IStringLocalizer localizer)
    {
        // A posted value is repeated only in part: it may be a megabyte long.
        messages.SetAttemptedValueIsInvalidAccessor((value, field) => localizer["Binding_AttemptedValueIsInvalid", FormBinding.Shorten(value), field]);
        messages.SetNonPropertyAttemptedValueIsInvalidAccessor(value => localizer["Binding_NonPropertyAttemptedValueIsInvalid", FormBinding.Shorten(value)]);
        messages.SetValueIsInvalidAccessor(value => localizer["Binding_ValueIsInvalid", FormBinding.Shorten(value)]);
        messages.SetValueMustNotBeNullAccessor(value => localizer["Binding_ValueIsInvalid", FormBinding.Shorten(value)]);
        messages.SetValueMustBeANumberAccessor(field => localizer["Binding_ValueMustBeANumber", field]);
        messages.SetNonPropertyValueMustBeANumberAccessor(() => localizer["Binding_NonPropertyValueMustBeANumber"]);
        messages.SetMissingBindRequiredValueAccessor(field => localizer["Binding_MissingBindRequiredValue", field]);
        messages.SetMissingKeyOrValueAccessor(() => localizer["Binding_MissingKeyOrValue"]);
        messages.SetMissingRequestBodyRequiredValueAccessor(() => localizer["Binding_MissingRequestBody"]);
        messages.SetUnknownValueIsInvalidAccessor(field => localizer["Binding_UnknownValueIsInvalid", field]);
        messages.SetNonPropertyUnknownValueIsInvalidAccessor(() => localizer["Binding_NonPropertyUnknownValueIsInvalid"]);
    }
}

/// <summary>
/// Accept-Language, by language: each language the browser asks for, in its order of preference, gets the supported
/// culture of the same language (<see cref="AppLocalization.ForLanguage"/>).
/// </summary>
internal sealed class AcceptLanguageByLanguageProvider : RequestCultureProvider
{
    public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var languages = httpContext.Request.GetTypedHeaders().AcceptLanguage;
        var culture = languages
            .Where(l => l.Quality is not 0)
            .OrderByDescending(l => l.Quality ?? 1)
            .Take(10)
            .Select(l => AppLocalization.ForLanguage(l.Value.Value))
            .FirstOrDefault(c => c is not null);
        return Task.FromResult(culture is null ? null : new ProviderCultureResult(culture));
    }
}
