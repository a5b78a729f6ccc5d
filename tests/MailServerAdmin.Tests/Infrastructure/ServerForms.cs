using System.Text.RegularExpressions;
using AngleSharp.Html.Dom;

namespace MailServerAdmin.Tests.Infrastructure;

/// <summary>Filled-in New/Edit forms and the clicks around them.</summary>
public static partial class ServerForms
{
    public static Dictionary<string, string?> Basic(string name, string? password = "Pa55word!") => new()
    {
        ["Input.Name"] = name,
        ["Input.Host"] = "smtp.example.com",
        ["Input.Port"] = "587",
        ["Input.Security"] = "StartTls",
        ["Input.UserName"] = "robot@example.com",
        ["Input.SenderEmail"] = "noreply@example.com",
        ["Input.SenderName"] = "Example Robot",
        ["Input.IsDefault"] = "false",
        ["Input.RequiresAuthentication"] = "true",
        ["Input.Login"] = "",
        ["Input.Password"] = password,
    };

    public static Dictionary<string, string?> With(this Dictionary<string, string?> values, string field, string? value)
    {
        values[field] = value;
        return values;
    }

    /// <summary>Opens New, submits it and returns the page shown after the redirect.</summary>
    public static async Task<IHtmlDocument> CreateServerAsync(this HttpClient client, Dictionary<string, string?> values)
    {
        var form = await client.GetPageAsync("/MailServers/Create");
        var result = await client.SubmitAndReadAsync(form, values);
        Assert.Equal("/MailServers", result.Location.PathName);
        return result;
    }

    /// <summary>The id of the server of that name, read from the list page's search.</summary>
    public static async Task<int> FindIdAsync(this HttpClient client, string name)
    {
        var list = await client.GetPageAsync($"/MailServers?q={Uri.EscapeDataString(name)}");
        var link = list.QuerySelectorAll<IHtmlAnchorElement>("tbody tr td:first-child a")
            .Single(a => a.TextContent.Trim() == name);
        return int.Parse(IdInPath().Match(link.PathName).Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"\d+$")]
    private static partial Regex IdInPath();
}
