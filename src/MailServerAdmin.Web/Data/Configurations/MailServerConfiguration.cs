using MailServerAdmin.Web.MailServers;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MailServerAdmin.Web.Data.Configurations;

internal sealed class MailServerConfiguration : IEntityTypeConfiguration<MailServer>
{
    public void Configure(EntityTypeBuilder<MailServer> builder)
    {
        builder.Property(s => s.Name).HasMaxLength(MailServerLimits.Name);
        builder.Property(s => s.NormalizedName).HasMaxLength(MailServerLimits.Name);
        builder.Property(s => s.Host).HasMaxLength(MailServerLimits.Host);
        builder.Property(s => s.UserName).HasMaxLength(MailServerLimits.Email);
        builder.Property(s => s.SenderEmail).HasMaxLength(MailServerLimits.Email);
        builder.Property(s => s.SenderName).HasMaxLength(MailServerLimits.DisplayName);
        builder.Property(s => s.Login).HasMaxLength(MailServerLimits.Email);
        builder.Property(s => s.Security).HasConversion<string>().HasMaxLength(20);
        builder.Property(s => s.AuthenticationType).HasConversion<string>().HasMaxLength(20);
        builder.Property(s => s.Version).IsConcurrencyToken();

        builder.HasIndex(s => s.NormalizedName).IsUnique();
        builder.HasIndex(s => s.Host);

        // The database itself allows at most one default server.
        builder.HasIndex(s => s.IsDefault)
            .IsUnique()
            .HasFilter("\"IsDefault\" = 1")
            .HasDatabaseName("IX_MailServers_SingleDefault");
    }
}
