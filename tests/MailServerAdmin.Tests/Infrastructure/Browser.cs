using AngleSharp;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace MailServerAdmin.Tests.Infrastructure;

/// <summary>
/// Reads pages and submits their forms the way a browser does: every field the form holds is posted with its
/// current value (the antiforgery token included), and the test only changes the fields it names.
/// </summary>
public static class Browser
{
    private static readonly HtmlParser Parser = new();

    public static async Task<IHtmlDocument> GetPageAsync(this HttpClient client, string url)
    {
        using var response = await client.FollowAsync(await client.GetAsync(new Uri(url, UriKind.RelativeOrAbsolute)));
        Assert.True(response.IsSuccessStatusCode, $"GET {url} answered {(int)response.StatusCode}");
        return await response.ReadPageAsync();
    }

    public static async Task<IHtmlDocument> ReadPageAsync(this HttpResponseMessage response)
    {
        var html = await response.Content.ReadAsStringAsync();
        var config = Configuration.Default;
        var context = BrowsingContext.New(config);
        var document = await context.OpenAsync(r => r.Content(html).Address(response.RequestMessage!.RequestUri!));
        return (IHtmlDocument)document;
    }

    /// <summary>
    /// Follows redirects within this app (a client that does not follow them itself); stops at a redirect to
    /// another site and returns it.
    /// </summary>
    public static async Task<HttpResponseMessage> FollowAsync(this HttpClient client, HttpResponseMessage response)
    {
        for (var hops = 0; hops < 10; hops++)
        {
            if ((int)response.StatusCode is < 300 or > 399 || response.Headers.Location is not { } location)
            {
                return response;
            }

            var target = location.IsAbsoluteUri ? location : new Uri(response.RequestMessage!.RequestUri!, location);
            if (target.Host != response.RequestMessage!.RequestUri!.Host)
            {
                return response;
            }

            response.Dispose();
            response = await client.GetAsync(target);
        }

        return response;
    }

    /// <summary>Posts the form found by <paramref name="formSelector"/>; a null value removes that field.</summary>
    public static async Task<HttpResponseMessage> SubmitAsync(
        this HttpClient client, IHtmlDocument page, IReadOnlyDictionary<string, string?>? values = null, string formSelector = "main form[method=post]",
        string? button = null)
    {
        var (action, fields) = Prepare(page, values, formSelector, button);
        using var content = new FormUrlEncodedContent(fields);
        return await client.PostAsync(action, content);
    }

    /// <summary>
    /// Posts the form as <c>multipart/form-data</c>, as a browser does for a form with file inputs: every field (the
    /// antiforgery token included) as a part, and <paramref name="files"/> (field name → file name and bytes) as file parts.
    /// </summary>
    public static async Task<HttpResponseMessage> SubmitMultipartAsync(
        this HttpClient client, IHtmlDocument page, IReadOnlyDictionary<string, string?>? values = null,
        IReadOnlyDictionary<string, (string FileName, byte[] Bytes)>? files = null, string formSelector = "main form[method=post]", string? button = null)
    {
        var (action, fields) = Prepare(page, values, formSelector, button);
        var form = (button is null ? page.QuerySelector<IHtmlFormElement>(formSelector) : page.QuerySelector<IHtmlButtonElement>(button)?.Form)!;
        Assert.Equal("multipart/form-data", form.GetAttribute("enctype"));
        using var content = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
        {
            content.Add(new StringContent(value), name);
        }

        foreach (var (name, (fileName, bytes)) in files ?? new Dictionary<string, (string, byte[])>())
        {
            var part = new ByteArrayContent(bytes);
            part.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
            content.Add(part, name, fileName);
        }

        return await client.PostAsync(action, content);
    }

    public static async Task<IHtmlDocument> SubmitMultipartAndReadAsync(
        this HttpClient client, IHtmlDocument page, IReadOnlyDictionary<string, string?>? values = null,
        IReadOnlyDictionary<string, (string FileName, byte[] Bytes)>? files = null, string formSelector = "main form[method=post]", string? button = null)
    {
        using var response = await client.FollowAsync(await client.SubmitMultipartAsync(page, values, files, formSelector, button));
        Assert.True(response.IsSuccessStatusCode, $"POST answered {(int)response.StatusCode}");
        return await response.ReadPageAsync();
    }

