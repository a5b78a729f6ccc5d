using MailServerAdmin.Resources;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Validation;

/// <summary>
/// Binds every yes/no value (a checkbox: <c>bool</c> or <c>bool?</c>) of every form. Only <c>true</c> and <c>false</c>
/// are accepted, as the checkbox and its hidden field post them; anything else (<c>on</c>, <c>yes</c>, <c>2</c>, a
/// megabyte of text) is a message beside the field. The value is never kept for rendering, so the checkbox shows the
/// model's value instead of failing to convert it, and it is kept in model state only shortened (it is never logged).
/// </summary>
public sealed class YesNoModelBinderProvider : IModelBinderProvider
{
    public IModelBinder? GetBinder(ModelBinderProviderContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Metadata.UnderlyingOrModelType == typeof(bool) ? new YesNoModelBinder() : null;
    }
}

public sealed class YesNoModelBinder : IModelBinder
{
    public Task BindModelAsync(ModelBindingContext bindingContext)
    {
        ArgumentNullException.ThrowIfNull(bindingContext);
        var name = bindingContext.ModelName;
        var posted = bindingContext.ValueProvider.GetValue(name);
        if (posted == ValueProviderResult.None)
        {
            return Task.CompletedTask;
        }

        // A ticked checkbox posts "true" and then its hidden field's "false": the first value is the one that counts.
        var value = posted.FirstValue;
        if (bool.TryParse(value, out var parsed))
        {
            bindingContext.ModelState.SetModelValue(name, posted);
            bindingContext.Result = ModelBindingResult.Success(parsed);
            return Task.CompletedTask;
        }

        if (string.IsNullOrEmpty(value) && bindingContext.ModelMetadata.IsReferenceOrNullableType)
        {
            bindingContext.ModelState.SetModelValue(name, posted);
            bindingContext.Result = ModelBindingResult.Success(null);
            return Task.CompletedTask;
        }

        var localizer = bindingContext.HttpContext.RequestServices.GetRequiredService<IStringLocalizer<SharedResource>>();
        bindingContext.ModelState.SetModelValue(name, rawValue: null, attemptedValue: FormBinding.Shorten(value));
        bindingContext.ModelState.TryAddModelError(
            name, localizer["Binding_YesNoInvalid", bindingContext.ModelMetadata.GetDisplayName()]);
        bindingContext.Result = ModelBindingResult.Failed();
        return Task.CompletedTask;
    }
}

/// <summary>How forms are bound, and how much of a posted value a message may repeat.</summary>
public static class FormBinding
{
    /// <summary>The longest part of a posted value a message repeats.</summary>
    public const int MaxShown = 32;

    /// <summary>The first <see cref="MaxShown"/> characters, followed by an ellipsis when there were more.</summary>
    public static string Shorten(string? value)
    {
        if (value is null || value.Length <= MaxShown)
        {
            return value ?? "";
        }

        // Never half of a surrogate pair.
        var length = char.IsHighSurrogate(value[MaxShown - 1]) ? MaxShown - 1 : MaxShown;
        return string.Concat(value.AsSpan(0, length), "…");
    }

    /// <summary>Registers the binder of yes/no values ahead of the framework's own.</summary>
    public static IServiceCollection AddFormBinding(this IServiceCollection services) =>
        services.Configure<MvcOptions>(options => options.ModelBinderProviders.Insert(0, new YesNoModelBinderProvider()));
}
