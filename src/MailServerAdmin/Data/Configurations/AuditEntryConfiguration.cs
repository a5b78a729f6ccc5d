using MailServerAdmin.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MailServerAdmin.Data.Configurations;

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.Property(e => e.Administrator).HasMaxLength(256);
        builder.Property(e => e.Action).HasConversion<string>().HasMaxLength(40);
        builder.Property(e => e.ServerName).HasMaxLength(100);
        builder.Property(e => e.Fields).HasMaxLength(1000);
        builder.Property(e => e.Detail).HasMaxLength(500);
        builder.HasIndex(e => e.ServerId);
    }
}
