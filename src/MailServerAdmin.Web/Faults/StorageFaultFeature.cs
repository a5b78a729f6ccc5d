namespace MailServerAdmin.Web.Faults;

/// <summary>
/// Set on a request that met a storage fault: what happened, what to tell the administrator, and where to try again.
/// The fault is logged once, when it is first recorded, with the provider's code and without any form value.
/// </summary>
public sealed partial class StorageFaultFeature
{
    private StorageFaultFeature(StorageFault fault, bool writing, string retryUrl)
    {
        Fault = fault;
        Writing = writing;
        RetryUrl = retryUrl;
    }

    public StorageFault Fault { get; }

    /// <summary>The request meant to change something (a POST): the message says that nothing was saved.</summary>
    public bool Writing { get; }

    /// <summary>The page the administrator was on, without its query string.</summary>
    public string RetryUrl { get; }

    /// <summary>The request's fault: recorded and logged the first time it is met, the same one afterwards.</summary>
    public static StorageFaultFeature Record(HttpContext context, StorageFault fault, ILogger logger)
    {
        if (context.Features.Get<StorageFaultFeature>() is { } known)
        {
            return known;
        }

        var request = context.Request;
        var writing = !HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method);
        // The page without its query string, which can carry what must not be echoed (an authorization code), and only
        // a path within the app: "//host" would lead the browser elsewhere.
        var path = request.PathBase.Add(request.Path).ToUriComponent();
        var retry = path.StartsWith('/') && !path.StartsWith("//", StringComparison.Ordinal) ? path : "/";
        var feature = new StorageFaultFeature(fault, writing, retry);
        context.Features.Set(feature);

        // The query string is left out: it can hold a search the administrator typed, or an authorization code.
        LogFault(logger, fault.Kind == StorageFaultKind.Busy ? LogLevel.Warning : LogLevel.Error,
            request.Method, request.Path.Value ?? "", fault.Kind, fault.Code, fault.Detail);
        return feature;
    }

    /// <summary>The resource key of the message; <paramref name="inputKept"/> when the form is shown again below it.</summary>
    public string MessageKey(bool inputKept) => (Fault.Kind, Writing, inputKept) switch
    {
        (StorageFaultKind.Busy, _, true) => "Storage_Busy_Form",
        (StorageFaultKind.Busy, _, false) => "Storage_Busy",
        (StorageFaultKind.Unavailable, false, _) => "Storage_NotRead",
        (StorageFaultKind.Unavailable, true, true) => "Storage_Unavailable_Form",
        (StorageFaultKind.Unavailable, true, false) => "Storage_Unavailable",
        (_, _, true) => "Storage_NotSaved_Form",
        _ => "Storage_NotSaved",
    };

    [LoggerMessage(EventId = 1, EventName = "StorageFault",
        Message = "The database could not serve {Method} {Path} ({Kind}, {Code}): {Detail} The administrator was answered 503.")]
    private static partial void LogFault(ILogger logger, LogLevel level, string method, string path, StorageFaultKind kind, string code, string detail);
}
