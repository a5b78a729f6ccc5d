using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace MailServerAdmin.Web.Data;

/// <summary>Encrypts a string column with ASP.NET Core Data Protection; nulls stay null.</summary>
public sealed class ProtectedStringConverter(IDataProtector protector)
    : ValueConverter<string, string>(plain => protector.Protect(plain), stored => protector.Unprotect(stored));