    /// <summary>Where the form posts to (a button's formaction wins), and every field it holds with the test's changes.</summary>
    private static (Uri Action, List<KeyValuePair<string, string>> Fields) Prepare(
        IHtmlDocument page, IReadOnlyDictionary<string, string?>? values, string formSelector, string? button)
    {
        // With a button, its own form is submitted, as in a browser.
        var form = (button is null ? page.QuerySelector<IHtmlFormElement>(formSelector) : page.QuerySelector<IHtmlButtonElement>(button)?.Form)
            ?? throw new InvalidOperationException($"No form '{button ?? formSelector}' on {page.Url}");
        var fields = FieldsOf(form);
        foreach (var (name, value) in values ?? new Dictionary<string, string?>())
        {
            fields.RemoveAll(f => f.Key == name);
            if (value is not null)
            {
                fields.Add(new(name, value));
            }
        }

        // A submit button's formaction wins over the form's action, as in a browser.
        var formAction = button is null ? null : page.QuerySelector(button)?.GetAttribute("formaction")
            ?? throw new InvalidOperationException($"No button '{button}' with a formaction on {page.Url}");
        var action = new Uri(new Uri(page.Url), formAction ?? form.GetAttribute("action") ?? "");
        return (action, fields);
    }

    public static async Task<IHtmlDocument> SubmitAndReadAsync(
        this HttpClient client, IHtmlDocument page, IReadOnlyDictionary<string, string?>? values = null, string formSelector = "main form[method=post]",
        string? button = null)
    {
        using var response = await client.FollowAsync(await client.SubmitAsync(page, values, formSelector, button));
        Assert.True(response.IsSuccessStatusCode, $"POST answered {(int)response.StatusCode}");
        return await response.ReadPageAsync();
    }

    /// <summary>The validation message shown beside a field, or "" when there is none.</summary>
    public static string ErrorFor(this IHtmlDocument page, string field) =>
        page.QuerySelector($"[data-valmsg-for='{field}']")?.TextContent.Trim() ?? "";

    public static string? ValueOf(this IHtmlDocument page, string field) =>
        page.QuerySelector($"[name='{field}']") switch
        {
            IHtmlInputElement { Type: "checkbox" } box => box.IsChecked ? "true" : "false",
            IHtmlInputElement input => input.GetAttribute("value"),
            IHtmlSelectElement select => select.Value,
            IHtmlTextAreaElement area => area.Value,
            _ => null,
        };

    public static string StatusMessage(this IHtmlDocument page) =>
        page.QuerySelector(".alert-success[role=status]")?.TextContent.Trim() ?? "";

    public static string ValidationSummary(this IHtmlDocument page) =>
        page.QuerySelector(".validation-summary-errors")?.TextContent.Trim() ?? "";

    private static List<KeyValuePair<string, string>> FieldsOf(IHtmlFormElement form)
    {
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var element in form.Elements)
        {
            switch (element)
            {
                case IHtmlInputElement input when !string.IsNullOrEmpty(input.Name) && !input.IsDisabled:
                    if (input.Type is "submit" or "button" or "image" or "file" or "reset")
                    {
                        break;
                    }

                    if (input.Type is "checkbox" or "radio" && !input.IsChecked)
                    {
                        break;
                    }

                    // Password inputs never carry a value from the server, so an empty one posts "".
                    fields.Add(new(input.Name, input.Type is "checkbox" or "radio" ? input.Value : input.GetAttribute("value") ?? ""));
                    break;
                case IHtmlSelectElement select when !string.IsNullOrEmpty(select.Name):
                    fields.Add(new(select.Name, select.Value ?? ""));
                    break;
                case IHtmlTextAreaElement area when !string.IsNullOrEmpty(area.Name):
                    fields.Add(new(area.Name, area.Value));
                    break;
            }
        }

        return fields;
    }
}
