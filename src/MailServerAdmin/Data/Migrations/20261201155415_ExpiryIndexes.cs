using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MailServerAdmin.Data.Migrations
{
    /// <inheritdoc />
    public partial class ExpiryIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_MailServers_CertificateExpiresUtc",
                table: "MailServers",
                column: "CertificateExpiresUtc");

            migrationBuilder.CreateIndex(
                name: "IX_MailServers_ClientSecretExpiresOn",
                table: "MailServers",
                column: "ClientSecretExpiresOn");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_MailServers_CertificateExpiresUtc",
                table: "MailServers");

            migrationBuilder.DropIndex(
                name: "IX_MailServers_ClientSecretExpiresOn",
                table: "MailServers");
        }
    }
}
