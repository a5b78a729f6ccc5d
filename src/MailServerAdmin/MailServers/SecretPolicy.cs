using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using MailServerAdmin.OAuth;

namespace MailServerAdmin.MailServers;

/// <summary>
/// The one rule of where a stored secret may go, and of what makes a server complete. The store asks it before every
/// write, the form asks it to say what must be typed again, and <see cref="SecretVault"/> binds every encrypted secret
/// to the settings it names, so that a secret cannot even be decrypted for other settings:
/// <list type="bullet">
/// <item>the password only to the host, port and security mode it was saved with (and the pinned certificate, when one is);</item>
/// <item>the client secret, an app-only server's certificate and a service account's key only to the provider (client id,
/// tenant, authorization, token and revocation URLs) they were saved with;</item>
/// <item>tokens only to the issuer they came from (provider, client, tenant, token URL), the revocation URL and the SMTP
/// destination they were saved with.</item>
/// </list>
/// </summary>
public static class SecretPolicy
{
    /// <summary>Why a secret saved with <paramref name="from"/> may not be used with <paramref name="to"/>; null when it may.</summary>
    public static SecretChange? Change(SecretField field, MailServerSettings from, MailServerSettings to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        return field switch
        {
            SecretField.Password => DestinationChange(from, to),
            SecretField.ClientSecret or SecretField.Certificate or SecretField.ServiceAccountKey =>
                Differs(Issuer(from), Issuer(to)) ? SecretChange.Issuer
                : Differs([from.AuthorizationUrl], [to.AuthorizationUrl]) ? SecretChange.AuthorizationUrl
                : Differs([from.RevocationUrl], [to.RevocationUrl]) ? SecretChange.RevocationUrl
                : null,
            _ =>
                Differs(Issuer(from), Issuer(to)) ? SecretChange.Issuer
                : Differs([from.RevocationUrl], [to.RevocationUrl]) ? SecretChange.RevocationUrl
                : DestinationChange(from, to),
        };
    }

