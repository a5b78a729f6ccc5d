using MailServerAdmin.MailServers;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace MailServerAdmin.Data.Configurations;

/// <summary>The mail servers' table, as SQLite has it; <see cref="PostgresModel"/> says what PostgreSQL has differently.</summary>
internal sealed class MailServerConfiguration : IEntityTypeConfiguration<MailServer>
{
    public void Configure(EntityTypeBuilder<MailServer> builder)
    {
        builder.Property(s => s.Name).HasMaxLength(MailServerLimits.Name);
        builder.Property(s => s.NormalizedName).HasMaxLength(MailServerLimits.Name);
        builder.Property(s => s.Host).HasMaxLength(MailServerLimits.Host);
        builder.Property(s => s.CertificatePin).HasMaxLength(CertificateFingerprint.TextLength);
        builder.Property(s => s.UserName).HasMaxLength(MailServerLimits.Email);
        builder.Property(s => s.SenderEmail).HasMaxLength(MailServerLimits.Email);
        builder.Property(s => s.SenderName).HasMaxLength(MailServerLimits.DisplayName);
        builder.Property(s => s.Login).HasMaxLength(MailServerLimits.Email);
        builder.Property(s => s.Security).HasConversion<string>().HasMaxLength(20);
        builder.Property(s => s.AuthenticationType).HasConversion<string>().HasMaxLength(20);
        builder.Property(s => s.OAuthProvider).HasConversion<string>().HasMaxLength(20);
        builder.Property(s => s.Tenant).HasMaxLength(MailServerLimits.Tenant);
        builder.Property(s => s.ClientId).HasMaxLength(MailServerLimits.ClientId);
        builder.Property(s => s.AuthorizationUrl).HasMaxLength(MailServerLimits.Url);
        builder.Property(s => s.TokenUrl).HasMaxLength(MailServerLimits.Url);
        builder.Property(s => s.RevocationUrl).HasMaxLength(MailServerLimits.Url);
        builder.Property(s => s.Scopes).HasMaxLength(MailServerLimits.Scopes);
        builder.Property(s => s.TokenAccount).HasMaxLength(MailServerLimits.Email);
        builder.Property(s => s.TokenError).HasMaxLength(MailServerLimits.TokenError);
        builder.Property(s => s.TokenLeaseHolder).HasMaxLength(MailServerLimits.LeaseHolder);
        // The secrets are stored encrypted (see SecretVault), in the columns they always had.
        builder.Property(s => s.ProtectedPassword).HasColumnName("Password");
        builder.Property(s => s.ProtectedClientSecret).HasColumnName("ClientSecret");
        builder.Property(s => s.ProtectedAccessToken).HasColumnName("AccessToken");
        builder.Property(s => s.ProtectedRefreshToken).HasColumnName("RefreshToken");
        builder.Property(s => s.ProtectedCertificate).HasColumnName("Certificate");
        builder.Property(s => s.ProtectedServiceAccountKey).HasColumnName("ServiceAccountKey");
        builder.Property(s => s.CertificateSubject).HasMaxLength(MailServerLimits.CertificateSubject);
        builder.Property(s => s.CertificateThumbprint).HasMaxLength(MailServerLimits.Thumbprint);
        builder.Property(s => s.ServiceAccountEmail).HasMaxLength(MailServerLimits.Email);
        builder.Property(s => s.ServiceAccountKeyId).HasMaxLength(MailServerLimits.KeyId);
        builder.Property(s => s.SecretScheme).HasDefaultValue(1).HasSentinel(0);
        builder.Property(s => s.Version).IsConcurrencyToken();
        builder.Property(s => s.TokenVersion).IsConcurrencyToken();

        builder.HasIndex(s => s.NormalizedName).IsUnique();

        // The expiry warnings (the list and the banner on every page) read only what expires soon.
        builder.HasIndex(s => s.ClientSecretExpiresOn);
        builder.HasIndex(s => s.CertificateExpiresUtc);
        builder.HasIndex(s => s.Host);

        // The database itself allows at most one default server. The filter is written as EF writes a boolean column's
        // predicate (WHERE "IsDefault"), so that SQLite reads this index for every "which is the default" query: it only
        // uses a partial index whose filter the query's WHERE repeats ("IsDefault" = 1 would make those queries scan). PostgresModel writes
        // PostgreSQL's.
        builder.HasIndex(s => s.IsDefault)
            .IsUnique()
            .HasFilter("\"IsDefault\"")
            .HasDatabaseName("IX_MailServers_SingleDefault");
    }
}
