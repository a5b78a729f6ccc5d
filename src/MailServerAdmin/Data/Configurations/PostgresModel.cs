using MailServerAdmin.MailServers;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Data.Configurations;

/// <summary>
/// What the model has differently on PostgreSQL, applied after the entity configurations (which describe it as SQLite
/// has it): the same rules, written in PostgreSQL's SQL, and the indexes that make the list's search fast there.
/// </summary>
internal static class PostgresModel
{
    public static void Apply(ModelBuilder builder)
    {
        // Trigram indexes for the list's search (a trusted extension: the database's owner may create it).
        builder.HasPostgresExtension("pg_trgm");

        var servers = builder.Entity<MailServer>();
        // At most one default server: PostgreSQL has a boolean type.
        servers.HasIndex(s => s.IsDefault).HasFilter("\"IsDefault\"");
        // Names sort and compare byte by byte, as on SQLite, whatever the database's locale.
        servers.Property(s => s.NormalizedName).UseCollation("C");
        // The list's search (LIKE '%…%' on the name and the host) uses trigram indexes instead of reading every row.
        servers.HasIndex(s => s.NormalizedName, "IX_MailServers_NormalizedName_Trigram").HasMethod("gin").HasOperators("gin_trgm_ops");
        servers.HasIndex(s => s.Host, "IX_MailServers_Host_Trigram").HasMethod("gin").HasOperators("gin_trgm_ops");
    }
}
