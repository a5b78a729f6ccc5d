using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MailServerAdmin.Data.Configurations;

internal sealed class PendingSetupCodeConfiguration : IEntityTypeConfiguration<PendingSetupCode>
{
    public void Configure(EntityTypeBuilder<PendingSetupCode> builder)
    {
        builder.ToTable("SetupCodes");
        builder.Property(c => c.Hash).HasMaxLength(200);
    }
}
