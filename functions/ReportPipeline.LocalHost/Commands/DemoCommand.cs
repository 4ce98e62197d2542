using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OfficeOpenXml;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Development.Synthetic;
using ReportPipeline.Storage.Files;
using Spectre.Console;

namespace ReportPipeline.LocalHost.Commands;

/// <summary>
/// The main job: on the embedded Azurite, seed the sample city, have its villages report through every channel
/// (JSON, CSV, the form workbook over HTTP, and blob drop), including bad uploads and villages that never report,
/// consolidate, download every workbook over HTTP as the offices would, and print what happened.
/// </summary>
public static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Folder for the workbooks", DefaultValueFactory = _ => "demo-output" };
        var month = new Option<string>("--month") { Description = "The month villages report for (default: this month, so nothing is late yet)", DefaultValueFactory = _ => Period.Month(DateTime.UtcNow.Year, DateTime.UtcNow.Month).ToString() };
        var serve = new Option<bool>("--serve") { Description = $"Keep serving the demo's data and the web app on {LocalHostRuntime.DefaultUrl} until Ctrl+C" };
        var command = new Command("demo", "Run the whole one-table flow on the sample city against the embedded Azurite") { output, month, serve };
        command.SetAction(async (parse, ct) => await RunAsync(parse.GetValue(output)!, Period.Parse(parse.GetValue(month)!), parse.GetValue(serve), ct));
        return command;
    }

    private sealed record Outcome(string Village, string Period, string Channel, int Status, string Detail);

    public static async Task<int> RunAsync(string outputFolder, Period month, bool keepServing, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(outputFolder);
        AnsiConsole.MarkupLine("[bold]一表通 ReportPipeline 演示[/]：内嵌 Azurite + 本地主机，示例城市（1 县 3 乡镇街道 30 村社区）");

        // With --serve the demo's data stays reachable at the usual address afterwards; otherwise any free port will do.
        var url = keepServing ? LocalHostRuntime.DefaultUrl : $"http://127.0.0.1:{FreePort()}";
        await using var runtime = await LocalHostRuntime.CreateAsync([], url, runWorkers: false, minimumLevel: LogLevel.Warning, cancellationToken: ct);
        await runtime.App.StartAsync(ct);
        var services = runtime.Services;
        var reference = services.GetRequiredService<ReferenceData>();
        var bundle = await reference.CatalogForAsync(null, ct);
        var quarter = month.Enclosing(PeriodKind.Quarter);
        var year = month.Enclosing(PeriodKind.Year);
        Period[] periods = [month, quarter, year];

        // 1. Seed: the registry, pre-filled values pushed down by upper-level departments, last period's values.
        var registry = FileOrgRegistry.LoadSampleCity();
        foreach (var period in periods)
        {
            await SeedCommand.SeedAsync(services, registry, period, history: period == month, ct);
        }

        var villages = registry.All.Where(o => o.Level == OrgLevel.Village).OrderBy(o => o.Code, StringComparer.Ordinal).ToList();
        var issuer = services.GetRequiredService<DevelopmentTokenIssuer>();
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(2) };
        var outcomes = new List<Outcome>();

        // 2. Villages report. The last four never do; a few send something wrong first.
        var silent = villages.TakeLast(4).Select(v => v.Code).ToHashSet(StringComparer.Ordinal);
        var reporting = villages.Where(v => !silent.Contains(v.Code)).ToList();
        await AnsiConsole.Progress().AutoClear(false).Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask($"{reporting.Count} 个村（社区）填报 {periods.Length} 个统计期", maxValue: reporting.Count);
                for (var i = 0; i < reporting.Count; i++)
                {
                    var village = reporting[i];
                    var token = issuer.Mint(village.Code, ["submitter"], null, TimeSpan.FromHours(1));
                    foreach (var period in periods)
                    {
                        var values = SyntheticValues.Generate(bundle.Catalog, village, period, Development.Seeding.CitySeeder.StableSeed(village.Code))
                            .Where(kv => IsTypedAt(bundle.Catalog, kv.Key, period))
                            .ToDictionary(kv => kv.Key, kv => kv.Value);
                        var channel = (i % 5) switch { 0 or 1 => "json", 2 => "csv", 3 => "form", _ => "blob" };
                        outcomes.Add(channel switch
                        {
                            "json" => await PostJsonAsync(http, token, village, period, values, ct),
                            "csv" => await PostCsvAsync(http, token, village, period, values, bundle.Catalog, gb18030: i % 2 == 0, ct),
                            "form" => await PostFormAsync(http, token, village, period, values, ct),
                            _ => await DropBlobAsync(services, village, period, values, ct),
                        });
                    }

                    task.Increment(1);
                }
            });

        // Bad uploads, each rejected with every error listed, and nothing written.
        outcomes.AddRange(await BadUploadsAsync(http, services, issuer, bundle.Catalog, villages, month, ct));
        // A resend of identical content is a no-op that returns the first receipt.
        var first = reporting[0];
        var firstToken = issuer.Mint(first.Code, ["submitter"], null, TimeSpan.FromHours(1));
        var again = SyntheticValues.Generate(bundle.Catalog, first, month, Development.Seeding.CitySeeder.StableSeed(first.Code)).Where(kv => IsTypedAt(bundle.Catalog, kv.Key, month)).ToDictionary(kv => kv.Key, kv => kv.Value);
        outcomes.Add((await PostJsonAsync(http, firstToken, first, month, again, ct)) with { Channel = "json（重发）" });

        // Blob drops are picked up by the poller, as the Event Grid trigger would in Azure.
        await services.GetRequiredService<SubmissionPoller>().DrainAsync(ct);

        // 3. Consolidate every template for every upper-level org, then once more: nothing changed, nothing rebuilt.
        var run = await ConsolidateCommand.RunAsync(services, periods, force: false, ct);
        var rerun = await services.GetRequiredService<Application.Consolidation.ScheduledConsolidation>().RunAsync(periods, false, null, ct);

        // 4. Offices download their workbooks over HTTP with viewer tokens; one sample form goes beside them.
        var files = await DownloadAsync(http, issuer, run.Results, outputFolder, ct);
        var formToken = issuer.Mint(villages[0].Code, ["submitter"], null, TimeSpan.FromHours(1));
        files.Add(await SaveAsync(http, formToken, $"/api/orgs/{villages[0].Code}/form/{month}", Path.Combine(outputFolder, $"一表通填报表_{villages[0].Name}_{month}.xlsx"), ct));

        // 5. Burden figures for the whole city.
        var cityToken = issuer.Mint(registry.Root.Code, ["viewer"], null, TimeSpan.FromHours(1));
        var burden = await GetJsonAsync(http, cityToken, $"/api/orgs/{registry.Root.Code}/burden/{month}", ct);
        var status = await GetJsonAsync(http, cityToken, $"/api/orgs/{registry.Root.Code}/status/{month}", ct);
        await File.WriteAllTextAsync(Path.Combine(outputFolder, "burden.json"), burden.GetRawText(), ct);
        await File.WriteAllTextAsync(Path.Combine(outputFolder, "status.json"), status.GetRawText(), ct);

        PrintSummary(outcomes, run, rerun, files, burden, status, outputFolder, clock.Elapsed);
        AnsiConsole.MarkupLine("[grey]指标 (meter ReportPipeline)：" + Markup.Escape(services.GetRequiredService<ConsoleMetrics>().Format()) + "[/]");
        if (keepServing)
        {
            AnsiConsole.MarkupLine($"[bold green]继续提供服务[/]：在浏览器打开 [bold]{url}/[/]，用开发登录选择单位（如 {Markup.Escape(registry.Root.Name)}）和角色查看本次演示的数据；按 Ctrl+C 停止（数据在内存中，停止后清空）。");
            await runtime.App.WaitForShutdownAsync(ct);
        }

        await runtime.App.StopAsync(CancellationToken.None);
        var failedBuilds = run.Failed + rerun.Failed;
        return failedBuilds == 0 && outcomes.Any(o => o.Status is 200 or 201) ? 0 : 1;
    }

    private static bool IsTypedAt(FieldCatalog catalog, string fieldId, Period period) =>
        catalog.Find(fieldId) is { Source: FieldSource.Typed } f && f.Frequency == period.Kind;

    private static async Task<Outcome> PostJsonAsync(HttpClient http, string token, Org village, Period period, IReadOnlyDictionary<string, string> values, CancellationToken ct)
    {
        var body = JsonSerializer.Serialize(new { values });
        return await PostAsync(http, token, village, period, "json", new StringContent(body, Encoding.UTF8, "application/json"), ct);
    }

    private static async Task<Outcome> PostCsvAsync(HttpClient http, string token, Org village, Period period, IReadOnlyDictionary<string, string> values, FieldCatalog catalog, bool gb18030, CancellationToken ct)
    {
        // Chinese Excel's "CSV (逗号分隔)": Chinese names in the header, GBK/GB18030 bytes; or UTF-8 with BOM, long layout.
        string text;
        if (gb18030)
        {
            text = string.Join(",", values.Keys.Select(k => catalog[k].Name)) + "\r\n" + string.Join(",", values.Values.Select(Quote)) + "\r\n";
        }
        else
        {
            text = "编号,指标,本期数值\r\n" + string.Concat(values.Select(kv => $"{kv.Key},{Quote(catalog[kv.Key].Name)},{Quote(kv.Value)}\r\n"));
        }

        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var bytes = gb18030 ? Encoding.GetEncoding("GB18030").GetBytes(text) : [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)];
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv") { CharSet = gb18030 ? "gb18030" : "utf-8" };
        return await PostAsync(http, token, village, period, gb18030 ? "csv（GB18030）" : "csv（UTF-8）", content, ct);

        static string Quote(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
    }

    /// <summary>Downloads the pre-filled form, types the values into the 本期数值 column as a clerk would in Excel, uploads it.</summary>
    private static async Task<Outcome> PostFormAsync(HttpClient http, string token, Org village, Period period, IReadOnlyDictionary<string, string> values, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/orgs/{village.Code}/form/{period}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            return new Outcome(village.Name, period.ToString(), "form", (int)response.StatusCode, await response.Content.ReadAsStringAsync(ct));
        }

        var filled = FillForm(await response.Content.ReadAsByteArrayAsync(ct), values);
        var content = new ByteArrayContent(filled);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        return await PostAsync(http, token, village, period, "form（.xlsx）", content, ct);
    }

    public static byte[] FillForm(byte[] workbook, IReadOnlyDictionary<string, string> values)
    {
        using var package = new ExcelPackage(new MemoryStream(workbook));
        var sheet = package.Workbook.Worksheets[Domain.Forms.FormMetadata.FormSheet];
        var (idColumn, valueColumn) = (0, 0);
        for (var row = 1; row <= Math.Min(sheet.Dimension.End.Row, 10) && valueColumn == 0; row++)
        {
            for (var col = 1; col <= sheet.Dimension.End.Column; col++)
            {
                var text = sheet.Cells[row, col].Text.Trim();
                if (text == "编号")
                {
                    idColumn = col;
                }
                else if (text == "本期数值")
                {
                    valueColumn = col;
                }
            }
        }

        for (var row = 1; row <= sheet.Dimension.End.Row; row++)
        {
            if (values.TryGetValue(sheet.Cells[row, idColumn].Text.Trim(), out var value))
            {
                // Numbers go in as numbers, the way Excel stores what a clerk types.
                sheet.Cells[row, valueColumn].Value = decimal.TryParse(value, NumberStyles.Number, CultureInfo.InvariantCulture, out var n) ? n : value;
            }
        }

        return package.GetAsByteArray();
    }

    private static async Task<Outcome> DropBlobAsync(IServiceProvider services, Org village, Period period, IReadOnlyDictionary<string, string> values, CancellationToken ct)
    {
        var inbox = services.GetRequiredService<ISubmissionInbox>();
        var name = $"{period}/{village.Code}/同步.json";
        await inbox.PutAsync(name, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { values })), "application/json", ct);
        return new Outcome(village.Name, period.ToString(), "blob", 202, $"已放入 submissions/{name}，由轮询接收");
    }

    private static async Task<List<Outcome>> BadUploadsAsync(HttpClient http, IServiceProvider services, DevelopmentTokenIssuer issuer, FieldCatalog catalog, List<Org> villages, Period month, CancellationToken ct)
    {
        var outcomes = new List<Outcome>();
        var village = villages[1];
        var token = issuer.Mint(village.Code, ["submitter"], null, TimeSpan.FromHours(1));
        var typed = catalog.Fields.Where(f => f.Source == FieldSource.Typed && f.Frequency == PeriodKind.Month).ToList();
        var integer = typed.First(f => f.Type == FieldType.Integer);
        var bad = new Dictionary<string, string>
        {
            [integer.Id] = "12.5",
            [typed.First(f => f.Max is not null && f.Id != integer.Id).Id] = "99999999",
            ["no_such_field"] = "1",
        };
        outcomes.Add((await PostJsonAsync(http, token, village, month, bad, ct)) with { Channel = "json（有错）" });

        var csv = new ByteArrayContent(Encoding.UTF8.GetBytes("不存在的指标,户籍人口\r\n1,abc\r\n"));
        csv.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        outcomes.Add(await PostAsync(http, token, village, month, "csv（有错）", csv, ct));

        // Another village's form uploaded under this village's address.
        var otherToken = issuer.Mint(villages[2].Code, ["submitter"], null, TimeSpan.FromHours(1));
        using (var get = new HttpRequestMessage(HttpMethod.Get, $"/api/orgs/{villages[2].Code}/form/{month}"))
        {
            get.Headers.Authorization = new AuthenticationHeaderValue("Bearer", otherToken);
            using var form = await http.SendAsync(get, ct);
            var content = new ByteArrayContent(await form.Content.ReadAsByteArrayAsync(ct));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
            outcomes.Add(await PostAsync(http, token, village, month, "form（单位不符）", content, ct));
        }

        // Writing another village's data: 403.
        outcomes.Add((await PostJsonAsync(http, otherToken, village, month, new Dictionary<string, string>(), ct)) with { Channel = "json（越权）" });

        // A dropped file with a path that breaks the naming rule goes to submissions-rejected with errors.json.
        await services.GetRequiredService<ISubmissionInbox>().PutAsync($"{month}/随便放的.csv", Encoding.UTF8.GetBytes("a,b\r\n1,2\r\n"), "text/csv", ct);
        outcomes.Add(new Outcome("（未知）", month.ToString(), "blob（路径不符）", 202, "已放入 submissions，由轮询拒收"));
        return outcomes;
    }

    private static async Task<Outcome> PostAsync(HttpClient http, string token, Org village, Period period, string channel, HttpContent content, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}") { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        return new Outcome(village.Name, period.ToString(), channel, (int)response.StatusCode, Describe(response.StatusCode, body));
    }

    private static string Describe(HttpStatusCode status, string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (status is HttpStatusCode.OK or HttpStatusCode.Created)
            {
                return root.GetProperty("message").GetString() ?? "";
            }

            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
            {
                return string.Join("；", errors.EnumerateArray().Take(3).Select(e => e.GetProperty("message").GetString()))
                    + (errors.GetArrayLength() > 3 ? $"；等共 {errors.GetArrayLength()} 处" : "");
            }

            return root.TryGetProperty("detail", out var detail) ? detail.GetString() ?? "" : body;
        }
        catch (JsonException)
        {
            return body.Length > 120 ? body[..120] : body;
        }
    }

    private static async Task<List<string>> DownloadAsync(HttpClient http, DevelopmentTokenIssuer issuer, IReadOnlyList<Application.Consolidation.BuildResult> results, string folder, CancellationToken ct)
    {
        var files = new List<string>();
        foreach (var result in results.Where(r => r.Outcome == Application.Consolidation.BuildOutcome.Built))
        {
            var token = issuer.Mint(result.Org, ["viewer"], null, TimeSpan.FromHours(1));
            var dir = Path.Combine(folder, result.Period, result.Template);
            Directory.CreateDirectory(dir);
            files.Add(await SaveAsync(http, token, $"/api/orgs/{result.Org}/reports/{result.Period}/{result.Template}", Path.Combine(dir, $"{result.Org}.xlsx"), ct));
        }

        return files;
    }

    private static async Task<string> SaveAsync(HttpClient http, string token, string path, string file, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        await File.WriteAllBytesAsync(file, await response.Content.ReadAsByteArrayAsync(ct), ct);
        return file;
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient http, string token, string path, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request, ct);
        response.EnsureSuccessStatusCode();
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        return json.RootElement.Clone();
    }

    private static void PrintSummary(
        List<Outcome> outcomes,
        Application.Consolidation.ScheduledConsolidation.RunSummary run,
        Application.Consolidation.ScheduledConsolidation.RunSummary rerun,
        List<string> files,
        JsonElement burden,
        JsonElement status,
        string folder,
        TimeSpan elapsed)
    {
        var accepted = outcomes.Count(o => o.Status is 200 or 201);
        var dropped = outcomes.Count(o => o.Status == 202);
        var table = new Table().Border(TableBorder.Rounded).Title("被拒的上传（每处错误都指明指标和单元格）")
            .AddColumn("单位").AddColumn("统计期").AddColumn("方式").AddColumn("状态").AddColumn("原因");
        foreach (var o in outcomes.Where(o => o.Status >= 400))
        {
            table.AddRow(Markup.Escape(o.Village), o.Period, Markup.Escape(o.Channel), o.Status.ToString(CultureInfo.InvariantCulture), Markup.Escape(o.Detail));
        }

        AnsiConsole.Write(table);
        var byChannel = outcomes.Where(o => o.Status is 200 or 201).GroupBy(o => o.Channel).Select(g => $"{g.Key} {g.Count()}");
        AnsiConsole.MarkupLine($"HTTP 受理 {accepted} 份（{Markup.Escape(string.Join("，", byChannel))}），拒收 {outcomes.Count(o => o.Status >= 400)} 份；投递到 submissions 的文件 {dropped} 个，由轮询接收（路径不符的进入 submissions-rejected，旁附 errors.json）。");
        AnsiConsole.MarkupLine($"填报情况（{Markup.Escape(status.GetProperty("period").GetString() ?? "")}）：应报 {status.GetProperty("expected")}，已报 {status.GetProperty("reported")}，未报 {status.GetProperty("missing")}，迟报 {status.GetProperty("late")}");
        AnsiConsole.MarkupLine($"汇总：首次生成 {run.Built} 份工作簿；再次运行时输入未变，生成 {rerun.Built} 份、跳过 {rerun.Skipped} 份。");
        AnsiConsole.MarkupLine("减负：" + Markup.Escape(BurdenLine(burden)));
        AnsiConsole.MarkupLine($"已写出 {files.Count} 个文件到 [bold]{Markup.Escape(Path.GetFullPath(folder))}[/]，用时 {elapsed.TotalSeconds:0.0} 秒。");
        AnsiConsole.MarkupLine($"网页版：运行 [bold]bash scripts/demo.sh --serve[/]，演示结束后保持服务，在浏览器打开 [bold]{LocalHostRuntime.DefaultUrl}/[/]（开发登录：选择单位和角色），即可看到本次演示的数据。");
    }

    private static string BurdenLine(JsonElement burden)
    {
        var parts = new List<string>();
        foreach (var property in burden.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number))
        {
            parts.Add($"{property.Name}={property.Value}");
        }

        return string.Join("，", parts);
    }

    internal static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
