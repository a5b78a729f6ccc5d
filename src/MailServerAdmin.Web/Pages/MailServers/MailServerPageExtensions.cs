using FluentValidation;
using MailServerAdmin.Web.MailServers;
using Microsoft.AspNetCore.Mvc.ModelBinding;

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
    public static string SavedMessage(string name, string verb, SaveResult result, bool wasDefaultBefore)
    {
        var message = $"Mail server '{name}' {verb}.";
        if (result.PreviousDefault is not null)
        {
            return $"{message} It is now the default server; '{result.PreviousDefault}' is no longer the default.";
        }

        return result.IsDefault && !wasDefaultBefore ? $"{message} It is the default server." : message;
    }
}
