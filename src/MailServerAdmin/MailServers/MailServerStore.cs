using MailServerAdmin.Audit;
using MailServerAdmin.Data;
using MailServerAdmin.Localization;
using MailServerAdmin.OAuth;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.MailServers;

/// <summary>
/// Owns the rules that belong to the stored mail servers: unique names, a single default, secrets that are
/// only ever replaced or cleared on purpose, optimistic concurrency between administrators, and an audit
/// entry for every change, written in the same transaction.
/// </summary>
public sealed class MailServerStore(AppDbContext db, AuditLog audit, SecretVault vault, TimeProvider time)
{
    /// <summary>Bookkeeping columns that are not worth an audit line.</summary>
    private static readonly HashSet<string> UnauditedFields =
        [nameof(MailServer.Version), nameof(MailServer.UpdatedUtc), nameof(MailServer.CreatedUtc), nameof(MailServer.NormalizedName),
         nameof(MailServer.TokenVersion), nameof(MailServer.TokenError), nameof(MailServer.TokenErrorUtc), nameof(MailServer.TokenNeedsAuthorization),
         nameof(MailServer.SecretScheme), nameof(MailServer.TokenFailureCount), nameof(MailServer.TokenRetryAfterUtc)];

    public async Task<(bool AnyServer, bool AnyDefault)> GetSummaryAsync(CancellationToken ct = default) =>
        (await db.MailServers.AnyAsync(ct), await db.MailServers.AnyAsync(s => s.IsDefault, ct));

    public async Task<MailServerDetails?> GetDetailsAsync(int id, CancellationToken ct = default)
    {
        var s = await db.MailServers.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct);
        if (s is null)
        {
            return null;
        }

