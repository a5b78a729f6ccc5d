using MailServerAdmin.Resources;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Faults;

/// <summary>
/// A form posted while the database cannot be written comes back: the same page, answered 503, with everything typed
/// and the message at the top of the form (its validation summary). Password inputs are rendered empty by the forms,
/// so no secret is echoed. Only a page that binds an input model (the <c>Input</c> of the house style, whose forms
/// carry a validation summary) is shown again; a GET, or a POST with nothing typed to keep (delete, make default,
/// refresh), goes on to <see cref="StorageFaultMiddleware"/>, which shows the 503 page inside the layout.
/// </summary>
public sealed class StorageFaultPageFilter(
    IModelMetadataProvider metadata, IStringLocalizer<SharedResource> localizer, ILogger<StorageFaultPageFilter> logger) : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var executed = await next();
        if (executed.Exception is not { } exception || executed.ExceptionHandled || StorageFault.Find(exception) is not { } fault)
        {
            return;
        }

        var feature = StorageFaultFeature.Record(context.HttpContext, fault, logger);
        if (!feature.Writing || !PostedInputModel(context))
        {
            return;
        }

        context.ModelState.AddModelError(string.Empty, localizer[feature.MessageKey(inputKept: true)]);
        executed.Result = new PageResult { StatusCode = StatusCodes.Status503ServiceUnavailable };
        executed.ExceptionHandled = true;
    }

    /// <summary>The page binds an input model and the request posted fields of it.</summary>
    private bool PostedInputModel(PageHandlerExecutingContext context) =>
        context.ActionDescriptor.BoundProperties.Any(property =>
            metadata.GetMetadataForType(property.ParameterType).IsComplexType
            && context.ModelState.Keys.Any(key =>
                key.StartsWith($"{property.BindingInfo?.BinderModelName ?? property.Name}.", StringComparison.OrdinalIgnoreCase)));
}
