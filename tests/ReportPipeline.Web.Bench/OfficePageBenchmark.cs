using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.LocalHost;
using ReportPipeline.LocalHost.Commands;
using Spectre.Console;

namespace ReportPipeline.Web.Bench;

/// <summary>
/// What the office page costs in a browser at each level. Prepares the city as <c>bench --reads</c> does
/// (<see cref="ReportedCity"/>: every village reported, the month consolidated), serves the web app and the API from the
/// local host (Kestrel on a free port), signs in through the development sign-in page as the admin of the city, of its
/// first district and of that district's first township, and times fresh loads of the office page in Debian's chromium
/// (each load in a browser context of its own: empty HTTP cache, no service worker — a first visit):
/// <list type="bullet">
/// <item>the first cards (应报/已报/未报/迟报), every section loaded (no placeholder left), and the page then: elements,
/// height, the largest select's options, the largest text box, the API's bytes (decoded) and the bytes transferred;</item>
/// <item>interactive: on another load, the first drill-down (a child's 查看; a township's village's 修改记录) clicked by
/// the page's probe as soon as it is on the page, until its answer is drawn — measured from navigation start.</item>
/// </list>
/// Reports the medians, the city ÷ township ratios and the goal (interactive and every section within 3 s at every level).
/// </summary>
public static class OfficePageBenchmark
{
    private const string Chromium = "/usr/bin/chromium";
    private const double GoalMs = 3000;

    /// <summary>
    /// Installed before the app's script: marks, from navigation start, when the cards appear, when no section is loading
    /// any more, and when a drill-down clicked is drawn (a child's level with its rows, or a village's history dialog).
    /// </summary>
    private const string Probe = """
        (() => {
          const marks = window.__bench = { cards: null, settled: null, clicked: null, drilled: null };
          const drilledNow = () => {
            const dialog = document.querySelector('#history');
            if (dialog) return !dialog.querySelector('.loading') && !!dialog.querySelector('table, p.muted, .notice');
            return !!document.querySelector('#drill-up') && !document.querySelector('#status-section .loading')
              && !!document.querySelector('#children tbody tr, #units tbody tr');
          };
          let clicking = false;
          const check = () => {
            const now = performance.now();
            if (marks.cards === null && document.querySelector('section.cards')) marks.cards = now;
            if (marks.cards !== null && marks.settled === null && !document.querySelector('#app .loading')) marks.settled = now;
            if (marks.clicked !== null && marks.drilled === null && drilledNow()) marks.drilled = now;
            // Asked to drill down: the button is clicked as soon as it is on the page (in a task of its own, after the
            // rendering that drew it), as a person who waits for it would, without the automation's own latency.
            const drill = window.__drill && !clicking && document.querySelector(window.__drill);
            if (drill) { clicking = true; setTimeout(() => drill.click(), 0); }
          };
          document.addEventListener('click', e => {
            if (marks.clicked === null && e.target instanceof Element && e.target.closest('button.drill, button.history')) marks.clicked = performance.now();
          }, true);
          new MutationObserver(check).observe(document, { childList: true, subtree: true });
        })();
        """;

    /// <summary>The page at rest, after every section has loaded.</summary>
    private const string Snapshot = """
        () => {
          let nodes = 0;
          const walker = document.createTreeWalker(document, NodeFilter.SHOW_ALL);
          while (walker.nextNode()) nodes++;
          const encoder = new TextEncoder();
          const resources = performance.getEntriesByType('resource');
          const api = resources.filter(e => new URL(e.name).pathname.startsWith('/api/'));
          const sum = (list, key) => list.reduce((n, e) => n + (e[key] || 0), 0);
          return {
            cards: window.__bench.cards, settled: window.__bench.settled,
            elements: document.getElementsByTagName('*').length, nodes,
            height: document.documentElement.scrollHeight,
            options: Math.max(0, ...[...document.querySelectorAll('select')].map(s => s.options.length)),
            box: Math.max(0, ...[...document.querySelectorAll('textarea')].map(t => encoder.encode(t.value).length)),
            apiRequests: api.length, apiBytes: sum(api, 'decodedBodySize'),
            slowest: api.map(e => ({ route: new URL(e.name).pathname.split('/').slice(4, 5).join('') || new URL(e.name).pathname, ms: e.responseEnd - e.startTime }))
              .sort((a, b) => b.ms - a.ms).slice(0, 1).map(e => `${e.route} ${Math.round(e.ms)}`).join(''),
            transferred: sum(performance.getEntriesByType('navigation'), 'transferSize') + sum(resources, 'transferSize'),
          };
        }
        """;

