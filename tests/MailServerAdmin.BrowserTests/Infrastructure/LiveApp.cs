using Deque.AxeCore.Playwright;
using MailServerAdmin.Tests.Infrastructure;
using MailServerAdmin.Tests.Infrastructure.OAuth;
using MailServerAdmin.Tests.Infrastructure.Smtp;
using MailServerAdmin.Sending;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace MailServerAdmin.BrowserTests.Infrastructure;

/// <summary>
/// The app on a real Kestrel port with its own SQLite file, the test OAuth provider and the test SMTP peer, all on
/// 127.0.0.1, and headless Chromium driven by Playwright.
/// </summary>
public sealed class LiveApp : IAsyncLifetime
{
    public const string AdminEmail = "admin@example.com";
    public const string AdminPassword = "correct-horse-battery";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public AppFactory App { get; private set; } = null!;

    public TestOAuthProvider Provider { get; private set; } = null!;

    public SmtpTestPeer? Peer { get; private set; }

    public Uri BaseUri { get; private set; } = null!;

    /// <summary>Where screenshots are kept, with the test output.</summary>
    public static string ScreenshotDirectory { get; } =
        Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    public async Task InitializeAsync()
    {
        if (!Chromium.IsAvailable)
        {
            return;
        }

        Provider = await TestOAuthProvider.StartAsync(o => o.AlwaysIssueIdToken = true);
        if (SmtpTestPeer.IsAvailable)
        {
            Peer = await SmtpTestPeer.StartAsync(new SmtpTestPeerOptions { Tls = SmtpPeerTls.StartTls });
        }

        App = new AppFactory
        {
            EnvironmentName = "Development",
            OAuthProviderUri = Provider.BaseUri,
            OAuthTimeoutSeconds = 5,
            Settings = new Dictionary<string, string?> { ["Smtp:TimeoutSeconds"] = "5" },
            ExtraServices = services =>
            {
                if (Peer is not null)
                {
                    services.AddSingleton<ServerCertificateValidation>(Peer.ValidateServerCertificate);
                }
            },
        };
        App.UseKestrel(0);
        App.StartServer();
        var address = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUri = new Uri(address.Replace("localhost", "127.0.0.1", StringComparison.Ordinal));

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium.ExecutablePath,
            Headless = true,
            Args = Chromium.Arguments,
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        App?.Dispose();
        if (Peer is not null)
        {
            await Peer.DisposeAsync();
        }

        if (Provider is not null)
        {
            await Provider.DisposeAsync();
        }
    }

    /// <summary>Another app on its own port and its own, empty database (no administrator yet).</summary>
    public static (AppFactory App, Uri BaseUri) StartEmptyApp()
    {
        var app = new AppFactory { EnvironmentName = "Development" };
        app.UseKestrel(0);
        app.StartServer();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address.Replace("localhost", "127.0.0.1", StringComparison.Ordinal)));
    }

    /// <summary>A fresh browser context (its own cookies) and page, in the given language.</summary>
    public async Task<IPage> NewPageAsync(string locale = "en-US", Uri? baseUri = null)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = (baseUri ?? BaseUri).ToString(),
            Locale = locale,
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        context.SetDefaultTimeout(15_000);

        // Microsoft's sign-in lives at https://login.microsoftonline.com, which MSAL insists on: the browser's requests
        // there are answered by the local test provider.
        await context.RouteAsync("https://login.microsoftonline.com/**", async route =>
        {
            using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
            var local = Provider.ToLocalUri(new Uri(route.Request.Url));
            using var response = await http.GetAsync(local);
            await route.FulfillAsync(new RouteFulfillOptions
            {
                Status = (int)response.StatusCode,
                Headers = response.Headers.Location is { } location
                    ? new Dictionary<string, string> { ["Location"] = location.ToString() }
                    : new Dictionary<string, string>(),
                Body = await response.Content.ReadAsStringAsync(),
            });
        });
        return await context.NewPageAsync();
    }

    /// <summary>Signs in through the sign-in page (the administrator is created first, once).</summary>
    public async Task<IPage> SignedInPageAsync(string locale = "en-US")
    {
        await App.EnsureAdministratorAsync(AdminEmail, AdminPassword);
        var page = await NewPageAsync(locale);
        await page.GotoAsync("/Account/Login");
        await page.FillAsync("#Input_Email", AdminEmail);
        await page.FillAsync("#Input_Password", AdminPassword);
        await page.ClickAsync("main button[type=submit]");
        await page.WaitForURLAsync("**/MailServers");
        return page;
    }

    /// <summary>Keeps a full-page screenshot with the test output.</summary>
    public static async Task ScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotDirectory, $"{name}.png"), FullPage = true });

    /// <summary>No serious or critical accessibility violation on the page as it is now.</summary>
    public static async Task AssertAccessibleAsync(IPage page)
    {
        var result = await page.RunAxe();
        // Every level counts: critical, serious, moderate and minor.
        var violations = result.Violations.ToList();
        Assert.True(violations.Count == 0, $"{page.Url}: " + string.Join("\n", violations.Select(v =>
            $"{v.Impact} {v.Id}: {v.Help} — {string.Join(" | ", v.Nodes.Select(n => n.Html))}")));
    }
}

[CollectionDefinition(Name)]
public sealed class LiveAppGroup : ICollectionFixture<LiveApp>
{
    public const string Name = "Live app";
}
