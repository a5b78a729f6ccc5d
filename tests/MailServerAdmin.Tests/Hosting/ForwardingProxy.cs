using System.Net;
using System.Security.Cryptography.X509Certificates;
using MailServerAdmin.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;

namespace MailServerAdmin.Tests.Hosting;

/// <summary>
/// A reverse proxy that ends TLS, as nginx or a load balancer does: YARP on https://127.0.0.1 with a test certificate,
/// passing requests over plain HTTP to the app instances with <c>X-Forwarded-For</c>, <c>-Proto</c> and <c>-Host</c>.
/// Requests go round-robin over the instances; a request with <see cref="InstanceHeader"/> = <c>i</c> goes to instance i.
/// </summary>
public sealed class ForwardingProxy : IAsyncDisposable
{
    public const string InstanceHeader = "X-Test-Instance";

    private readonly WebApplication _app;

    private ForwardingProxy(WebApplication app, Uri address, X509Certificate2 certificate)
    {
        _app = app;
        Address = address;
        Certificate = certificate;
    }

    /// <summary>The public address, https://127.0.0.1:port/.</summary>
    public Uri Address { get; }

    public X509Certificate2 Certificate { get; }

    public static async Task<ForwardingProxy> StartAsync(X509Certificate2 certificate, params Uri[] instances)
    {
        ArgumentNullException.ThrowIfNull(instances);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        var routes = new List<RouteConfig>
        {
            new() { RouteId = "all", ClusterId = "all", Order = 10, Match = new RouteMatch { Path = "{**path}" } },
        };
        var clusters = new List<ClusterConfig>
        {
            new()
            {
                ClusterId = "all",
                LoadBalancingPolicy = "RoundRobin",
                Destinations = instances.Select((uri, i) => (uri, i)).ToDictionary(d => $"i{d.i}", d => new DestinationConfig { Address = d.uri.ToString() }),
            },
        };
        for (var i = 0; i < instances.Length; i++)
        {
            routes.Add(new RouteConfig
            {
                RouteId = $"i{i}",
                ClusterId = $"i{i}",
                Order = 1,
                Match = new RouteMatch
                {
                    Path = "{**path}",
                    Headers = [new RouteHeader { Name = InstanceHeader, Values = [$"{i}"], Mode = HeaderMatchMode.ExactHeader }],
                },
            });
            clusters.Add(new ClusterConfig
            {
                ClusterId = $"i{i}",
                Destinations = new Dictionary<string, DestinationConfig> { [$"i{i}"] = new() { Address = instances[i].ToString() } },
            });
        }

        builder.Services.AddReverseProxy().LoadFromMemory(routes, clusters);
        var app = builder.Build();
        app.MapReverseProxy();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new ForwardingProxy(app, new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal)), certificate);
    }

    /// <summary>
    /// A browser of its own (cookies, no automatic redirects: the test helpers follow them) that trusts the proxy's
    /// certificate; with <paramref name="instance"/>, every request goes to that instance.
    /// </summary>
    public HttpClient CreateBrowser(int? instance = null) => CreateBrowser(new CookieContainer(), instance);

    /// <summary>A browser that shares <paramref name="cookies"/> with others (the same person, through any instance).</summary>
    public HttpClient CreateBrowser(CookieContainer cookies, int? instance = null)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            CookieContainer = cookies,
            UseCookies = true,
            SslOptions = { RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == Certificate.GetCertHashString() },
        };
        var client = new HttpClient(handler, disposeHandler: true) { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(2) };
        if (instance is { } i)
        {
            client.DefaultRequestHeaders.Add(InstanceHeader, $"{i}");
        }

        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Runs an app factory on a real Kestrel port on 127.0.0.1, as the proxy reaches it.</summary>
public static class LiveInstance
{
    public static Uri Start(AppFactory app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        app.StartServer();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address);
    }
}