    /// <summary>What <see cref="Snapshot"/> answers (Playwright fills a class with settable properties).</summary>
    private sealed class Load
    {
        public double Cards { get; set; }

        public double Settled { get; set; }

        public int Elements { get; set; }

        public int Nodes { get; set; }

        public int Height { get; set; }

        public int Options { get; set; }

        public int Box { get; set; }

        public int ApiRequests { get; set; }

        public long ApiBytes { get; set; }

        public long Transferred { get; set; }

        /// <summary>The API route that took longest from request to last byte, and its ms.</summary>
        public string Slowest { get; set; } = "";
    }

    /// <summary>The probe's marks, in ms from navigation start.</summary>
    private sealed class Marks
    {
        public double? Cards { get; set; }

        public double? Settled { get; set; }

        public double? Clicked { get; set; }

        public double? Drilled { get; set; }
    }

    private sealed record Level(Org Org, double Cards, double Settled, double Interactive, double Drill, Load Page);

    public static async Task<int> RunAsync(int districts, int townships, int villages, int repeats, CancellationToken ct)
    {
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = 200;
        }

        if (!File.Exists(Chromium))
        {
            AnsiConsole.MarkupLine($"[red]{Chromium} 不存在：请安装 Debian 的 chromium（apt-get install -y chromium）。[/]");
            return 2;
        }

        if (WebAppHosting.FindRoot(new ConfigurationBuilder().Build()) is null)
        {
            AnsiConsole.MarkupLine("[red]web/dist 不存在：请先在仓库根目录运行 bash scripts/bootstrap.sh 构建网页。[/]");
            return 2;
        }

