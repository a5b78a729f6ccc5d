using System.Net;
using Microsoft.Identity.Client;

namespace MailServerAdmin.Tests.Infrastructure.OAuth;

/// <summary>
/// An <see cref="IMsalHttpClientFactory"/> that sends every MSAL request, whatever its scheme and host
/// (https://login.microsoftonline.com, a fake https authority, ...), to a local test server: scheme, host and port are
/// rewritten to <see cref="Target"/>, path and query are kept. The original host and scheme travel in
/// X-Forwarded-Host / X-Forwarded-Proto so the test server can build absolute URLs that MSAL accepts.
/// Every request is recorded (<see cref="Requests"/>, <see cref="RequestedUris"/>).
/// </summary>
/// <example>
/// <code>
/// using var routing = new MsalRoutingHttpClientFactory(provider.BaseUri);
/// var app = ConfidentialClientApplicationBuilder.Create(clientId)
///     .WithClientSecret(secret)
///     .WithAuthority("https://login.microsoftonline.com/" + tenantId + "/")
///     .WithHttpClientFactory(routing, retryOnceOn5xx: false)
///     .Build();
/// </code>
/// </example>
public sealed class MsalRoutingHttpClientFactory : IMsalHttpClientFactory, IDisposable
{
    private readonly HttpClient _client;
    private readonly LoopbackRoutingHandler _handler;

    /// <param name="target">Where requests go, e.g. <c>http://127.0.0.1:54321/</c>.</param>
    /// <param name="timeout">HttpClient timeout (fixed for the factory's lifetime). Default 30 s.</param>
    public MsalRoutingHttpClientFactory(Uri target, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        Target = target;
        _handler = new LoopbackRoutingHandler(target)
        {
            InnerHandler = new SocketsHttpHandler
            {
                // MSAL must see redirects itself (its own default factory does not follow them either).
                AllowAutoRedirect = false,
                UseCookies = false,
                AutomaticDecompression = DecompressionMethods.None,
            },
        };
        _client = new HttpClient(_handler, disposeHandler: true)
        {
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        };
        _client.DefaultRequestHeaders.ExpectContinue = false;
    }

    /// <summary>The local server all requests are routed to.</summary>
    public Uri Target { get; }

    /// <summary>Every request MSAL made, with its original and routed URI.</summary>
    public IReadOnlyList<RoutedRequest> Requests => _handler.Requests;

    /// <summary>The URIs MSAL asked for, as MSAL built them (before rewriting).</summary>
    public IReadOnlyList<Uri> RequestedUris => _handler.Requests.Select(r => r.OriginalUri).ToArray();

    /// <summary>Forgets the recorded requests.</summary>
    public void ClearRequests() => _handler.Clear();

    /// <inheritdoc />
    public HttpClient GetHttpClient() => _client;

    public void Dispose() => _client.Dispose();
}

/// <summary>
/// A <see cref="DelegatingHandler"/> that rewrites scheme/host/port of every request to a local target and keeps path
/// and query; usable under any HttpClient whose configured URLs must look like real https endpoints.
/// </summary>
public sealed class LoopbackRoutingHandler : DelegatingHandler
{
    private readonly object _gate = new();
    private readonly List<RoutedRequest> _requests = [];

    public LoopbackRoutingHandler(Uri target)
    {
        ArgumentNullException.ThrowIfNull(target);
        Target = target;
    }

    public Uri Target { get; }

    public IReadOnlyList<RoutedRequest> Requests
    {
        get { lock (_gate) { return _requests.ToArray(); } }
    }

    public void Clear()
    {
        lock (_gate) { _requests.Clear(); }
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var original = request.RequestUri ?? throw new InvalidOperationException("Request has no URI.");
        var routed = new UriBuilder(original) { Scheme = Target.Scheme, Host = Target.Host, Port = Target.Port }.Uri;

        lock (_gate)
        {
            _requests.Add(new RoutedRequest(request.Method.Method, original, routed, DateTimeOffset.UtcNow));
        }

        request.RequestUri = routed;
        request.Headers.Host = null;
        request.Headers.Remove("X-Forwarded-Host");
        request.Headers.Remove("X-Forwarded-Proto");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Host", original.Authority);
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", original.Scheme);
        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>A request seen by <see cref="LoopbackRoutingHandler"/>.</summary>
public sealed record RoutedRequest(string Method, Uri OriginalUri, Uri RoutedUri, DateTimeOffset SentAt);
