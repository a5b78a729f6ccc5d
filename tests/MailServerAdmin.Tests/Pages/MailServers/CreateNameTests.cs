using MailServerAdmin.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Pages.MailServers;

public sealed class CreateNameTests
{
    [Fact]
    public async Task A_name_already_used_in_any_case_is_refused_with_the_input_kept()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();
        await client.CreateServerAsync(ServerForms.Basic("Office Relay"));

        var form = await client.GetPageAsync("/MailServers/Create");
        var result = await client.SubmitAndReadAsync(form, ServerForms.Basic(" office relay ").With("Input.Host", "other.example.com"));

        Assert.Equal("A server named 'office relay' already exists (names are compared ignoring case).", result.ErrorFor("Input.Name"));
        Assert.Equal("other.example.com", result.ValueOf("Input.Host"));
        Assert.Equal(1, await app.WithDbAsync(db => db.MailServers.CountAsync()));
    }

    [Fact]
    public async Task The_database_refuses_a_duplicate_name_even_without_the_page()
    {
        using var app = new AppFactory();
        await (await app.CreateBrowserAsync()).CreateServerAsync(ServerForms.Basic("Relay"));

        await Assert.ThrowsAsync<DbUpdateException>(() => app.WithDbAsync(async db =>
        {
            var copy = await db.MailServers.AsNoTracking().SingleAsync();
            copy.Id = 0;
            copy.Name = "relay";
            copy.IsDefault = false;
            db.MailServers.Add(copy);
            await db.SaveChangesAsync();
        }));
    }
}
