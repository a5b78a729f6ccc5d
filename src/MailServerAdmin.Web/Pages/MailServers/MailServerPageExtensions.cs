using FluentValidation;
using MailServerAdmin.MailServers;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Pages.MailServers;

internal static class MailServerPageExtensions
{
    /// <summary>
    /// Runs the validator (async rules included) and copies its errors into model state under
    /// <paramref name="prefix"/>; a field that already failed model binding keeps only that message.
    /// </summary>
    public static async Task<bool> ValidateIntoAsync<T>(
        this IValidator<T> validator, T input, ModelStateDictionary modelState, string prefix, CancellationToken ct,
        params string[] ruleSets)
    {
        var result = await validator.ValidateAsync(
            input,
            options =>
            {
                if (ruleSets.Length > 0)
                {
                    options.IncludeRuleSets(ruleSets);
                }
                else
                {
                    options.IncludeAllRuleSets();
                }
            },
            ct);
        foreach (var error in result.Errors)
        {
            // A rule about the whole form goes to the summary at the top.
            var key = string.IsNullOrEmpty(error.PropertyName) ? string.Empty : $"{prefix}.{error.PropertyName}";
            if (modelState.TryGetValue(key, out var entry) && entry.Errors.Count > 0)
            {
                continue;
            }

            modelState.AddModelError(key, error.ErrorMessage);
        }

        return modelState.IsValid;
    }

    /// <summary>The status line after a successful save, naming any server that lost the default.</summary>
    /// <param name="localizer">The texts.</param>
    /// <param name="savedKey">The resource key of the first sentence ("Mail server '{0}' created."), with the name as {0}.</param>
    /// <param name="name">The server's name.</param>
    /// <param name="result">The outcome of the save.</param>
    /// <param name="wasDefaultBefore">Whether the server was the default before this save.</param>
    public static string SavedMessage(IStringLocalizer localizer, string savedKey, string name, SaveResult result, bool wasDefaultBefore)
    {
        string message = localizer[savedKey, name];
        if (result.PreviousDefault is not null)
        {
            return $"{message} {localizer["Status_Saved_NowDefault", result.PreviousDefault]}";
        }

        return result.IsDefault && !wasDefaultBefore ? $"{message} {localizer["Status_Saved_IsDefault"]}" : message;
    }
}