        var secrets = vault.StateOf(s);
        return new MailServerDetails(
            s.Id, s.Name, s.Host, s.Port, s.Security, s.UserName, s.SenderEmail, s.SenderName, s.IsDefault,
            s.AuthenticationType, s.RequiresAuthentication, s.Login, secrets, s.Version)
        {
            Provider = s.OAuthProvider,
            Tenant = s.Tenant,
            ClientId = s.ClientId,
            AuthorizationUrl = s.AuthorizationUrl,
            TokenUrl = s.TokenUrl,
            RevocationUrl = s.RevocationUrl,
            Scopes = s.Scopes,
            AccessTokenExpiresUtc = s.AccessTokenExpiresUtc,
            TokensObtainedUtc = s.TokensObtainedUtc,
            TokenAccount = s.TokenAccount,
            Health = Health(s),
            ClientSecretExpiresOn = s.ClientSecretExpiresOn,
            CertificateSubject = s.CertificateSubject,
            CertificateThumbprint = s.CertificateThumbprint,
            CertificateExpiresUtc = s.CertificateExpiresUtc,
            ServiceAccountEmail = s.ServiceAccountEmail,
            ServiceAccountKeyId = s.ServiceAccountKeyId,
        };
    }

    /// <summary>
    /// What the banner on every admin page says when the default server's tokens cannot be refreshed (it needs a new Get
    /// Token, its refreshes fail, or its last refresh was interrupted); null while they can, or for a Basic server.
    /// </summary>
    public async Task<TokenAlert?> GetDefaultTokenAlertAsync(CancellationToken ct = default)
    {
        var s = await db.MailServers.AsNoTracking()
            .Where(s => s.IsDefault && s.AuthenticationType == AuthenticationType.OAuth)
            .Where(s => s.TokenNeedsAuthorization || s.TokenError != null || s.ProtectedRefreshToken == null)
            .SingleOrDefaultAsync(ct);
        if (s is null)
        {
            return null;
        }

        var needsGetToken = s.TokenNeedsAuthorization || s.ProtectedRefreshToken is null;
        var reason = s.TokenError is { } error ? LocalizableText.FromStored(error) : LocalizableText.Of("Token_NoRefreshToken");
        return new TokenAlert(s.Id, s.Name, needsGetToken, reason, s.ProtectedAccessToken is null ? null : s.AccessTokenExpiresUtc, s.TokenRetryAfterUtc);
    }

    /// <summary>
    /// The stored password, decrypted, for a connection with <paramref name="settings"/>: readable only when they are
    /// the settings it was saved with. Never for a page.
    /// </summary>
    public Task<SecretRead> GetPasswordAsync(int id, MailServerSettings settings, CancellationToken ct = default) =>
        ReadAsync(id, SecretField.Password, settings, s => s.ProtectedPassword, ct);

    /// <summary>The stored client secret, decrypted, for a call to the provider of <paramref name="settings"/>. Never for a page.</summary>
    public Task<SecretRead> GetClientSecretAsync(int id, MailServerSettings settings, CancellationToken ct = default) =>
        ReadAsync(id, SecretField.ClientSecret, settings, s => s.ProtectedClientSecret, ct);

    /// <summary>The stored certificate (PEM with its key), decrypted, for a sign-in with <paramref name="settings"/>. Never for a page.</summary>
    public Task<SecretRead> GetCertificateAsync(int id, MailServerSettings settings, CancellationToken ct = default) =>
        ReadAsync(id, SecretField.Certificate, settings, s => s.ProtectedCertificate, ct);

    /// <summary>The stored service account key, decrypted, for a sign-in with <paramref name="settings"/>. Never for a page.</summary>
    public Task<SecretRead> GetServiceAccountKeyAsync(int id, MailServerSettings settings, CancellationToken ct = default) =>
        ReadAsync(id, SecretField.ServiceAccountKey, settings, s => s.ProtectedServiceAccountKey, ct);

    public Task<bool> IsNameTakenAsync(string name, int? exceptId, CancellationToken ct = default)
    {
        var normalized = MailServer.NormalizeName(name);
        return db.MailServers.AnyAsync(s => s.NormalizedName == normalized && s.Id != exceptId, ct);
    }

    public async Task<SaveResult> CreateAsync(MailServerValues values, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var verdict = SecretPolicy.Evaluate(null, values);
        if (!verdict.IsAllowed)
        {
            return SaveResult.Refused(verdict.Problems);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        var server = new MailServer { CreatedUtc = now };
        Apply(server, values, now);

        // The first server, or any server created while none is the default, becomes the default.
        var becomesDefault = values.IsDefault || !await db.MailServers.AnyAsync(s => s.IsDefault, ct);
        var previousDefault = becomesDefault ? await TakeDefaultFromOthersAsync(exceptId: null, ct) : null;
        server.IsDefault = becomesDefault;

        db.MailServers.Add(server);
        var fields = ChangedFields(server);
        if (!await TrySaveAsync(ct))
        {
            return SaveResult.NameTaken;
        }

        // Secrets are bound to their row, so they are encrypted once the row has its id.
        fields.AddRange(ApplySecrets(server, values, verdict));
        audit.Record(AuditAction.ServerCreated, server.Id, server.Name, [.. fields.Order(StringComparer.Ordinal)]);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return SaveResult.Saved(server.Id, server.IsDefault, previousDefault);
    }

    public async Task<SaveResult> UpdateAsync(int id, Guid expectedVersion, MailServerValues values, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var server = await db.MailServers.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (server is null)
        {
            return SaveResult.NotFound;
        }

        if (server.Version != expectedVersion)
        {
            return SaveResult.Conflict;
        }

        var verdict = SecretPolicy.Evaluate(vault.StateOf(server), values);
        if (!verdict.IsAllowed)
        {
            return SaveResult.Refused(verdict.Problems);
        }

        // Also checked by the database at SaveChanges, in case another write lands in between.
        db.Entry(server).Property(s => s.Version).OriginalValue = expectedVersion;
        Apply(server, values, time.GetUtcNow().UtcDateTime);
        var secretFields = ApplySecrets(server, values, verdict);

        var previousDefault = values.IsDefault && !server.IsDefault
            ? await TakeDefaultFromOthersAsync(exceptId: id, ct)
            : null;
        server.IsDefault = values.IsDefault;
        var fields = ChangedFields(server).Union(secretFields).Order(StringComparer.Ordinal).ToList();
        if (fields.Count > 0)
        {
            audit.Record(AuditAction.ServerUpdated, server.Id, server.Name, fields);
        }

        try
        {
            if (!await TrySaveAsync(ct))
            {
                return SaveResult.NameTaken;
            }
        }
        catch (DbUpdateConcurrencyException)
        {
            return SaveResult.Conflict;
        }

        await transaction.CommitAsync(ct);
        return SaveResult.Saved(server.Id, server.IsDefault, previousDefault);
    }

    /// <summary>
    /// Puts tokens a provider issued for <paramref name="server"/> as it is now (a refresh) on the entity, encrypted for
    /// its settings: the access token, and the refresh token when the answer has one (a stored refresh token is never
    /// overwritten with nothing); the failure state is cleared and the token version renewed. Returns whether the refresh
    /// token was replaced. The caller writes the entity (the token keeper does, under its refresh lease).
    /// </summary>
    internal bool ApplyRefreshedTokens(MailServer server, TokenSet tokens)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(tokens);
        var settings = MailServerSettings.Of(server);
        var rotated = !string.IsNullOrEmpty(tokens.RefreshToken);
        server.ProtectedAccessToken = vault.Protect(SecretField.AccessToken, server.Id, settings, tokens.AccessToken);
        server.AccessTokenExpiresUtc = tokens.ExpiresUtc;
        if (rotated)
        {
            server.ProtectedRefreshToken = vault.Protect(SecretField.RefreshToken, server.Id, settings, tokens.RefreshToken!);
        }

        server.TokensRefreshedUtc = tokens.ObtainedUtc;
        server.TokenAccount = tokens.Account ?? server.TokenAccount;
        server.TokenError = null;
        server.TokenErrorUtc = null;
        server.TokenNeedsAuthorization = false;
        server.TokenFailureCount = 0;
        server.TokenRetryAfterUtc = null;
        server.TokenVersion = Guid.NewGuid();
        return rotated;
    }

    /// <summary>
    /// Records that Get Token obtained tokens for a form (they are saved with the form, later, or never): the audit
    /// log names the provider and the account that signed in.
    /// </summary>
    public async Task RecordTokensObtainedAsync(int? serverId, string? serverName, OAuthProvider provider, string? account, CancellationToken ct = default)
    {
        audit.Record(AuditAction.TokensObtained, serverId, serverName, ["AccessToken", "RefreshToken"], AuditDetails.TokensObtained(provider, account));
        await db.SaveChangesAsync(ct);
    }

    public async Task<DefaultChange?> MakeDefaultAsync(int id, CancellationToken ct = default)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var name = await db.MailServers.Where(s => s.Id == id).Select(s => s.Name).SingleOrDefaultAsync(ct);
        if (name is null)
        {
            return null;
        }

        var previousDefault = await TakeDefaultFromOthersAsync(exceptId: id, ct);
        var version = Guid.NewGuid();
        var now = time.GetUtcNow().UtcDateTime;
        var changed = await db.MailServers
            .Where(s => s.Id == id && !s.IsDefault)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.IsDefault, true).SetProperty(s => s.Version, version).SetProperty(s => s.UpdatedUtc, now), ct);
        if (changed > 0)
        {
            audit.Record(AuditAction.DefaultSet, id, name, [nameof(MailServer.IsDefault)], previousDefault is null ? null : AuditDetails.PreviousDefault(previousDefault));
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new DefaultChange(name, previousDefault);
    }

    public async Task<DeletedServer?> DeleteAsync(int id, CancellationToken ct = default)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var server = await db.MailServers.AsNoTracking()
            .Where(s => s.Id == id)
            .Select(s => new DeletedServer(s.Name, s.IsDefault))
            .SingleOrDefaultAsync(ct);
        if (server is null)
        {
            return null;
        }

        await db.MailServers.Where(s => s.Id == id).ExecuteDeleteAsync(ct);
        audit.Record(AuditAction.ServerDeleted, id, server.Name, detail: server.WasDefault ? AuditDetails.WasDefault : null);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return server;
    }

    /// <summary>Clears the default flag of every other server; returns the name of the one that had it.</summary>
    private async Task<string?> TakeDefaultFromOthersAsync(int? exceptId, CancellationToken ct)
    {
        var previous = await db.MailServers
            .Where(s => s.IsDefault && s.Id != exceptId)
            .Select(s => new { s.Id, s.Name })
            .FirstOrDefaultAsync(ct);
        if (previous is null)
        {
            return null;
        }

        var version = Guid.NewGuid();
        var now = time.GetUtcNow().UtcDateTime;
        await db.MailServers
            .Where(s => s.IsDefault && s.Id != exceptId)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.IsDefault, false).SetProperty(s => s.Version, version).SetProperty(s => s.UpdatedUtc, now), ct);
        audit.Record(AuditAction.DefaultRemoved, previous.Id, previous.Name, [nameof(MailServer.IsDefault)]);
        return previous.Name;
    }

    private static void Apply(MailServer server, MailServerValues values, DateTime now)
    {
        server.Name = values.Name;
        server.NormalizedName = MailServer.NormalizeName(values.Name);
        server.Host = values.Host;
        server.Port = values.Port;
        server.Security = values.Security;
        server.CertificatePin = values.CertificatePin;
        server.UserName = values.UserName;
        server.SenderEmail = values.SenderEmail;
        server.SenderName = values.SenderName;
        Stamp(server, now);
        server.AuthenticationType = values.AuthenticationType;
        if (values.OAuth is { } oauth)
        {
            server.RequiresAuthentication = true;
            server.Login = null;
            server.OAuthProvider = oauth.Provider;
            server.Tenant = oauth.Tenant;
            server.ClientId = oauth.ClientId;
            server.AuthorizationUrl = oauth.AuthorizationUrl;
            server.TokenUrl = oauth.TokenUrl;
            server.RevocationUrl = oauth.RevocationUrl;
            server.Scopes = oauth.Scopes;
            server.ClientSecretExpiresOn = oauth.ClientSecretExpiresOn;
            return;
        }

        server.RequiresAuthentication = values.RequiresAuthentication;
        server.Login = values.RequiresAuthentication ? values.Login : null;
        server.OAuthProvider = null;
        server.Tenant = null;
        server.ClientId = null;
        server.AuthorizationUrl = null;
        server.TokenUrl = null;
        server.RevocationUrl = null;
        server.Scopes = null;
        server.ClientSecretExpiresOn = null;
        server.AccessTokenExpiresUtc = null;
        server.TokensObtainedUtc = null;
        server.TokenAccount = null;
        server.TokensRefreshedUtc = null;
        server.TokenError = null;
        server.TokenErrorUtc = null;
        server.TokenNeedsAuthorization = false;
        server.TokenFailureCount = 0;
        server.TokenRetryAfterUtc = null;
    }

    /// <summary>
    /// Writes the secrets as <paramref name="verdict"/> allows: new ones encrypted for the server's new settings, stored
    /// ones kept where the policy lets them follow, every other one cleared. Returns the names of the secrets that changed.
    /// </summary>
    private List<string> ApplySecrets(MailServer server, MailServerValues values, SecretVerdict verdict)
    {
        var settings = MailServerSettings.Of(server);
        var changed = new List<string>();
        Set(SecretField.Password, nameof(SecretField.Password), server.ProtectedPassword, values.OAuth is null && values.RequiresAuthentication ? values.NewPassword : null,
            v => server.ProtectedPassword = v);
        var oauth = values.OAuth;
        Set(SecretField.ClientSecret, nameof(SecretField.ClientSecret), server.ProtectedClientSecret, oauth?.NewClientSecret, v => server.ProtectedClientSecret = v);
        // A certificate or key is written only for a provider that signs in with one.
        var provider = oauth is null ? null : OAuthProviderDescriptor.Find(oauth.Provider);
        var certificate = provider?.AcceptsCertificate == true ? oauth!.NewCertificate : null;
        var key = provider?.UsesServiceAccountKey == true ? oauth!.NewServiceAccountKey : null;
        Set(SecretField.Certificate, nameof(SecretField.Certificate), server.ProtectedCertificate, certificate?.Pem, v => server.ProtectedCertificate = v);
        Set(SecretField.ServiceAccountKey, nameof(SecretField.ServiceAccountKey), server.ProtectedServiceAccountKey, key?.Json,
            v => server.ProtectedServiceAccountKey = v);
        if (server.ProtectedClientSecret is null)
        {
            server.ClientSecretExpiresOn = null;
        }

        // What is shown of the certificate and the key (no secret) describes the stored one.
        if (certificate is not null || server.ProtectedCertificate is null)
        {
            (server.CertificateSubject, server.CertificateThumbprint, server.CertificateExpiresUtc) =
                (Truncate(certificate?.Subject, MailServerLimits.CertificateSubject), certificate?.Thumbprint, certificate?.NotAfterUtc);
        }

        if (key is not null || server.ProtectedServiceAccountKey is null)
        {
            (server.ServiceAccountEmail, server.ServiceAccountKeyId) =
                (Truncate(key?.ClientEmail, MailServerLimits.Email), Truncate(key?.KeyId, MailServerLimits.KeyId));
        }

        // Tokens obtained for other settings were refused by the verdict; here they belong to these settings.
        var tokens = verdict.Problems.Count == 0 ? oauth?.NewTokens : null;
        var tokensBefore = (server.ProtectedAccessToken, server.ProtectedRefreshToken);
        Set(SecretField.AccessToken, nameof(SecretField.AccessToken), server.ProtectedAccessToken, NullIfEmpty(tokens?.AccessToken), v => server.ProtectedAccessToken = v);
        Set(SecretField.RefreshToken, nameof(SecretField.RefreshToken), server.ProtectedRefreshToken, NullIfEmpty(tokens?.RefreshToken), v => server.ProtectedRefreshToken = v);
        if (tokens is not null)
        {
            if (!string.IsNullOrEmpty(tokens.AccessToken))
            {
                server.AccessTokenExpiresUtc = tokens.ExpiresUtc;
            }

            server.TokensObtainedUtc = tokens.ObtainedUtc;
            server.TokenAccount = tokens.Account ?? server.TokenAccount;
        }

        if (server.ProtectedAccessToken is null && server.ProtectedRefreshToken is null)
        {
            server.AccessTokenExpiresUtc = null;
            server.TokensObtainedUtc = null;
            server.TokenAccount = null;
        }

        if (tokens is not null || tokensBefore != (server.ProtectedAccessToken, server.ProtectedRefreshToken))
        {
            // New tokens start with a clean slate: no error, no back-off, and sends may ask the provider again.
            server.TokenVersion = Guid.NewGuid();
            server.TokenError = null;
            server.TokenErrorUtc = null;
            server.TokenNeedsAuthorization = false;
            server.TokenFailureCount = 0;
            server.TokenRetryAfterUtc = null;
        }

        server.SecretScheme = SecretVault.Scheme;
        return changed;

        void Set(SecretField field, string name, string? stored, string? typed, Action<string?> write)
        {
            if (!string.IsNullOrEmpty(typed))
            {
                write(vault.Protect(field, server.Id, settings, typed));
                changed.Add(name);
            }
            else if (!verdict.Keeps(field) && stored is not null)
            {
                write(null);
                changed.Add(name);
            }
        }
    }

    private async Task<SecretRead> ReadAsync(
        int id, SecretField field, MailServerSettings settings, System.Linq.Expressions.Expression<Func<MailServer, string?>> column, CancellationToken ct)
    {
        var stored = await db.MailServers.AsNoTracking().Where(s => s.Id == id).Select(column).SingleOrDefaultAsync(ct);
        return vault.Read(field, id, settings, stored);
    }

    internal static TokenHealth Health(MailServer s) =>
        new(s.ProtectedAccessToken != null, s.ProtectedRefreshToken != null, s.AccessTokenExpiresUtc, s.TokensRefreshedUtc, s.TokenError, s.TokenErrorUtc, s.TokenNeedsAuthorization)
        {
            AppOnly = s.OAuthProvider is { } provider && OAuthProviderDescriptor.Find(provider)?.IsAppOnly == true,
            RetryAfterUtc = s.TokenRetryAfterUtc,
        };

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string? Truncate(string? value, int length) => value is null || value.Length <= length ? value : value[..length];

    private static void Stamp(MailServer server, DateTime now)
    {
        server.Version = Guid.NewGuid();
        server.UpdatedUtc = now;
    }

    /// <summary>Names of the fields whose value differs from what was loaded (all set fields for a new server).</summary>
    private List<string> ChangedFields(MailServer server)
    {
        var entry = db.Entry(server);
        db.ChangeTracker.DetectChanges();
        return entry.Properties
            .Where(p => !p.Metadata.IsPrimaryKey() && !UnauditedFields.Contains(p.Metadata.Name) && !p.Metadata.Name.StartsWith("Protected", StringComparison.Ordinal))
            .Where(p => entry.State == EntityState.Added
                ? p.CurrentValue is not null && !(p.CurrentValue is bool b && !b)
                : p.IsModified && !Equals(p.OriginalValue, p.CurrentValue))
            .Select(p => p.Metadata.Name)
            .ToList();
    }

    private async Task<bool> TrySaveAsync(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException ex) when (ex is not DbUpdateConcurrencyException
            && ex.InnerException?.Message.Contains(nameof(MailServer.NormalizedName), StringComparison.Ordinal) == true)
        {
            return false;
        }
    }
}

