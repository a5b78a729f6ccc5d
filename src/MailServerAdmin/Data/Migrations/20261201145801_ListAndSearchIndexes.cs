using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace MailServerAdmin.Data.Migrations
{
    /// <inheritdoc />
    public partial class ListAndSearchIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_MailServers_SingleDefault",
                table: "MailServers");

            migrationBuilder.CreateIndex(
                name: "IX_MailServers_SingleDefault",
                table: "MailServers",
                column: "IsDefault",
                unique: true,
                filter: "\"IsDefault\"");

            // The server count and the trigram search index of the list (SQLite), kept up to date by triggers; see
            // SqliteListIndexes, which puts them back at start if a later table rebuild drops the triggers.
            migrationBuilder.Sql("""
                CREATE TABLE "MailServerCount" ("Id" INTEGER NOT NULL PRIMARY KEY CHECK ("Id" = 1), "Servers" INTEGER NOT NULL);
                INSERT INTO "MailServerCount" ("Id", "Servers") VALUES (1, (SELECT count(*) FROM "MailServers"));
                """);
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE "MailServerSearch" USING fts5("NormalizedName", "Host", content='MailServers', content_rowid='Id', tokenize='trigram case_sensitive 1');
                INSERT INTO "MailServerSearch"("MailServerSearch") VALUES ('rebuild');
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "MailServers_List_Insert" AFTER INSERT ON "MailServers" BEGIN
                    INSERT INTO "MailServerSearch"(rowid, "NormalizedName", "Host") VALUES (new."Id", new."NormalizedName", new."Host");
                    UPDATE "MailServerCount" SET "Servers" = "Servers" + 1;
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "MailServers_List_Delete" AFTER DELETE ON "MailServers" BEGIN
                    INSERT INTO "MailServerSearch"("MailServerSearch", rowid, "NormalizedName", "Host") VALUES ('delete', old."Id", old."NormalizedName", old."Host");
                    UPDATE "MailServerCount" SET "Servers" = "Servers" - 1;
                END;
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "MailServers_List_Update" AFTER UPDATE OF "NormalizedName", "Host" ON "MailServers" BEGIN
                    INSERT INTO "MailServerSearch"("MailServerSearch", rowid, "NormalizedName", "Host") VALUES ('delete', old."Id", old."NormalizedName", old."Host");
                    INSERT INTO "MailServerSearch"(rowid, "NormalizedName", "Host") VALUES (new."Id", new."NormalizedName", new."Host");
                END;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "MailServers_List_Update";""");
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "MailServers_List_Delete";""");
            migrationBuilder.Sql("""DROP TRIGGER IF EXISTS "MailServers_List_Insert";""");
            migrationBuilder.Sql("""DROP TABLE IF EXISTS "MailServerSearch";""");
            migrationBuilder.Sql("""DROP TABLE IF EXISTS "MailServerCount";""");

            migrationBuilder.DropIndex(
                name: "IX_MailServers_SingleDefault",
                table: "MailServers");

            migrationBuilder.CreateIndex(
                name: "IX_MailServers_SingleDefault",
                table: "MailServers",
                column: "IsDefault",
                unique: true,
                filter: "\"IsDefault\" = 1");
        }
    }
}
