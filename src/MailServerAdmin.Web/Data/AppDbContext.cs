using MailServerAdmin.Web.Audit;
using MailServerAdmin.Web.MailServers;
using MailServerAdmin.Web.OAuth;
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

    /// <summary>One per app: the model (with its converters) is built once per provider, not per context.</summary>
    internal IDataProtectionProvider DataProtection { get; } = dataProtection;

    public DbSet<MailServer> MailServers => Set<MailServer>();

    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();

    public DbSet<OAuthFlow> OAuthFlows => Set<OAuthFlow>();

    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder) =>
        // The model captures the protector in its value converters, so it is cached per protector.
        optionsBuilder.ReplaceService<IModelCacheKeyFactory, ProtectorModelCacheKeyFactory>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(AppDbContext).Assembly);
        var secret = (ValueConverter)new ProtectedStringConverter(SecretProtector);
        var server = builder.Entity<MailServer>();
        server.Property(s => s.Password).HasConversion(secret);
        server.Property(s => s.ClientSecret).HasConversion(secret);
        server.Property(s => s.AccessToken).HasConversion(secret);
        server.Property(s => s.RefreshToken).HasConversion(secret);
    }

    private sealed class ProtectorModelCacheKeyFactory : IModelCacheKeyFactory
    {
        public object Create(DbContext context, bool designTime) => context is AppDbContext app
            ? (context.GetType(), app.DataProtection, designTime)
            : (context.GetType(), designTime);
    }
}
