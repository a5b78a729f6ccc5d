using AngleSharp.Html.Dom;
using MailServerAdmin.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace MailServerAdmin.Tests.Pages.Hostile;

/// <summary>A checkbox posts true or false; anything else is a message beside it, never an error page or a log full of it.</summary>
public sealed class CheckboxTests(AppFactory app) : IClassFixture<AppFactory>
{
    /// <summary>A megabyte that is easy to recognise.</summary>
    private static readonly string Megabyte = string.Concat(Enumerable.Repeat("not-a-boolean-", 75_000));

    private static readonly Dictionary<string, string> Labels = new()
    {
        ["Input.IsDefault"] = "Default server",
        ["Input.RequiresAuthentication"] = "Requires authentication",
        ["Input.ClearPassword"] = "Clear the stored password",
    };

    public static TheoryData<string, string> Values()
    {
        var data = new TheoryData<string, string>();
        foreach (var field in Labels.Keys)
        {
            foreach (var value in new[] { "on", "yes", "2", "some text", "", "megabyte" })
            {
                data.Add(field, value);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Values))]
    public async Task A_checkbox_value_other_than_true_or_false_is_refused_beside_the_field_on_edit(string field, string value)
    {
        var posted = value == "megabyte" ? Megabyte : value;
        var client = await app.CreateBrowserAsync();
        var name = $"Checkbox {Guid.NewGuid():N}";
        await client.CreateServerAsync(ServerForms.Basic(name));
        var before = await app.WithDbAsync(db => db.MailServers.AsNoTracking().SingleAsync(s => s.Name == name));
        var edit = await client.GetPageAsync($"/MailServers/Edit/{before.Id}");

        using var response = await client.SubmitAsync(edit, new Dictionary<string, string?> { [field] = posted, ["Input.SenderName"] = "Changed" });
        var page = await response.ReadPageAsync();

        Assert.True((int)response.StatusCode < 500, $"answered {(int)response.StatusCode}");
        Assert.Equal($"“{Labels[field]}” is a yes-or-no choice: tick the box or leave it clear.", page.ErrorFor(field));
        var box = page.QuerySelector<IHtmlInputElement>($"input[type=checkbox][name='{field}']");
        Assert.Equal("true", box!.Value);
        Assert.Equal("Changed", page.ValueOf("Input.SenderName"));
        Assert.Equal(before.Version, (await app.WithDbAsync(db => db.MailServers.AsNoTracking().SingleAsync(s => s.Id == before.Id))).Version);
        Assert.DoesNotContain(Megabyte[..100], page.Source.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Megabyte[..100], app.Logs.All, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Input.IsDefault", "on")]
    [InlineData("Input.RequiresAuthentication", "yes")]
    [InlineData("Input.IsDefault", "megabyte")]
    public async Task A_checkbox_value_other_than_true_or_false_is_refused_beside_the_field_on_new(string field, string value)
    {
        var posted = value == "megabyte" ? Megabyte : value;
        var client = await app.CreateBrowserAsync();
        var name = $"New checkbox {Guid.NewGuid():N}";
        var form = await client.GetPageAsync("/MailServers/Create");

        using var response = await client.SubmitAsync(form, ServerForms.Basic(name).With(field, posted));
        var page = await response.ReadPageAsync();

        Assert.True((int)response.StatusCode < 500, $"answered {(int)response.StatusCode}");
        Assert.Equal($"“{Labels[field]}” is a yes-or-no choice: tick the box or leave it clear.", page.ErrorFor(field));
        Assert.Equal(name, page.ValueOf("Input.Name"));
        Assert.False(await app.WithDbAsync(db => db.MailServers.AnyAsync(s => s.Name == name)));
        Assert.DoesNotContain(Megabyte[..100], app.Logs.All, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    [InlineData("True", true)]
    public async Task True_and_false_still_bind(string posted, bool expected)
    {
        var client = await app.CreateBrowserAsync();
        var name = $"Still binds {Guid.NewGuid():N}";

        await client.CreateServerAsync(ServerForms.Basic(name).With("Input.RequiresAuthentication", posted));

        Assert.Equal(expected, await app.WithDbAsync(db => db.MailServers.Where(s => s.Name == name).Select(s => s.RequiresAuthentication).SingleAsync()));
    }
}
