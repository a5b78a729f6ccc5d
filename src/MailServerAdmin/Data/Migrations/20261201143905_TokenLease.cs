using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MailServerAdmin.Data.Migrations
{
    /// <inheritdoc />
    public partial class TokenLease : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "TokenFailureCount",
                table: "MailServers",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "TokenLeaseHolder",
                table: "MailServers",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "TokenLeaseId",
                table: "MailServers",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "TokenLeaseTakenUtc",
                table: "MailServers",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "TokenLeaseUntilUtc",
                table: "MailServers",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "TokenRetryAfterUtc",
                table: "MailServers",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "TokenFailureCount",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "TokenLeaseHolder",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "TokenLeaseId",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "TokenLeaseTakenUtc",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "TokenLeaseUntilUtc",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "TokenRetryAfterUtc",
                table: "MailServers");
        }
    }
}
