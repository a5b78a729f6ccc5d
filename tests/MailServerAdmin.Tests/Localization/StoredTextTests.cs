using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Audit;
using MailServerAdmin.Localization;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Localization;

/// <summary>What is stored for later (a refresh failure, audit notes) is shown in the language of whoever reads it.</summary>
public sealed class StoredTextTests
{
    [Fact]
    public async Task A_stored_refresh_failure_and_the_audit_notes_are_shown_in_the_readers_language()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("Primero"));
        await client.CreateServerAsync(ServerForms.Basic("Segundo", password: null)
            .With("Input.UserName", "buzon@example.com")
            .With("Input.AuthenticationType", "OAuth")
            .With("Input.Provider", "Manual")
            .With("Input.ClientId", "cliente-1")
            .With("Input.TokenUrl", "https://auth.example.net/token")
            .With("Input.AccessToken", "pasted-access-token-2")
            .With("Input.RefreshToken", "pasted-refresh-token-2"));
        var id = await client.FindIdAsync("Segundo");
        await client.SubmitAndReadAsync(await client.GetPageAsync("/MailServers"), button: $"tr[data-server-id='{id}'] button[data-action=make-default]");
        await app.WithDbAsync(async db =>
        {
            var server = await db.MailServers.SingleAsync(s => s.Id == id);
            server.TokenError = LocalizableText.Join(" ", [LocalizableText.Plain("invalid_client: Bad secret."), LocalizableText.Of("OAuth_Hint_InvalidClient")]).ToJson();
            server.TokenErrorUtc = new DateTime(2030, 1, 2, 3, 4, 0, DateTimeKind.Utc);
            db.AuditEntries.Add(new AuditEntry
            {
                TimeUtc = DateTime.UtcNow, Administrator = "robot@example.com", Action = AuditAction.TokensObtained, ServerId = id, ServerName = "Segundo",
                Detail = AuditDetails.TokensObtained(MailServerAdmin.OAuth.OAuthProvider.Manual, "buzon@example.com"),
            });
            await db.SaveChangesAsync();
        });

        var list = await client.Speaking("es").GetPageAsync($"/MailServers?q=Segundo");
        var audit = await client.Speaking("pt-BR").GetPageAsync("/Audit");
        var english = await client.Speaking("en").GetPageAsync($"/MailServers?q=Segundo");

        Assert.Equal(
            "La actualización falló el 02/01/2030 3:04 UTC: invalid_client: Bad secret. El proveedor rechazó el ID de cliente o el secreto de cliente. Vuelva a copiarlos desde la consola del proveedor.",
            list.QuerySelector("[data-testid=token-health]")!.TextContent.Trim());
        Assert.StartsWith("Refresh failed ", english.QuerySelector("[data-testid=token-health]")!.TextContent.Trim(), StringComparison.Ordinal);
        var notes = audit.QuerySelectorAll("tbody tr td:nth-child(6)").Select(cell => cell.TextContent.Trim()).ToList();
        Assert.Contains("Configuração manual, conta buzon@example.com; ainda não salvos", notes);
        Assert.Contains("Padrão anterior: Primero", notes);
        Assert.Empty(audit.EnglishLeftIn("pt-BR"));
        Assert.Equal("Previous default: Primero", await app.WithDbAsync(db => db.AuditEntries.Where(e => e.Action == AuditAction.DefaultSet).Select(e => e.Detail).SingleAsync()));
    }
}