    /// <summary>
    /// A digest of the settings <paramref name="field"/> is bound to: equal for two settings exactly when
    /// <see cref="Change"/> finds no change between them. Part of the secret's Data Protection purpose.
    /// </summary>
    public static string Binding(SecretField field, MailServerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        string?[] parts = field switch
        {
            SecretField.Password => Destination(settings),
            SecretField.ClientSecret or SecretField.Certificate or SecretField.ServiceAccountKey =>
                [.. Issuer(settings), settings.AuthorizationUrl ?? "", settings.RevocationUrl ?? ""],
            _ => [.. Issuer(settings), settings.RevocationUrl ?? "", .. Destination(settings)],
        };
        var text = string.Join('\n', parts.Select(p => (p ?? "").Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)));
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>
    /// Checks a write: which stored secrets the proposed values keep, and what stops the save (a required field or
    /// secret missing, a stored secret that may not follow the new settings, or one that can no longer be read).
    /// </summary>
    /// <param name="stored">The server as stored (null for a new server).</param>
    /// <param name="proposed">What is to be saved.</param>
    public static SecretVerdict Evaluate(StoredSecrets? stored, MailServerValues proposed)
    {
        ArgumentNullException.ThrowIfNull(proposed);
        var to = proposed.Settings;
        var problems = new List<ServerProblem>();
        var keep = new HashSet<SecretField>();

        if (proposed.OAuth is not { } oauth)
        {
            if (proposed.RequiresAuthentication)
            {
                if (string.IsNullOrEmpty(proposed.Login))
                {
                    problems.Add(new(RequiredField.Login, ProblemKind.Missing));
                }

                if (string.IsNullOrEmpty(proposed.NewPassword))
                {
                    if (proposed.ClearPassword)
                    {
                        problems.Add(new(RequiredField.Password, ProblemKind.Missing));
                    }
                    else
                    {
                        KeepStored(SecretField.Password, RequiredField.Password, isRequired: true);
                    }
                }
            }

            return new SecretVerdict(problems, keep);
        }

        var provider = OAuthProviderDescriptor.For(oauth.Provider);
        Require(provider.HasTenant, oauth.Tenant, RequiredField.Tenant);
        Require(true, oauth.ClientId, RequiredField.ClientId);
        Require(provider.RequiresAuthorizationUrl, oauth.AuthorizationUrl, RequiredField.AuthorizationUrl);
        Require(true, oauth.TokenUrl, RequiredField.TokenUrl);
        Require(provider.RequiresRevocationUrl, oauth.RevocationUrl, RequiredField.RevocationUrl);
        Require(provider.RequiresScopes, oauth.Scopes, RequiredField.Scopes);
        Require(true, proposed.UserName, RequiredField.UserName);

        if (provider.IsAppOnly)
        {
            EvaluateAppOnly();
            return new SecretVerdict(problems, keep);
        }

        if (!string.IsNullOrEmpty(oauth.NewClientSecret))
        {
            if (oauth.CredentialTypedFor is { } typedFor && Change(SecretField.ClientSecret, typedFor, to) is { } moved)
            {
                problems.Add(new(RequiredField.ClientSecret, ProblemKind.MustBeRetyped, moved));
            }
        }
        else
        {
            KeepStored(SecretField.ClientSecret, RequiredField.ClientSecret, provider.RequiresClientSecret);
        }

        var newTokens = oauth.NewTokens;
        if (newTokens is not null && oauth.TokensObtainedFor is { } obtainedFor && Change(SecretField.AccessToken, obtainedFor, to) is { } tokensMoved)
        {
            problems.Add(new(RequiredField.AccessToken, ProblemKind.MustBeRetyped, tokensMoved));
            newTokens = null;
        }

        if (string.IsNullOrEmpty(newTokens?.AccessToken) && !problems.Any(p => p.Field == RequiredField.AccessToken))
        {
            KeepStored(SecretField.AccessToken, RequiredField.AccessToken, isRequired: true);
        }

        if (string.IsNullOrEmpty(newTokens?.RefreshToken))
        {
            // A stored refresh token is never overwritten with nothing.
            KeepStored(SecretField.RefreshToken, RequiredField.RefreshToken, isRequired: true);
        }

        return new SecretVerdict(problems, keep);

        // App-only: the credential (a client secret or a certificate, or a service account key), and an access token
        // obtained with it. There is no refresh token: a new access token is obtained with the credential when needed.
        void EvaluateAppOnly()
        {
            List<(SecretField Field, RequiredField Required)> given = [];
            if (provider.HasClientSecret && !string.IsNullOrEmpty(oauth.NewClientSecret))
            {
                given.Add((SecretField.ClientSecret, RequiredField.ClientSecret));
            }

            if (provider.AcceptsCertificate && oauth.NewCertificate is not null)
            {
                given.Add((SecretField.Certificate, RequiredField.Certificate));
            }

            if (provider.UsesServiceAccountKey && oauth.NewServiceAccountKey is not null)
            {
                given.Add((SecretField.ServiceAccountKey, RequiredField.ServiceAccountKey));
            }

            if (given.Count > 1)
            {
                problems.Add(new(RequiredField.Certificate, ProblemKind.Conflicting));
            }
            else if (given.Count == 1)
            {
                if (oauth.CredentialTypedFor is { } typedFor && Change(given[0].Field, typedFor, to) is { } moved)
                {
                    problems.Add(new(given[0].Required, ProblemKind.MustBeRetyped, moved));
                }
            }
            else
            {
                (SecretField Field, RequiredField Required)[] accepted = provider.UsesServiceAccountKey
                    ? [(SecretField.ServiceAccountKey, RequiredField.ServiceAccountKey)]
                    : provider.AcceptsCertificate
                        ? [(SecretField.ClientSecret, RequiredField.ClientSecret), (SecretField.Certificate, RequiredField.Certificate)]
                        : [(SecretField.ClientSecret, RequiredField.ClientSecret)];
                var storedAny = accepted.Where(a => stored is not null && stored.State(a.Field) != SecretState.None
                    && stored.Settings.AuthenticationType == proposed.AuthenticationType).ToList();
                if (storedAny.Count == 0)
                {
                    problems.Add(new(accepted[0].Required, ProblemKind.Missing));
                }

                foreach (var (field, required) in storedAny)
                {
                    KeepStored(field, required, isRequired: false);
                }
            }

            var tokens = oauth.NewTokens;
            if (tokens is not null && oauth.TokensObtainedFor is { } obtainedFor && Change(SecretField.AccessToken, obtainedFor, to) is { } tokensMoved)
            {
                problems.Add(new(RequiredField.AccessToken, ProblemKind.MustBeRetyped, tokensMoved));
                tokens = null;
            }

            if (string.IsNullOrEmpty(tokens?.AccessToken) && !problems.Any(p => p.Field == RequiredField.AccessToken))
            {
                if (given.Count > 0)
                {
                    // A new credential is proven only by a token obtained with it (Test sign-in).
                    problems.Add(new(RequiredField.AccessToken, ProblemKind.Missing));
                }
                else
                {
                    KeepStored(SecretField.AccessToken, RequiredField.AccessToken, isRequired: true);
                }
            }
        }

        void Require(bool required, string? value, RequiredField field)
        {
            if (required && string.IsNullOrEmpty(value))
            {
                problems.Add(new(field, ProblemKind.Missing));
            }
        }

        void KeepStored(SecretField field, RequiredField required, bool isRequired)
        {
            var state = stored?.State(field) ?? SecretState.None;
            if (state == SecretState.None || stored!.Settings.AuthenticationType != proposed.AuthenticationType)
            {
                if (isRequired)
                {
                    problems.Add(new(required, ProblemKind.Missing));
                }

                return;
            }

            if (Change(field, stored.Settings, to) is { } change)
            {
                problems.Add(new(required, ProblemKind.MustBeRetyped, change));
            }
            else if (state == SecretState.Unreadable)
            {
                problems.Add(new(required, ProblemKind.Unreadable));
            }
            else
            {
                keep.Add(field);
            }
        }
    }

