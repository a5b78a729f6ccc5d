using MailServerAdmin.Web.Audit;
using MailServerAdmin.Web.Data;
using MailServerAdmin.Web.OAuth;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Web.MailServers;

/// <summary>
/// Owns the rules that belong to the stored mail servers: unique names, a single default, secrets that are
/// only ever replaced or cleared on purpose, optimistic concurrency between administrators, and an audit
/// entry for every change, written in the same transaction.
/// </summary>
public sealed class MailServerStore(AppDbContext db, AuditLog audit, TimeProvider time)
{
    /// <summary>Bookkeeping columns that are not worth an audit line.</summary>
    private static readonly HashSet<string> UnauditedFields =
        [nameof(MailServer.Version), nameof(MailServer.UpdatedUtc), nameof(MailServer.CreatedUtc), nameof(MailServer.NormalizedName),
         nameof(MailServer.TokenVersion), nameof(MailServer.TokenError), nameof(MailServer.TokenErrorUtc), nameof(MailServer.TokenNeedsAuthorization)];

    public async Task<MailServerPage> ListAsync(string? search, int page, int pageSize, CancellationToken ct = default)
    {
        var query = db.MailServers.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var upper = search.Trim().ToUpperInvariant();
            var lower = search.Trim().ToLowerInvariant();
            query = query.Where(s => s.NormalizedName.Contains(upper) || s.Host.Contains(lower));
        }

        var total = await query.CountAsync(ct);
        var pageCount = Math.Max(1, (total + pageSize - 1) / pageSize);
        page = Math.Clamp(page, 1, pageCount);

        var items = await query
            .OrderBy(s => s.NormalizedName)
            .ThenBy(s => s.Id)
            .Skip((page - 1) * pageSize)
            .Take(pageSize)
            .Select(s => new MailServerListItem(
                s.Id, s.Name, s.Host, s.Port, s.Security, s.SenderEmail, s.SenderName,
                s.AuthenticationType, s.RequiresAuthentication, s.Login, s.IsDefault, s.OAuthProvider, s.TokenAccount,
                new TokenHealth(s.AccessToken != null, s.RefreshToken != null, s.AccessTokenExpiresUtc, s.TokensRefreshedUtc, s.TokenError, s.TokenErrorUtc, s.TokenNeedsAuthorization)))
            .ToListAsync(ct);

