using MailServerAdmin.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace MailServerAdmin.PostgresMigrations;

/// <summary>
/// Lets the EF tools build the PostgreSQL model without starting the app or reaching a server (adding a migration and
/// checking for model changes need neither), with the options the app uses.
/// </summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<AppDbContext>
{
    public AppDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<AppDbContext>();
        DatabaseSettings.UsePostgres(options, "Host=localhost;Database=mailserveradmin_design_time");
        return new AppDbContext(options.Options);
    }
}
