using MailServerAdmin.Audit;
using MailServerAdmin.MailServers;
using MailServerAdmin.OAuth;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Data;

/// <summary>
/// The app's database. Secrets are stored encrypted by <see cref="SecretVault"/> (not by a value converter), so that
/// each is bound to its column, its row and its settings, and a value that cannot be decrypted never breaks a query.
/// </summary>
public sealed class AppDbContext(DbContextOptions<AppDbContext> options) : IdentityDbContext<IdentityUser>(options)
{
    public DbSet<MailServer> MailServers => Set<MailServer>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<OAuthFlow> OAuthFlows => Set<OAuthFlow>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
    }
}