        return new MailServerPage(items, page, pageSize, total);
    }

    public async Task<(bool AnyServer, bool AnyDefault)> GetSummaryAsync(CancellationToken ct = default) =>
        (await db.MailServers.AnyAsync(ct), await db.MailServers.AnyAsync(s => s.IsDefault, ct));

    public Task<MailServerDetails?> GetDetailsAsync(int id, CancellationToken ct = default) =>
        db.MailServers.AsNoTracking()
            .Where(s => s.Id == id)
            .Select(s => new MailServerDetails(
                s.Id, s.Name, s.Host, s.Port, s.Security, s.UserName, s.SenderEmail, s.SenderName, s.IsDefault,
                s.AuthenticationType, s.RequiresAuthentication, s.Login, s.Password != null, s.Version)
            {
                Provider = s.OAuthProvider,
                Tenant = s.Tenant,
                ClientId = s.ClientId,
                HasClientSecret = s.ClientSecret != null,
                AuthorizationUrl = s.AuthorizationUrl,
                TokenUrl = s.TokenUrl,
                RevocationUrl = s.RevocationUrl,
                Scopes = s.Scopes,
                HasAccessToken = s.AccessToken != null,
                HasRefreshToken = s.RefreshToken != null,
                AccessTokenExpiresUtc = s.AccessTokenExpiresUtc,
                TokensObtainedUtc = s.TokensObtainedUtc,
                TokenAccount = s.TokenAccount,
                Health = new TokenHealth(s.AccessToken != null, s.RefreshToken != null, s.AccessTokenExpiresUtc, s.TokensRefreshedUtc, s.TokenError, s.TokenErrorUtc, s.TokenNeedsAuthorization),
            })
            .SingleOrDefaultAsync(ct);

    /// <summary>The stored password, decrypted, for a connection to the server. Never for a page.</summary>
    public Task<string?> GetPasswordAsync(int id, CancellationToken ct = default) =>
        db.MailServers.AsNoTracking().Where(s => s.Id == id).Select(s => s.Password).SingleOrDefaultAsync(ct);

    /// <summary>The stored client secret, decrypted, for a call to the provider. Never for a page.</summary>
    public Task<string?> GetClientSecretAsync(int id, CancellationToken ct = default) =>
        db.MailServers.AsNoTracking().Where(s => s.Id == id).Select(s => s.ClientSecret).SingleOrDefaultAsync(ct);

    public Task<bool> IsNameTakenAsync(string name, int? exceptId, CancellationToken ct = default)
    {
        var normalized = MailServer.NormalizeName(name);
        return db.MailServers.AnyAsync(s => s.NormalizedName == normalized && s.Id != exceptId, ct);
    }

    public async Task<SaveResult> CreateAsync(MailServerValues values, CancellationToken ct = default)
    {
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

        audit.Record(AuditAction.ServerCreated, server.Id, server.Name, fields);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return SaveResult.Saved(server.Id, server.IsDefault, previousDefault);
    }

    public async Task<SaveResult> UpdateAsync(int id, Guid expectedVersion, MailServerValues values, CancellationToken ct = default)
    {
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

        // Also checked by the database at SaveChanges, in case another write lands in between.
        db.Entry(server).Property(s => s.Version).OriginalValue = expectedVersion;
        Apply(server, values, time.GetUtcNow().UtcDateTime);

        var previousDefault = values.IsDefault && !server.IsDefault
            ? await TakeDefaultFromOthersAsync(exceptId: id, ct)
            : null;
        server.IsDefault = values.IsDefault;
        var fields = ChangedFields(server);
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
        server.UserName = values.UserName;
        server.SenderEmail = values.SenderEmail;
        server.SenderName = values.SenderName;
        Stamp(server, now);
        server.AuthenticationType = values.AuthenticationType;
        if (values.OAuth is { } oauth)
        {
            ApplyOAuth(server, oauth);
            return;
        }

        ClearOAuth(server);
        server.RequiresAuthentication = values.RequiresAuthentication;
        server.Login = values.RequiresAuthentication ? values.Login : null;

        if (!values.RequiresAuthentication || values.ClearPassword)
        {
            server.Password = null;
        }

        if (values.RequiresAuthentication && !string.IsNullOrEmpty(values.NewPassword))
        {
            server.Password = values.NewPassword;
        }
    }

    private static void ApplyOAuth(MailServer server, OAuthValues oauth)
    {
        server.RequiresAuthentication = true;
        server.Login = null;
        server.Password = null;
        server.OAuthProvider = oauth.Provider;
        server.Tenant = oauth.Tenant;
        server.ClientId = oauth.ClientId;
        server.AuthorizationUrl = oauth.AuthorizationUrl;
        server.TokenUrl = oauth.TokenUrl;
        server.RevocationUrl = oauth.RevocationUrl;
        server.Scopes = oauth.Scopes;
        if (oauth.DropStoredClientSecret)
        {
            server.ClientSecret = null;
        }

        if (oauth.ClientSecret is not null)
        {
            server.ClientSecret = oauth.ClientSecret;
        }

        if (oauth.DropStoredTokens || oauth.Tokens is not null)
        {
            server.TokenVersion = Guid.NewGuid();
            server.TokenError = null;
            server.TokenErrorUtc = null;
            server.TokenNeedsAuthorization = false;
        }

        if (oauth.DropStoredTokens)
        {
            server.AccessToken = null;
            server.RefreshToken = null;
            server.AccessTokenExpiresUtc = null;
            server.TokensObtainedUtc = null;
            server.TokenAccount = null;
        }

        if (oauth.Tokens is { } tokens)
        {
            if (!string.IsNullOrEmpty(tokens.AccessToken))
            {
                server.AccessToken = tokens.AccessToken;
                server.AccessTokenExpiresUtc = tokens.ExpiresUtc;
            }

            // A stored refresh token is never overwritten with nothing.
            if (!string.IsNullOrEmpty(tokens.RefreshToken))
            {
                server.RefreshToken = tokens.RefreshToken;
            }

            server.TokensObtainedUtc = tokens.ObtainedUtc;
            server.TokenAccount = tokens.Account ?? server.TokenAccount;
        }
    }

    private static void ClearOAuth(MailServer server)
    {
        server.OAuthProvider = null;
        server.Tenant = null;
        server.ClientId = null;
        server.ClientSecret = null;
        server.AuthorizationUrl = null;
        server.TokenUrl = null;
        server.RevocationUrl = null;
        server.Scopes = null;
        server.AccessToken = null;
        server.RefreshToken = null;
        server.AccessTokenExpiresUtc = null;
        server.TokensObtainedUtc = null;
        server.TokenAccount = null;
        server.TokensRefreshedUtc = null;
        server.TokenError = null;
        server.TokenErrorUtc = null;
        server.TokenNeedsAuthorization = false;
    }

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
            .Where(p => !p.Metadata.IsPrimaryKey() && !UnauditedFields.Contains(p.Metadata.Name))
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