/// <summary>What an administrator submits for a server. Secrets are only changed when given; <see cref="SecretPolicy"/> decides what is kept.</summary>
public sealed record MailServerValues(
    string Name,
    string Host,
    int Port,
    SmtpSecurity Security,
    string? UserName,
    string SenderEmail,
    string? SenderName,
    bool IsDefault,
    bool RequiresAuthentication,
    string? Login,
    string? NewPassword,
    bool ClearPassword)
{
    public AuthenticationType AuthenticationType { get; init; }

    /// <summary>Set for OAuth servers.</summary>
    public OAuthValues? OAuth { get; init; }

    /// <summary>The fingerprint of the one certificate the server is trusted with (see <see cref="CertificateFingerprint"/>); null for the usual checks.</summary>
    public string? CertificatePin
    {
        get;
        init => field = string.IsNullOrWhiteSpace(value) ? null : CertificateFingerprint.Normalize(value) ?? throw new ArgumentException("Not a SHA-256 certificate fingerprint.", nameof(value));
    }

    /// <summary>The settings the server's secrets will be bound to.</summary>
    public MailServerSettings Settings => OAuth is { } oauth
        ? new(Host, Port, Security, AuthenticationType.OAuth, oauth.Provider, oauth.Tenant, oauth.ClientId, oauth.AuthorizationUrl, oauth.TokenUrl, oauth.RevocationUrl, CertificatePin)
        : new(Host, Port, Security, AuthenticationType, CertificatePin: CertificatePin);
}

