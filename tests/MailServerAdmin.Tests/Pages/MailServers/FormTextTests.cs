using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Tests.Infrastructure.OAuth;

namespace MailServerAdmin.Tests.Pages.MailServers;

/// <summary>What the form says agrees with what it does.</summary>
public sealed class FormTextTests(OAuthFixture oauth) : IClassFixture<OAuthFixture>
{
    [Fact]
    public async Task While_no_server_is_the_default_the_new_form_ticks_default_and_says_why()
    {
        using var app = new AppFactory();
        var client = await app.CreateBrowserAsync();

        var first = await client.GetPageAsync("/MailServers/Create");
        Assert.NotNull(first.QuerySelector("[data-testid=will-be-default]"));
        Assert.Equal("true", first.ValueOf("Input.IsDefault"));

        await client.SubmitAndReadAsync(first, ServerForms.Basic("First"));
        var second = await client.GetPageAsync("/MailServers/Create");
        Assert.Null(second.QuerySelector("[data-testid=will-be-default]"));
        Assert.Equal("false", second.ValueOf("Input.IsDefault"));
    }

    [Fact]
    public async Task After_a_refused_save_pasted_tokens_are_not_said_to_be_kept()
    {
        var client = await oauth.App.CreateBrowserAsync();
        var form = await client.GetPageAsync("/MailServers/Create");

        // Refused for another field: the pasted tokens are not echoed back, so nothing says they are kept.
        var refused = await client.SubmitAndReadAsync(form, ServerForms.Basic($"Pasted {Guid.NewGuid():N}", password: null)
            .With("Input.AuthenticationType", "OAuth")
            .With("Input.Provider", "Manual")
            .With("Input.ClientId", "client")
            .With("Input.TokenUrl", "https://idp.example.net/token")
            .With("Input.Port", "0")
            .With("Input.AccessToken", "pasted-access")
            .With("Input.RefreshToken", "pasted-refresh"));

        Assert.NotEqual("", refused.ErrorFor("Input.Port"));
        Assert.NotNull(refused.QuerySelector("[data-testid=retype-tokens]"));
        Assert.Equal("", refused.QuerySelector("[name='Input.AccessToken']")!.GetAttribute("placeholder"));
        Assert.Equal("", refused.QuerySelector("[name='Input.RefreshToken']")!.GetAttribute("placeholder"));
        Assert.DoesNotContain("pasted-access", refused.Source.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_manual_configuration_the_token_hint_mentions_pasting()
    {
        var client = await oauth.App.CreateBrowserAsync();
        var form = await client.GetPageAsync("/MailServers/Create");

        var hints = form.QuerySelectorAll("[data-testid=get-token] ~ [data-show-provider]").ToDictionary(e => e.GetAttribute("data-show-provider")!, e => e.TextContent);

        Assert.Contains("paste", hints["Manual"], StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("paste", hints["Google"], StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Form_headings_do_not_skip_a_level()
    {
        var client = await oauth.App.CreateBrowserAsync();
        var form = await client.GetPageAsync("/MailServers/Create");

        var levels = form.QuerySelectorAll("main h1, main h2, main h3, main h4, main h5, main h6").Select(h => h.LocalName[1] - '0').ToList();

        Assert.Equal(1, levels[0]);
        Assert.All(levels.Zip(levels.Skip(1)), pair => Assert.True(pair.Second <= pair.First + 1, $"h{pair.First} then h{pair.Second}"));
    }
}