    private static SecretChange? DestinationChange(MailServerSettings from, MailServerSettings to) =>
        Differs(Endpoint(from), Endpoint(to)) ? SecretChange.Destination
        : Differs(Destination(from), Destination(to)) ? SecretChange.CertificatePin
        : null;

    /// <summary>
    /// Where the SMTP server is, and the certificate it is pinned to. The pin is appended only when there is one, so
    /// that the binding of a server without a pin is what it always was.
    /// </summary>
    private static string?[] Destination(MailServerSettings s) =>
        string.IsNullOrEmpty(s.CertificatePin)
            ? Endpoint(s)
            : [.. Endpoint(s), CertificateFingerprint.Normalize(s.CertificatePin) ?? s.CertificatePin];

    private static string?[] Endpoint(MailServerSettings s) =>
        [s.Host.ToLowerInvariant(), s.Port.ToString(CultureInfo.InvariantCulture), s.Security.ToString()];

    private static string?[] Issuer(MailServerSettings s) =>
        [s.Provider?.ToString(), s.ClientId, s.Tenant?.ToLowerInvariant(), s.TokenUrl];

    private static bool Differs(string?[] a, string?[] b) =>
        !a.Select(x => x ?? "").SequenceEqual(b.Select(x => x ?? ""), StringComparer.Ordinal);
}

/// <summary>What changed between the settings a secret was saved with and the settings it would be used with.</summary>
public enum SecretChange
{
    /// <summary>The SMTP host, port or security mode.</summary>
    Destination,

    /// <summary>The certificate the SMTP server is pinned to (pinned, unpinned, or another one).</summary>
    CertificatePin,

    /// <summary>The provider, client id, tenant or token URL.</summary>
    Issuer,

    AuthorizationUrl,

    RevocationUrl,
}

/// <summary>A field that a complete server needs.</summary>
public enum RequiredField
{
    Login,
    Password,
    UserName,
    Tenant,
    ClientId,
    ClientSecret,
    AuthorizationUrl,
    TokenUrl,
    RevocationUrl,
    Scopes,
    AccessToken,
    RefreshToken,

    /// <summary>An app-only server's certificate (or, with <see cref="ProblemKind.Conflicting"/>, which credential to use).</summary>
    Certificate,

    ServiceAccountKey,
}

public enum ProblemKind
{
    Missing,

    /// <summary>A stored secret may not follow the new settings: it must be typed (or obtained) again.</summary>
    MustBeRetyped,

    /// <summary>A stored secret can no longer be decrypted: it must be typed (or obtained) again.</summary>
    Unreadable,

    /// <summary>Two credentials were given where one is used (a client secret and a certificate).</summary>
    Conflicting,
}

public sealed record ServerProblem(RequiredField Field, ProblemKind Kind, SecretChange? Change = null);

/// <summary>The stored secrets of a server: the settings they are bound to, and whether each can be read.</summary>
public sealed record StoredSecrets(
    MailServerSettings Settings, SecretState Password, SecretState ClientSecret, SecretState AccessToken, SecretState RefreshToken)
{
    public SecretState Certificate { get; init; }

    public SecretState ServiceAccountKey { get; init; }

    /// <summary>A stored secret this app can no longer decrypt.</summary>
    public bool AnyUnreadable => Enum.GetValues<SecretField>().Any(f => State(f) == SecretState.Unreadable);

    public SecretState State(SecretField field) => field switch
    {
        SecretField.Password => Password,
        SecretField.ClientSecret => ClientSecret,
        SecretField.AccessToken => AccessToken,
        SecretField.Certificate => Certificate,
        SecretField.ServiceAccountKey => ServiceAccountKey,
        _ => RefreshToken,
    };
}

/// <summary>The verdict on a write: what stops it, and which stored secrets it keeps.</summary>
public sealed record SecretVerdict(IReadOnlyList<ServerProblem> Problems, IReadOnlySet<SecretField> Kept)
{
    public bool IsAllowed => Problems.Count == 0;

    public bool Keeps(SecretField field) => Kept.Contains(field);
}