/// <summary>
/// An OAuth server's settings, with the secrets given for it. A secret or token not given keeps the stored one where
/// <see cref="SecretPolicy"/> allows it.
/// </summary>
public sealed record OAuthValues(
    OAuthProvider Provider,
    string? Tenant,
    string? ClientId,
    string? AuthorizationUrl,
    string? TokenUrl,
    string? RevocationUrl,
    string? Scopes)
{
    public string? NewClientSecret { get; init; }

    /// <summary>An app-only server's new certificate (with its private key).</summary>
    public AppCertificate? NewCertificate { get; init; }

    /// <summary>A service account server's new JSON key.</summary>
    public ServiceAccountKey? NewServiceAccountKey { get; init; }

    /// <summary>
    /// The settings the new credential (client secret, certificate or key) was given with, when it comes from a form's
    /// draft (null: given with these).
    /// </summary>
    public MailServerSettings? CredentialTypedFor { get; init; }

    /// <summary>When the client secret expires, as the administrator read it in the provider's console.</summary>
    public DateOnly? ClientSecretExpiresOn { get; init; }

    /// <summary>New tokens: an empty access or refresh token keeps the stored one.</summary>
    public TokenSet? NewTokens { get; init; }

    /// <summary>The settings the new tokens were obtained with (Get Token); null when pasted with these.</summary>
    public MailServerSettings? TokensObtainedFor { get; init; }
}

