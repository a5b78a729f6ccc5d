using MailServerAdmin.Audit;
using MailServerAdmin.Data.Configurations;
using MailServerAdmin.MailServers;
using MailServerAdmin.OAuth;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Data;

/// <summary>
/// The app's database. Secrets are stored encrypted by <see cref="SecretVault"/> (not by a value converter), so that
/// each is bound to its column, its row and its settings, and a value that cannot be decrypted never breaks a query.
/// The same model serves SQLite and PostgreSQL; each has its own migrations (see <see cref="DatabaseSettings"/>).
/// </summary>
public sealed class AppDbContext(DbContextOptions<AppDbContext> options) : IdentityDbContext<IdentityUser>(options), IDataProtectionKeyContext
{
    public DbSet<MailServer> MailServers => Set<MailServer>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<OAuthFlow> OAuthFlows => Set<OAuthFlow>();

    /// <summary>The first-run set-up codes, hashed, while no administrator exists.</summary>
    public DbSet<PendingSetupCode> SetupCodes => Set<PendingSetupCode>();

    /// <summary>The Data Protection key ring, when it is kept in the database (<c>DataProtection:KeyStore</c> = Database).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
        if (Database.IsNpgsql())
        {
            PostgresModel.Apply(builder);
        }
    }
}
