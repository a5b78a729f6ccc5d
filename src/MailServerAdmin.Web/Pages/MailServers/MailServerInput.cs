using System.ComponentModel.DataAnnotations;
using MailServerAdmin.Web.MailServers;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace MailServerAdmin.Web.Pages.MailServers;

/// <summary>The New/Edit form. Text values are trimmed as they are bound; the password is never trimmed.</summary>
public sealed class MailServerInput
{
    /// <summary>The server being edited (from the route), null when creating.</summary>
    [BindNever]
    public int? Id { get; set; }

    /// <summary>The server being edited as it is stored (from the database), null when creating.</summary>
    [BindNever]
    public MailServerDetails? Stored { get; set; }

    public bool HasStoredPassword => Stored?.HasPassword == true;

    /// <summary>
    /// The stored password would go to another host, port or security mode than the one it was typed for.
    /// </summary>
    public bool MovesStoredPassword =>
        Stored is { HasPassword: true } stored
        && RequiresAuthentication
        && !ClearPassword
        && string.IsNullOrEmpty(Password)
        && (HostName.Normalize(Host) != stored.Host || Port != stored.Port || Security != stored.Security);

    [Display(Name = "Name")]
    public string? Name { get; set => field = value?.Trim(); }

    [Display(Name = "Server")]
    public string? Host { get; set => field = value?.Trim(); }

    [Display(Name = "Port")]
    public int? Port { get; set; } = 587;

    [Display(Name = "Security")]
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    [Display(Name = "User name")]
    public string? UserName { get; set => field = value?.Trim(); }

    [Display(Name = "Sender's e-mail")]
    public string? SenderEmail { get; set => field = value?.Trim(); }

    [Display(Name = "Sender's display name")]
    public string? SenderName { get; set => field = value?.Trim(); }

    [Display(Name = "Default server")]
    public bool IsDefault { get; set; }

    [Display(Name = "Requires authentication")]
    public bool RequiresAuthentication { get; set; } = true;

    [Display(Name = "Login")]
    public string? Login { get; set => field = value?.Trim(); }

    [Display(Name = "Password")]
    [DataType(DataType.Password)]
    public string? Password { get; set; }

    [Display(Name = "Clear the stored password")]
    public bool ClearPassword { get; set; }

    /// <summary>The version the form was loaded from; a save based on an older one is refused.</summary>
    public Guid Version { get; set; }

    /// <summary>The login used: the one typed, else the user name.</summary>
    public string? EffectiveLogin => string.IsNullOrEmpty(Login) ? UserName : Login;

    public static MailServerInput From(MailServerDetails server) => new()
    {
        Id = server.Id,
        Stored = server,
        Name = server.Name,
        Host = server.Host,
        Port = server.Port,
        Security = server.Security,
        UserName = server.UserName,
        SenderEmail = server.SenderEmail,
        SenderName = server.SenderName,
        IsDefault = server.IsDefault,
        RequiresAuthentication = server.RequiresAuthentication,
        Login = server.Login,
        Version = server.Version,
    };

    public MailServerValues ToValues() => new(
        Name!,
        HostName.Normalize(Host)!,
        Port!.Value,
        Security,
        NullIfEmpty(UserName),
        SenderEmail!,
        NullIfEmpty(SenderName),
        IsDefault,
        RequiresAuthentication,
        RequiresAuthentication ? EffectiveLogin : null,
        RequiresAuthentication ? NullIfEmpty(Password) : null,
        ClearPassword);

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
