using System.Net.Mail;
using MailServerAdmin.MailServers;

namespace MailServerAdmin.Validation;

public static class Mailbox
{
    /// <summary>A bare e-mail address (no display name) whose domain is a valid host.</summary>
    public static bool IsValid(string? value) =>
        MailAddress.TryCreate(value, out var address)
        && string.Equals(address.Address, value, StringComparison.Ordinal)
        && HostName.IsValid(address.Host);
}
