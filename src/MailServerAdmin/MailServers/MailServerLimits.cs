namespace MailServerAdmin.MailServers;

/// <summary>Field lengths, shared by the schema and the validators.</summary>
public static class MailServerLimits
{
    public const int Name = 100;
    public const int Host = HostName.MaxLength;
    public const int Email = 254;
    public const int DisplayName = 100;
    public const int Password = 1024;
    public const int Tenant = 100;
    public const int ClientId = 200;
    public const int ClientSecret = 1024;
    public const int Url = 2000;
    public const int Scopes = 1000;
    public const int Token = 16384;
    public const int TokenError = 2000;
    public const int CertificateSubject = 500;
    public const int Thumbprint = 64;
    public const int KeyId = 100;
    public const int LeaseHolder = 200;
}
