using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc.DataAnnotations;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Localization;

/// <summary>
/// The client-side rules MVC adds by itself (a non-nullable value, such as a check box or a select of an enum, is
/// required) say so in the request's language: their message is the resource <c>Validation_FieldRequired</c>.
/// </summary>
public sealed class LocalizedValidationAttributes : IValidationAttributeAdapterProvider
{
    private readonly ValidationAttributeAdapterProvider _inner = new();

    public IAttributeAdapter? GetAttributeAdapter(ValidationAttribute attribute, IStringLocalizer? stringLocalizer)
    {
        if (attribute is RequiredAttribute { ErrorMessage: null, ErrorMessageResourceName: null, ErrorMessageResourceType: null } required)
        {
            required.ErrorMessage = "Validation_FieldRequired";
        }

        return _inner.GetAttributeAdapter(attribute, stringLocalizer);
    }
}
