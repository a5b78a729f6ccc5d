using MailServerAdmin.OAuth;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MailServerAdmin.Data.Configurations;

internal sealed class OAuthFlowConfiguration : IEntityTypeConfiguration<OAuthFlow>
{
    public void Configure(EntityTypeBuilder<OAuthFlow> builder)
    {
        builder.Property(f => f.Id).HasMaxLength(64);
        builder.Property(f => f.Kind).HasConversion<string>().HasMaxLength(20);
        builder.Property(f => f.UserId).HasMaxLength(450);
        builder.Property(f => f.BindingHash).HasMaxLength(64);
        builder.HasIndex(f => f.ExpiresUtc);
    }
}
