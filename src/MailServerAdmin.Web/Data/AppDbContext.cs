using MailServerAdmin.Web.Audit;
using MailServerAdmin.Web.MailServers;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace MailServerAdmin.Web.Data;

public sealed class AppDbContext(DbContextOptions<AppDbContext> options, IDataProtectionProvider dataProtection)
    : IdentityDbContext<IdentityUser>(options)
{
    /// <summary>
    /// Purpose of the protector that encrypts secrets at rest. Versioned: a new scheme gets a new purpose,
    /// so that values written under the old one can still be told apart and migrated.
    /// </summary>
    public const string SecretsPurpose = "MailServerAdmin.Secrets.v1";

    internal IDataProtector SecretProtector { get; } = dataProtection.CreateProtector(SecretsPurpose);

    public DbSet<MailServer> MailServers => Set<MailServer>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder) =>
        // The model captures the protector in its value converters, so it is cached per protector.
        optionsBuilder.ReplaceService<IModelCacheKeyFactory, ProtectorModelCacheKeyFactory>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
        builder.Entity<MailServer>()
            .Property(s => s.Password)
            .HasConversion((ValueConverter)new ProtectedStringConverter(SecretProtector));
    }

    private sealed class ProtectorModelCacheKeyFactory : IModelCacheKeyFactory
    {
        public object Create(DbContext context, bool designTime) => context is AppDbContext app
            ? (context.GetType(), app.SecretProtector, designTime)
            : (context.GetType(), designTime);
    }
}
