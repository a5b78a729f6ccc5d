using System.Collections.Concurrent;
using System.Globalization;
using MailServerAdmin.MailServers;
using MailServerAdmin.OAuth;
using MailServerAdmin.Resources;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Localization;

namespace MailServerAdmin.Web.Pages.MailServers;

public sealed class IndexModel(
    MailServerList list, MailServerStore store, CredentialExpiry expiry, TimeProvider time, IStringLocalizer<SharedResource> localizer, LinkGenerator links) : PageModel
{
    public const int PageSize = 25;

    public ServerListPage Servers { get; private set; } = null!;

    public string? Search { get; private set; }

    /// <summary>The name this page follows, as the request gave it.</summary>
    public string? After { get; private set; }

    /// <summary>The name this page precedes, as the request gave it.</summary>
    public string? Before { get; private set; }

    public DateTime Now { get; } = time.GetUtcNow().UtcDateTime;

    /// <summary>The texts the rows repeat, looked up once per language.</summary>
    public IndexTexts Texts { get; } = IndexTexts.For(localizer);

    /// <summary>Client secrets and certificates that expire within 30 days or have expired, by server.</summary>
    public ILookup<int, ExpiringCredential> Expiring { get; private set; } = Enumerable.Empty<ExpiringCredential>().ToLookup(c => c.ServerId);

    [TempData]
    public string? StatusMessage { get; set; }

    /// <summary>
    /// The list. <c>?after=NAME</c> and <c>?before=NAME</c> (a normalized name) are the pages right after and before that
    /// server, <c>p</c> then only their number; <c>?p=N</c> alone is page N. The id in the route is only for the buttons
    /// that act on one server.
    /// </summary>
    public async Task<IActionResult> OnGetAsync([FromRoute] int? id, string? q, int? p, string? after, string? before, CancellationToken ct = default)
    {
        if (id is not null)
        {
            return NotFound();
        }

        Search = string.IsNullOrWhiteSpace(q) ? null : q.Trim();
        After = NullIfEmpty(after);
        Before = After is null ? NullIfEmpty(before) : null;
        Servers = await list.GetAsync(new ServerListRequest(Search, p, After, Before, PageSize), ct);
        Expiring = (await expiry.ListAsync(ct: ct)).ToLookup(c => c.ServerId);
        return Page();
    }

    /// <summary>Make default: the server is the one in the route (<c>/MailServers/5?handler=MakeDefault</c>), never a posted value.</summary>
    public async Task<IActionResult> OnPostMakeDefaultAsync([FromRoute] int id, string? q, int? p, string? after, string? before, CancellationToken ct = default)
    {
        var change = await store.MakeDefaultAsync(id, ct);
        StatusMessage = change switch
        {
            null => localizer["Status_ServerGone"],
            { PreviousDefault: null } => localizer["Status_IsDefault", change.Name],
            _ => localizer["Status_NowDefault", change.Name, change.PreviousDefault],
        };
        // Back to the same page of the list: a link made from this request would keep the server's id in the path.
        return LocalRedirect(links.GetPathByPage("/MailServers/Index", handler: null, values: new { q, p, after, before }, pathBase: Request.PathBase)!);
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>
/// The list page's texts in one language: looked up once per language and kept, instead of 40 to 200 look-ups per
/// request (each takes the resource manager's lock, for which concurrent requests wait).
/// </summary>
public sealed class IndexTexts
{
    private static readonly ConcurrentDictionary<string, IndexTexts> ByCulture = new();

    /// <summary>The page's other texts, read with the indexer and <see cref="Format(string, object?[])"/>.</summary>
    private static readonly string[] Keys =
    [
        "Common_Actions", "Common_First", "Common_Last", "Common_Next", "Common_PageN", "Common_PageOf", "Common_Pages",
        "Common_Previous", "Servers_Column_Authentication", "Servers_Column_Name", "Servers_Column_Security",
        "Servers_Column_Sender", "Servers_Column_Server", "Servers_Empty_Create", "Servers_Empty_Text", "Servers_Empty_Title",
        "Servers_New", "Servers_NoMatch", "Servers_Search", "Servers_Search_Clear", "Servers_Search_Label",
        "Servers_Table_Caption", "Servers_Title", "Servers_Total", "Servers_TotalMore",
    ];

    private readonly Dictionary<string, string> _texts;

    private IndexTexts(IStringLocalizer localizer)
    {
        _texts = Keys.ToDictionary(k => k, k => localizer[k].Value, StringComparer.Ordinal);
        Edit = localizer["Common_Edit"];
        Delete = localizer["Common_Delete"];
        Test = localizer["Servers_Test"];
        MakeDefault = localizer["Servers_MakeDefault"];
        DefaultBadge = localizer["Servers_DefaultBadge"];
        AuthNone = localizer["Servers_Auth_None"];
        SecretsUnreadable = localizer["Servers_SecretsUnreadable"];
        EditLabel = localizer["Servers_Edit_Label"];
        TestLabel = localizer["Servers_Test_Label"];
        MakeDefaultLabel = localizer["Servers_MakeDefault_Label"];
        DeleteLabel = localizer["Servers_Delete_Label"];
        AuthBasic = localizer["Servers_Auth_Basic"];
        _security = Enum.GetValues<SmtpSecurity>().ToDictionary(s => s, s => MailServerDisplay.SecurityLabel(s, localizer));
        _oauth = Enum.GetValues<OAuthProvider>().ToDictionary(
            p => p, p => localizer["Servers_Auth_OAuth", (OAuthProviderDescriptor.Find(p) ?? OAuthProviderDescriptor.Manual).Label(localizer)].Value);
    }

    private readonly Dictionary<SmtpSecurity, string> _security;
    private readonly Dictionary<OAuthProvider, string> _oauth;

    public string Edit { get; }

    public string Delete { get; }

    public string Test { get; }

    public string MakeDefault { get; }

    public string DefaultBadge { get; }

    public string AuthNone { get; }

    public string SecretsUnreadable { get; }

    /// <summary>Formats with one argument, the server's name (or login for <see cref="AuthBasic"/>).</summary>
    public string EditLabel { get; }

    public string TestLabel { get; }

    public string MakeDefaultLabel { get; }

    public string DeleteLabel { get; }

    public string AuthBasic { get; }

    public static IndexTexts For(IStringLocalizer localizer) =>
        ByCulture.GetOrAdd(CultureInfo.CurrentUICulture.Name, _ => new IndexTexts(localizer));

    public string this[string key] => _texts[key];

    public string Format(string key, params object?[] args) => string.Format(CultureInfo.CurrentCulture, _texts[key], args);

    /// <summary>One of the row formats (<see cref="EditLabel"/> and the like) with its argument.</summary>
    public static string With(string format, string argument) => string.Format(CultureInfo.CurrentCulture, format, argument);

    public string Security(SmtpSecurity security) => _security.TryGetValue(security, out var label) ? label : security.ToString();

    public string OAuth(OAuthProvider? provider) => _oauth[provider ?? default];
}
