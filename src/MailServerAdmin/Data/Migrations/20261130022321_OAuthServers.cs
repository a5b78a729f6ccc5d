using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MailServerAdmin.Data.Migrations
{
    /// <inheritdoc />
    public partial class OAuthServers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "AccessToken",
                table: "MailServers",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "AccessTokenExpiresUtc",
                table: "MailServers",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AuthorizationUrl",
                table: "MailServers",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ClientId",
                table: "MailServers",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ClientSecret",
                table: "MailServers",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "OAuthProvider",
                table: "MailServers",
                type: "TEXT",
                maxLength: 20,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RefreshToken",
                table: "MailServers",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RevocationUrl",
                table: "MailServers",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Scopes",
                table: "MailServers",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Tenant",
                table: "MailServers",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TokenAccount",
                table: "MailServers",
                type: "TEXT",
                maxLength: 254,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TokenUrl",
                table: "MailServers",
                type: "TEXT",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "TokensObtainedUtc",
                table: "MailServers",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "OAuthFlows",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    UserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    BindingHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CreatedUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ExpiresUtc = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UsedUtc = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Payload = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OAuthFlows", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_OAuthFlows_ExpiresUtc",
                table: "OAuthFlows",
                column: "ExpiresUtc");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "OAuthFlows");

            migrationBuilder.DropColumn(
                name: "AccessToken",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "AccessTokenExpiresUtc",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "AuthorizationUrl",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "ClientId",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "ClientSecret",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "OAuthProvider",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "RefreshToken",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "RevocationUrl",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "Scopes",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "Tenant",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "TokenAccount",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "TokenUrl",
                table: "MailServers");

            migrationBuilder.DropColumn(
                name: "TokensObtainedUtc",
                table: "MailServers");
        }
    }
}