        var url = $"http://127.0.0.1:{ReportedCity.FreePort()}";
        await using var runtime = await LocalHostRuntime.CreateAsync([], url, runWorkers: false, minimumLevel: LogLevel.Warning, cancellationToken: ct);
        await runtime.App.StartAsync(ct);
        var month = ReportedCity.MonthOf(runtime.Services);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]网页办公页面[/]：{districts} 个区县 × {townships} 个乡镇 × {villages} 个村，统计期 {month}，每级每项 {repeats} 次取中位数，chromium 1280×900，每次新开浏览器上下文（空缓存、不用 service worker）；存储：{(runtime.UsesEmbeddedStorage ? "内嵌 Azurite（内存）" : "已配置的 ReportStorage")}；负载 {ReportedCity.LoadAverage()}"));
        var city = await ReportedCity.PrepareAsync(runtime.Services, districts, townships, villages, ct);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });

        var levels = new List<Level>();
        foreach (var org in new[] { city.City, city.District, city.Township })
        {
            levels.Add(await MeasureAsync(browser, url, org, month.ToString(), repeats));
        }

        return Print(levels, city, districts, townships, villages);
    }

    private static async Task<Level> MeasureAsync(IBrowser browser, string url, Org org, string period, int repeats)
    {
        // Signed in once through the development sign-in page; each timed load then opens the office page in a browser
        // context of its own (empty HTTP cache, no service worker) with that session in the tab, as on a first visit.
        string session;
        await using (var signIn = await NewContextAsync(browser, null))
        {
            var page = await signIn.NewPageAsync();
            await page.GotoAsync(url + "/");
            await page.FillAsync("#org-search", org.Code);
            await page.ClickAsync($"#org-results button[data-code='{org.Code}']");
            await page.SelectOptionAsync("#role", "admin");
            await page.FillAsync("#period", period);
            await page.ClickAsync("#signin");
            await page.WaitForFunctionAsync("() => window.__bench.settled !== null");
            session = await page.EvaluateAsync<string>("() => sessionStorage.getItem('rp.session')");
        }

        // The drill-down: a child's 查看 where the office has children, else a village's 修改记录.
        var drill = org.Level == OrgLevel.Township ? "#units button.history" : "#children button.drill";
        var loads = new List<Load>();
        var interactive = new List<(double At, double Drill)>();
        for (var i = 0; i < repeats; i++)
        {
            await using (var context = await NewContextAsync(browser, session))
            {
                var page = await context.NewPageAsync();
                await page.GotoAsync(url + "/#/office");
                await page.WaitForFunctionAsync("() => window.__bench.settled !== null");
                loads.Add(await page.EvaluateAsync<Load>(Snapshot));
            }

            await using (var context = await NewContextAsync(browser, session, drill))
            {
                var page = await context.NewPageAsync();
                await page.GotoAsync(url + "/#/office");
                await page.WaitForFunctionAsync("() => window.__bench.drilled !== null");
                var marks = await page.EvaluateAsync<Marks>("() => window.__bench");
                interactive.Add((marks.Drilled ?? double.NaN, (marks.Drilled ?? double.NaN) - (marks.Clicked ?? double.NaN)));
            }
        }

        return new Level(org, Median(loads.Select(l => l.Cards)), Median(loads.Select(l => l.Settled)),
            Median(interactive.Select(x => x.At)), Median(interactive.Select(x => x.Drill)), loads[^1]);
    }

    /// <summary>
    /// A fresh context with the probe installed and, when given, the signed-in session put in the tab first and the
    /// drill-down button the probe clicks as soon as it appears.
    /// </summary>
    private static async Task<IBrowserContext> NewContextAsync(IBrowser browser, string? session, string? drill = null)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            Locale = "zh-CN",
            ServiceWorkers = ServiceWorkerPolicy.Block,
        });
        context.SetDefaultTimeout(300_000);
        if (session is not null)
        {
            await context.AddInitScriptAsync($"try {{ sessionStorage.setItem('rp.session', {JsonSerializer.Serialize(session)}); }} catch {{ }}");
        }

        if (drill is not null)
        {
            await context.AddInitScriptAsync($"window.__drill = {JsonSerializer.Serialize(drill)};");
        }

        await context.AddInitScriptAsync(Probe);
        return context;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }

    private static int Print(IReadOnlyList<Level> levels, ReportedCity city, int districts, int townships, int villages)
    {
        var table = new Table().AddColumns("级别", "首批卡片 ms", "全部加载 ms", "可交互 ms", "下钻 ms", "元素", "节点", "页面高 px", "最大下拉 项", "最大文本框 B", "API 请求", "API 字节", "传输字节", "最慢请求 ms", "目标 ≤ 3 s");
        foreach (var l in levels)
        {
            var met = l.Cards <= GoalMs && l.Settled <= GoalMs && l.Interactive <= GoalMs;
            table.AddRow(
                Markup.Escape($"{LevelName(l.Org.Level)} {l.Org.Name}"),
                Ms(l.Cards), Ms(l.Settled), Ms(l.Interactive), Ms(l.Drill),
                N(l.Page.Elements), N(l.Page.Nodes), N(l.Page.Height), N(l.Page.Options), N(l.Page.Box),
                N(l.Page.ApiRequests), N(l.Page.ApiBytes), N(l.Page.Transferred), Markup.Escape(l.Page.Slowest),
                met ? "[green]达标[/]" : "[red]未达标[/]");
        }

        var (c, t) = (levels[0], levels[^1]);
        table.AddRow("市 ÷ 乡镇",
            Ratio(c.Cards, t.Cards), Ratio(c.Settled, t.Settled), Ratio(c.Interactive, t.Interactive), Ratio(c.Drill, t.Drill),
            Ratio(c.Page.Elements, t.Page.Elements), Ratio(c.Page.Nodes, t.Page.Nodes), Ratio(c.Page.Height, t.Page.Height),
            Ratio(c.Page.Options, t.Page.Options), Ratio(c.Page.Box, t.Page.Box), Ratio(c.Page.ApiRequests, t.Page.ApiRequests),
            Ratio(c.Page.ApiBytes, t.Page.ApiBytes), Ratio(c.Page.Transferred, t.Page.Transferred), "", "");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"规模：{districts}×{townships}×{villages} = {city.Orgs.ByLevel(OrgLevel.Village).Count} 个村（汇总 {city.Units} 个单元、{city.Built} 份报表）；可交互 = 从导航开始，到首个下钻（区县/乡镇的“查看”，乡镇为村的“修改记录”）点击后结果画出；目标：每级首批卡片、全部加载、可交互 ≤ {GoalMs / 1000:0} 秒。负载 {ReportedCity.LoadAverage()}"));
        return levels.All(l => l.Cards <= GoalMs && l.Settled <= GoalMs && l.Interactive <= GoalMs) ? 0 : 1;

        static string Ms(double ms) => ms.ToString("0", CultureInfo.InvariantCulture);
        static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
        static string Ratio(double a, double b) => b > 0 ? (a / b).ToString("0.0", CultureInfo.InvariantCulture) : "—";
    }

    private static string LevelName(OrgLevel level) => level switch
    {
        OrgLevel.City => "市",
        OrgLevel.District => "区县",
        OrgLevel.Township => "乡镇",
        _ => "村",
    };
}
