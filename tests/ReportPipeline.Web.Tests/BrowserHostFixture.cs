using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Development.Synthetic;
using ReportPipeline.LocalHost;

namespace ReportPipeline.Web.Tests;

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserHostFixture>
{
    public const string Name = "Browser and host";
}

/// <summary>
/// The real local host (Kestrel on a free port, embedded in-memory Azurite, sample city, the bundled web app from
/// web/dist) and Debian's Chromium driven by Playwright. No browser download: the system chromium is required.
/// </summary>
public sealed class BrowserHostFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    private static int s_nextPeriod;
    private LocalHostRuntime? _runtime;
    private IPlaywright? _playwright;

    public LocalHostRuntime Runtime => _runtime ?? throw new InvalidOperationException("Host not started.");

    public IBrowser Browser { get; private set; } = null!;

    public string BaseAddress { get; private set; } = "";

    public HttpClient Http { get; private set; } = null!;

    public OrgRegistry Orgs { get; private set; } = null!;

    public CatalogBundle Catalog => Runtime.Services.GetRequiredService<ReferenceData>().Catalog;

    /// <summary>TestResults/screenshots beside the test project (git-ignored), kept as CI artifacts.</summary>
    public static string ScreenshotFolder { get; } = Path.Combine(RepositoryRoot(), "tests", "ReportPipeline.Web.Tests", "TestResults", "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run does this.");
        }

        if (WebAppHosting.FindRoot(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build()) is null)
        {
            throw new InvalidOperationException("web/dist is missing: run bash scripts/bootstrap.sh to bundle the web app.");
        }

        var port = FreePort();
        BaseAddress = $"http://127.0.0.1:{port}";
        _runtime = await LocalHostRuntime.CreateAsync([], BaseAddress, runWorkers: false, minimumLevel: LogLevel.Warning);
        await _runtime.App.StartAsync();
        Http = new HttpClient { BaseAddress = new Uri(BaseAddress) };
        Orgs = await _runtime.Services.GetRequiredService<ReferenceData>().GetOrgsAsync(CancellationToken.None);

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        Http?.Dispose();
        if (_runtime is not null)
        {
            await _runtime.App.StopAsync();
            await _runtime.DisposeAsync();
        }
    }

    public static string UniqueMonth()
    {
        var n = Interlocked.Increment(ref s_nextPeriod);
        return $"{2050 + (n / 12)}-{(n % 12) + 1:00}";
    }

    public IReadOnlyList<Org> Villages() => [.. Orgs.All.Where(o => o.Level == OrgLevel.Village).OrderBy(o => o.Code, StringComparer.Ordinal)];

    public IReadOnlyList<Org> Townships() => [.. Orgs.All.Where(o => o.Level == OrgLevel.Township).OrderBy(o => o.Code, StringComparer.Ordinal)];

    public string Token(string org, params string[] roles) =>
        Runtime.Services.GetRequiredService<DevelopmentTokenIssuer>().Mint(org, roles.Length == 0 ? ["submitter"] : roles, null, TimeSpan.FromHours(1));

    /// <summary>Valid values a village would type: typed fields of the period's frequency.</summary>
    public Dictionary<string, string> TypedValues(Org village, string period, int seed)
    {
        var catalog = Catalog.Catalog;
        var parsed = Period.Parse(period);
        return SyntheticValues.Generate(catalog, village, parsed, seed)
            .Where(kv => catalog.Find(kv.Key) is { Source: FieldSource.Typed } f && f.Frequency == parsed.Kind)
            .ToDictionary(kv => kv.Key, kv => kv.Value);
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await Http.SendAsync(request);
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>A page at the given width, on a fresh context (its own sessionStorage), opened at the app.</summary>
    public async Task<IPage> OpenAsync(int width)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = width < 600 ? 812 : 900 },
            Locale = "zh-CN",
            AcceptDownloads = true,
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync(BaseAddress + "/");
        return page;
    }

    public static async Task<string> ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(ScreenshotFolder, $"{name}-{page.ViewportSize!.Width}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = false });
        return path;
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ReportPipeline.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