/// <summary>What an administrator submits for a server. Secrets are only changed when asked to.</summary>
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
}

/// <summary>
/// An OAuth server's settings. A null secret or token keeps the stored one, unless the stored one is dropped
/// because it belongs to other settings.
/// </summary>
public sealed record OAuthValues(
    OAuthProvider Provider,
    string? Tenant,
    string ClientId,
    string? ClientSecret,
    string? AuthorizationUrl,
    string TokenUrl,
    string? RevocationUrl,
    string? Scopes,
    TokenSet? Tokens,
    bool DropStoredTokens,
    bool DropStoredClientSecret);

public sealed record MailServerListItem(
    int Id,
    string Name,
    string Host,
    int Port,
    SmtpSecurity Security,
    string SenderEmail,
    string? SenderName,
    AuthenticationType AuthenticationType,
    bool RequiresAuthentication,
    string? Login,
    bool IsDefault,
    OAuthProvider? Provider,
    string? TokenAccount,
    TokenHealth Health);

public sealed record MailServerPage(IReadOnlyList<MailServerListItem> Items, int Page, int PageSize, int Total)
{
    public int PageCount => Math.Max(1, (Total + PageSize - 1) / PageSize);
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
    bool HasPassword,
    Guid Version)
{
    public OAuthProvider? Provider { get; init; }

    public string? Tenant { get; init; }

    public string? ClientId { get; init; }

    public bool HasClientSecret { get; init; }

    public string? AuthorizationUrl { get; init; }

    public string? TokenUrl { get; init; }

    public string? RevocationUrl { get; init; }

    public string? Scopes { get; init; }

    public bool HasAccessToken { get; init; }

    public bool HasRefreshToken { get; init; }

    public DateTime? AccessTokenExpiresUtc { get; init; }

    public DateTime? TokensObtainedUtc { get; init; }

    public string? TokenAccount { get; init; }

    public TokenHealth? Health { get; init; }
}

public sealed record DefaultChange(string Name, string? PreviousDefault);

public sealed record DeletedServer(string Name, bool WasDefault);

public enum SaveStatus
{
    Saved,
    NotFound,
    Conflict,
    NameTaken,
}

public sealed record SaveResult(SaveStatus Status, int Id = 0, bool IsDefault = false, string? PreviousDefault = null)
{
    public static readonly SaveResult NotFound = new(SaveStatus.NotFound);
    public static readonly SaveResult Conflict = new(SaveStatus.Conflict);
    public static readonly SaveResult NameTaken = new(SaveStatus.NameTaken);

    public static SaveResult Saved(int id, bool isDefault, string? previousDefault) =>
        new(SaveStatus.Saved, id, isDefault, previousDefault);
}
