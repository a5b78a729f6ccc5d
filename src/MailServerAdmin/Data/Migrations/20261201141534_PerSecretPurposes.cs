using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MailServerAdmin.Data.Migrations
{
    /// <inheritdoc />
    public partial class PerSecretPurposes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "SecretScheme",
                table: "MailServers",
                type: "INTEGER",
                nullable: false,
                defaultValue: 1);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "SecretScheme",
                table: "MailServers");
        }
    }
}
