using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MailServerAdmin.Data.Migrations
{
    /// <inheritdoc />
    public partial class AppOnlyCredentials : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Certificate",
                table: "MailServers",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "CertificateExpiresUtc",
                table: "MailServers",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CertificateSubject",
                table: "MailServers",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "CertificateThumbprint",
                table: "MailServers",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "ClientSecretExpiresOn",
                table: "MailServers",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ServiceAccountEmail",
                table: "MailServers",
                type: "TEXT",
                maxLength: 254,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ServiceAccountKey",
                table: "MailServers",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ServiceAccountKeyId",
                table: "MailServers",
                type: "TEXT",
                maxLength: 100,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Certificate",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "CertificateExpiresUtc",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "CertificateSubject",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "CertificateThumbprint",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "ClientSecretExpiresOn",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "ServiceAccountEmail",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "ServiceAccountKey",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "ServiceAccountKeyId",
                table: "MailServers");
        }
    }
}
