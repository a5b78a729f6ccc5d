using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MailServerAdmin.Data.Migrations
{
    /// <inheritdoc />
    public partial class TokenHealth : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "TokenError",
                table: "MailServers",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "TokenErrorUtc",
                table: "MailServers",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "TokenNeedsAuthorization",
                table: "MailServers",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<Guid>(
                name: "TokenVersion",
                table: "MailServers",
                type: "TEXT",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.AddColumn<DateTime>(
                name: "TokensRefreshedUtc",
                table: "MailServers",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "TokenError",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "TokenErrorUtc",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "TokenNeedsAuthorization",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "TokenVersion",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "TokensRefreshedUtc",
                table: "MailServers");
        }
    }
}