public sealed record MailServerDetails(
    int Id,
    string Name,
    string Host,
    int Port,
    SmtpSecurity Security,
    string? UserName,
    string SenderEmail,
    string? SenderName,
    bool IsDefault,
    AuthenticationType AuthenticationType,
    bool RequiresAuthentication,
    string? Login,
    StoredSecrets Secrets,
    Guid Version)
{
    public OAuthProvider? Provider { get; init; }

    public string? Tenant { get; init; }

    public string? ClientId { get; init; }

    public string? AuthorizationUrl { get; init; }

    public string? TokenUrl { get; init; }

    public string? RevocationUrl { get; init; }

    public string? Scopes { get; init; }

    public DateTime? AccessTokenExpiresUtc { get; init; }

    public DateTime? TokensObtainedUtc { get; init; }

    public string? TokenAccount { get; init; }

    public TokenHealth? Health { get; init; }

    public DateOnly? ClientSecretExpiresOn { get; init; }

    public string? CertificateSubject { get; init; }

    public string? CertificateThumbprint { get; init; }

    public DateTime? CertificateExpiresUtc { get; init; }

    public string? ServiceAccountEmail { get; init; }

    public string? ServiceAccountKeyId { get; init; }

    public bool HasCertificate => Secrets.Certificate != SecretState.None;

    public bool HasServiceAccountKey => Secrets.ServiceAccountKey != SecretState.None;

    public bool HasPassword => Secrets.Password != SecretState.None;

    public bool HasClientSecret => Secrets.ClientSecret != SecretState.None;

    public bool HasAccessToken => Secrets.AccessToken != SecretState.None;

    public bool HasRefreshToken => Secrets.RefreshToken != SecretState.None;

    /// <summary>A stored secret this app can no longer decrypt (its key is gone): it must be typed or obtained again.</summary>
    public bool HasUnreadableSecret => Secrets.AnyUnreadable;

    public MailServerSettings Settings => Secrets.Settings;

    /// <summary>The fingerprint of the certificate the server is pinned to; null when it is not pinned.</summary>
    public string? CertificatePin => Settings.CertificatePin;
}

public sealed record DefaultChange(string Name, string? PreviousDefault);

public sealed record DeletedServer(string Name, bool WasDefault);

public enum SaveStatus
{
    Saved,
    NotFound,
    Conflict,
    NameTaken,

    /// <summary><see cref="SecretPolicy"/> refused the write; <see cref="SaveResult.Problems"/> says why.</summary>
    Refused,
}

public sealed record SaveResult(SaveStatus Status, int Id = 0, bool IsDefault = false, string? PreviousDefault = null)
{
    public static readonly SaveResult NotFound = new(SaveStatus.NotFound);
    public static readonly SaveResult Conflict = new(SaveStatus.Conflict);
    public static readonly SaveResult NameTaken = new(SaveStatus.NameTaken);

    public IReadOnlyList<ServerProblem> Problems { get; init; } = [];

    public static SaveResult Refused(IReadOnlyList<ServerProblem> problems) => new(SaveStatus.Refused) { Problems = problems };

    public static SaveResult Saved(int id, bool isDefault, string? previousDefault) =>
        new(SaveStatus.Saved, id, isDefault, previousDefault);
}
