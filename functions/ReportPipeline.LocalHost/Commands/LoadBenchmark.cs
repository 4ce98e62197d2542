using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Reference;
using ReportPipeline.Application.Telemetry;
using ReportPipeline.Development.Emulator;
using ReportPipeline.Development.Synthetic;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Storage.Configuration;
using ReportPipeline.Storage.Diagnostics;
using Spectre.Console;

namespace ReportPipeline.LocalHost.Commands;

/// <summary>
/// <c>bench --load</c>: the HTTP local host (Kestrel, as <c>serve</c> runs it, without the background workers) against an
/// Azurite that keeps its data on disk; every village of a 5 × 25 × 7 city (875) has reported the month and the one
/// before; then N partial JSON corrections (5 typed fields) are posted at a fixed concurrency, about a tenth of them to 5
/// hot villages (so that merges of one village race), each with its own Idempotency-Key, as the web app sends them.
/// Reports throughput, latency percentiles, every status code (503s by the promise they make), the storage calls per
/// accepted submission as the host counts them, and checks that the audit rows written equal the receipts answered.
/// The client runs in the host's process and shares its thread pool (its sends and reads are asynchronous, so it holds no
/// thread while waiting): a thread blocked in the host delays the client's continuations too, so the pool's size before
/// and after the first wave is printed, and a first wave that starved the pool shows as a count, not only as latency.
/// The host is started as <c>serve</c> starts it, reference data and first request warmed (<c>FirstRequestWarmUp</c>).
/// </summary>
public static class LoadBenchmark
{
    private const string OutcomeUnknown = "503 storage-outcome-unknown";

    private const int Districts = 5, Townships = 25, Villages = 7, HotVillages = 5, FieldsPerSubmission = 5;

    public static async Task<int> RunAsync(int submissions, int concurrency, CancellationToken ct)
    {
        if (Console.IsOutputRedirected)
        {
            AnsiConsole.Profile.Width = 180;
        }

        await using var emulator = await AzuriteEmulator.StartAsync(onDisk: true, cancellationToken: ct);
        var url = $"http://127.0.0.1:{FreePort()}";
        var timing = new StorageTiming();
        await using var runtime = await LocalHostRuntime.CreateAsync([], url, runWorkers: false, minimumLevel: LogLevel.Warning,
            configure: c => c.AddInMemoryCollection(new Dictionary<string, string?> { [ReportStorageSettings.DefaultName] = emulator.ConnectionString }),
            cancellationToken: ct, configureServices: timing.AddTo);
        var services = runtime.Services;
        var registry = SyntheticCity.Generate(Districts, Townships, Villages);
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow().ToOffset(TimeSpan.FromHours(8));
        // November: inside its quarter, so a correction is one period's (no quarter or year end read from it).
        var month = Period.Month(now.Year - 1, 11);
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"[bold]bench --load[/]：{registry.ByLevel(OrgLevel.Village).Count} 个村，{submissions} 次提交，并发 {concurrency}，统计期 {month}，Kestrel {url}，Azurite（磁盘）"));
        await ConsolidationBenchmark.ReportAllAsync(services, registry, [month.Previous(), month], ct);

        var plan = await PlanAsync(services, registry, month, submissions, ct);
        var store = services.GetRequiredService<IFieldValueStore>();
        var audited = await AuditRowsAsync(store, plan.Select(p => p.Village).Distinct(), month, ct);
        // What a host loads once per period (the catalog version, the registry) is loaded before the clock starts.
        var reference = services.GetRequiredService<ReferenceData>();
        await reference.CatalogForAsync(month, ct);
        await reference.GetOrgsAsync(ct);
        await runtime.App.StartAsync(ct);

        timing.Reset();
        var sent = await SendAsync(runtime, url, month, plan, concurrency, () => emulator.CpuTime(), ct);
        var result = sent with { Storage = timing.Snapshot(), StorageSplit = timing.Split(sent.FirstAnswerAt) };
        var auditedAfter = await AuditRowsAsync(store, plan.Select(p => p.Village).Distinct(), month, ct);
        var written = auditedAfter.Sum(kv => kv.Value - audited.GetValueOrDefault(kv.Key));
        await runtime.App.StopAsync(ct);

        Print(result, written, submissions, concurrency);
        // Every receipt has its audit row, and beyond them only answers that said the outcome was unknown may have written.
        var created = result.Status.GetValueOrDefault(201);
        return written >= created && written <= created + result.Problems.GetValueOrDefault(OutcomeUnknown) ? 0 : 1;
    }

    private sealed record Planned(string Village, byte[] Body);

    private sealed record LoadResult(
        IReadOnlyDictionary<int, int> Status,
        IReadOnlyDictionary<string, int> Problems,
        IReadOnlyList<double> LatenciesMs,
        IReadOnlyList<double> FirstWaveMs,
        IReadOnlyList<double> AfterFirstWaveMs,
        (int Before, int AfterFirstWave, int AtEnd) PoolThreads,
        double WallSeconds,
        IReadOnlyDictionary<string, long> CallsByService,
        long AcceptedCounted,
        long RoundTrips,
        long Retries,
        long Conflicts,
        double? EmulatorCpuSeconds,
        double ProcessCpuSeconds,
        string LoadBefore,
        string LoadAfter,
        double ServiceMsTotal)
    {
        public IReadOnlyDictionary<string, (long Calls, double Ms)> Storage { get; init; } = new Dictionary<string, (long, double)>();

        /// <summary>When the first answer came (a timestamp): storage calls sent before it are the first wave's.</summary>
        public long FirstAnswerAt { get; init; }

        /// <summary>Storage calls sent before the first answer and after it: count and mean time on the wire.</summary>
        public ((int Calls, double MeanMs) Before, (int Calls, double MeanMs) After) StorageSplit { get; init; }

        /// <summary>Time in the submission service of each submission, in the order the service began them.</summary>
        public IReadOnlyList<double> ServiceMsByStart { get; init; } = [];
    }

    /// <summary>
    /// The hot villages (spread over the city) take <c>submissions × 105 / 1000</c> submissions between them, the other
    /// villages one each in turn; every body is a different correction of 5 typed integer fields in no cross-field rule.
    /// </summary>
    private static async Task<List<Planned>> PlanAsync(IServiceProvider services, OrgRegistry registry, Period month, int count, CancellationToken ct)
    {
        var store = services.GetRequiredService<IFieldValueStore>();
        var bundle = await services.GetRequiredService<ReferenceData>().CatalogForAsync(month, ct);
        var inRules = bundle.Catalog.Rules.SelectMany(r => r.Others.Append(r.Field)).ToHashSet(StringComparer.Ordinal);
        var fields = bundle.Catalog.Fields
            .Where(f => f is { Source: FieldSource.Typed, Type: FieldType.Integer } && f.Frequency == month.Kind && !inRules.Contains(f.Id))
            .Take(FieldsPerSubmission).Select(f => f.Id).ToList();
        var villages = registry.ByLevel(OrgLevel.Village).OrderBy(v => v.Code, StringComparer.Ordinal).Select(v => v.Code).ToList();
        var hot = Enumerable.Range(0, HotVillages).Select(i => villages[i * villages.Count / HotVillages]).ToList();
        var cold = villages.Except(hot).ToList();
        var hotCount = (int)Math.Round(count * 105.0 / 1000);
        var targets = Enumerable.Range(0, hotCount).Select(i => hot[i % hot.Count])
            .Concat(Enumerable.Range(0, count - hotCount).Select(i => cold[i % cold.Count]))
            .ToList();
        new Random(17).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(targets));

        var stored = new Dictionary<string, IReadOnlyDictionary<string, decimal>>(StringComparer.Ordinal);
        foreach (var village in targets.Distinct())
        {
            var current = await store.GetAsync(village, month, ct);
            stored[village] = fields.ToDictionary(f => f, f => current.Values.TryGetValue(f, out var v) && v.Value.Number is { } n ? n : 0m);
        }

        var sent = new Dictionary<string, int>(StringComparer.Ordinal);
        var planned = new List<Planned>(targets.Count);
        foreach (var village in targets)
        {
            var nth = sent[village] = sent.GetValueOrDefault(village) + 1;
            var values = fields.ToDictionary(f => f, f => (stored[village][f] + nth).ToString(CultureInfo.InvariantCulture));
            planned.Add(new Planned(village, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { values }))));
        }

        return planned;
    }

    private static async Task<LoadResult> SendAsync(LocalHostRuntime runtime, string url, Period month, IReadOnlyList<Planned> plan, int concurrency, Func<TimeSpan?> emulatorCpu, CancellationToken ct)
    {
        var issuer = runtime.Services.GetRequiredService<DevelopmentTokenIssuer>();
        var tokens = plan.Select(p => p.Village).Distinct().ToDictionary(v => v, v => issuer.Mint(v, ["submitter"], null, TimeSpan.FromHours(2)), StringComparer.Ordinal);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromMinutes(2) };
        var status = new ConcurrentDictionary<int, int>();
        var problems = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var latencies = new ConcurrentBag<double>();
        // The first wave (the first `concurrency` requests) meets a host just started (its start loaded the reference data
        // and sent itself one request): new connections, code not yet compiled. Kept apart so the tail can be told from it.
        var firstWave = new ConcurrentBag<double>();
        var afterFirstWave = new ConcurrentBag<double>();
        // The thread pool's size before, when the first wave has been answered, and at the end: a pool that had to grow far
        // past the cores during the first wave had work items waiting behind threads that blocked (the client shares it).
        var poolBefore = ThreadPool.ThreadCount;
        var poolAfterFirstWave = 0;
        var sent = 0;
        var calls = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        long acceptedCounted = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PipelineMetrics.MeterName && instrument.Name is "submission.storage_calls" or "submission.duration")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        double serviceMs = 0;
        var serviceGate = new Lock();
        // When each submission entered the service (now less its duration) and how long it took there.
        var services = new List<(long Started, double Ms)>();
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            if (instrument.Name == "submission.duration")
            {
                var started = Stopwatch.GetTimestamp() - (long)(value * Stopwatch.Frequency / 1000);
                lock (serviceGate)
                {
                    serviceMs += value;
                    services.Add((started, value));
                }
            }
        });
        listener.SetMeasurementEventCallback<int>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "service", Value: string service })
                {
                    calls.AddOrUpdate(service, value, (_, sum) => sum + value);
                    if (service == "table")
                    {
                        Interlocked.Increment(ref acceptedCounted);
                    }
                }
            }
        });
        listener.Start();
        using var counters = new StorageCounters();
        var before = counters.Snapshot();
        var loadBefore = LoadAverage();
        var cpuBefore = emulatorCpu();
        var processBefore = Process.GetCurrentProcess().TotalProcessorTime;
        long firstAnswerAt = 0;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct }, async (item, token) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/orgs/{item.Village}/submissions/{month}")
            {
                Content = new ByteArrayContent(item.Body) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" } } },
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[item.Village]);
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
            var order = Interlocked.Increment(ref sent);
            var started = Stopwatch.GetTimestamp();
            int code;
            string? problem = null;
            try
            {
                using var response = await http.SendAsync(request, token);
                Interlocked.CompareExchange(ref firstAnswerAt, Stopwatch.GetTimestamp(), 0);
                var text = await response.Content.ReadAsStringAsync(token);
                code = (int)response.StatusCode;
                if (code >= 400 && response.Content.Headers.ContentType?.MediaType == "application/problem+json")
                {
                    using var json = JsonDocument.Parse(text);
                    problem = json.RootElement.TryGetProperty("type", out var type) ? type.GetString()?.Split('/')[^1] : null;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !token.IsCancellationRequested)
            {
                code = 0;
                problem = ex.GetType().Name;
            }

            var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            latencies.Add(elapsedMs);
            (order <= concurrency ? firstWave : afterFirstWave).Add(elapsedMs);
            if (order <= concurrency && firstWave.Count == Math.Min(concurrency, plan.Count))
            {
                Volatile.Write(ref poolAfterFirstWave, ThreadPool.ThreadCount);
            }
            status.AddOrUpdate(code, 1, (_, n) => n + 1);
            if (problem is not null)
            {
                problems.AddOrUpdate($"{code} {problem}", 1, (_, n) => n + 1);
            }
        });
        var wall = clock.Elapsed.TotalSeconds;
        var spent = counters.Snapshot() - before;
        var cpuAfter = emulatorCpu();
        return new LoadResult(
            status, problems, [.. latencies.Order()], [.. firstWave.Order()], [.. afterFirstWave.Order()],
            (poolBefore, Volatile.Read(ref poolAfterFirstWave), ThreadPool.ThreadCount), wall, calls, Interlocked.Read(ref acceptedCounted),
            spent.RoundTrips, spent.Retries, spent.Conflicts,
            cpuBefore is { } b && cpuAfter is { } a ? (a - b).TotalSeconds : null,
            (Process.GetCurrentProcess().TotalProcessorTime - processBefore).TotalSeconds, loadBefore, LoadAverage(), serviceMs)
        {
            ServiceMsByStart = [.. services.OrderBy(x => x.Started).Select(x => x.Ms)],
            FirstAnswerAt = Interlocked.Read(ref firstAnswerAt),
        };
    }

    private static async Task<Dictionary<string, int>> AuditRowsAsync(IFieldValueStore store, IEnumerable<string> villages, Period month, CancellationToken ct)
    {
        var rows = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var village in villages)
        {
            var count = 0;
            await foreach (var _ in store.ReadAuditAsync(village, month, ct))
            {
                count++;
            }

            rows[village] = count;
        }

        return rows;
    }

    private static void Print(LoadResult r, int auditWritten, int submissions, int concurrency)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("figure").AddColumn("指标").AddColumn(new TableColumn("value").RightAligned()).AddColumn("goal");
        void Row(string english, string chinese, string value, string goal = "") => table.AddRow(Markup.Escape(english), Markup.Escape(chinese), Markup.Escape(value), Markup.Escape(goal));
        string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
        string Met(bool met) => met ? "met" : "NOT met";

        var accepted = r.Status.GetValueOrDefault(201);
        var throughput = submissions / r.WallSeconds;
        var p99 = Percentile(r.LatenciesMs, 0.99) / 1000;
        var unavailable = r.Status.GetValueOrDefault(503);
        Row("submissions / concurrency", "提交次数 / 并发", F($"{submissions} / {concurrency}"));
        Row("wall time (s) / throughput (per s)", "用时（秒）/ 吞吐（每秒）", F($"{r.WallSeconds:0.0} / {throughput:0.0}"), F($"≥ 30/s: {Met(throughput >= 30)}"));
        Row("latency p50 / p95 / p99 / max (s)", "延迟 p50 / p95 / p99 / 最大（秒）",
            F($"{Percentile(r.LatenciesMs, 0.5) / 1000:0.00} / {Percentile(r.LatenciesMs, 0.95) / 1000:0.00} / {p99:0.00} / {r.LatenciesMs.DefaultIfEmpty(double.NaN).Last() / 1000:0.00}"),
            F($"p99 ≤ 3 s: {Met(p99 <= 3)}"));
        Row(F($"latency of the first {concurrency} requests (the first burst a host just started meets) p50 / max; of the rest p50 / p99 (s)"), "首批请求（主机刚启动后的第一波）延迟 p50 / 最大；其余请求 p50 / p99（秒）",
            F($"{Percentile(r.FirstWaveMs, 0.5) / 1000:0.00} / {r.FirstWaveMs.DefaultIfEmpty(double.NaN).Last() / 1000:0.00}; {Percentile(r.AfterFirstWaveMs, 0.5) / 1000:0.00} / {Percentile(r.AfterFirstWaveMs, 0.99) / 1000:0.00}"));
        Row("thread-pool threads before / after the first wave / at the end (cores)", "线程池线程数 开始 / 首批之后 / 结束（核数）",
            F($"{r.PoolThreads.Before} / {r.PoolThreads.AfterFirstWave} / {r.PoolThreads.AtEnd} ({Environment.ProcessorCount})"));
        Row("status codes", "状态码", string.Join(", ", r.Status.OrderBy(kv => kv.Key).Select(kv => F($"{kv.Key} × {kv.Value}"))), F($"0 × 503: {Met(unavailable == 0)}"));
        if (r.Problems.Count > 0)
        {
            Row("problems (status, type)", "问题（状态码、类型）", string.Join(", ", r.Problems.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => F($"{kv.Key} × {kv.Value}"))));
        }

        var per = Math.Max(1, r.AcceptedCounted);
        Row("storage calls per accepted submission: table / blob / queue / all", "每次接受的提交的存储调用：表 / 对象 / 队列 / 合计",
            F($"{r.CallsByService.GetValueOrDefault("table") / (double)per:0.00} / {r.CallsByService.GetValueOrDefault("blob") / (double)per:0.00} / {r.CallsByService.GetValueOrDefault("queue") / (double)per:0.00} / {r.CallsByService.Values.Sum() / (double)per:0.00}"),
            "merge 2 + ≤ 2");
        Row("round trips on the wire (retries included) / storage retries / lost concurrency races", "线路往返（含重试）/ 存储重试 / 并发冲突",
            F($"{r.RoundTrips} ({r.RoundTrips / (double)Math.Max(1, accepted):0.00} per 201) / {r.Retries} / {r.Conflicts}"));
        var unknown = r.Problems.GetValueOrDefault(OutcomeUnknown);
        var mean = r.LatenciesMs.DefaultIfEmpty(0).Average();
        var storageMs = r.Storage.Values.Sum(v => v.Ms) / Math.Max(1, submissions);
        Row("where the time goes, mean per submission (ms): HTTP latency / in the submission service / waiting on storage calls",
            "时间去向，每次提交平均（毫秒）：HTTP 延迟 / 提交服务内 / 等待存储调用",
            F($"{mean:0} / {r.ServiceMsTotal / Math.Max(1, r.AcceptedCounted):0} / {storageMs:0}"));
        Row(F($"the first {concurrency} requests / the rest, mean (ms): HTTP latency; in the submission service (the first {concurrency} it began / the rest)"),
            "首批 / 其余请求平均（毫秒）：HTTP 延迟；提交服务内（最先开始的一批 / 其余）",
            F($"{r.FirstWaveMs.DefaultIfEmpty(0).Average():0} / {r.AfterFirstWaveMs.DefaultIfEmpty(0).Average():0}; {r.ServiceMsByStart.Take(concurrency).DefaultIfEmpty(0).Average():0} / {r.ServiceMsByStart.Skip(concurrency).DefaultIfEmpty(0).Average():0}"));
        Row("storage calls sent before the first answer (the first wave's) / after: count, mean time on the wire (ms)", "首个应答之前 / 之后发出的存储调用：次数，平均延迟（毫秒）",
            F($"{r.StorageSplit.Before.Calls}, {r.StorageSplit.Before.MeanMs:0} / {r.StorageSplit.After.Calls}, {r.StorageSplit.After.MeanMs:0}"));
        Row("storage call latency, mean (ms): " + string.Join(" / ", r.Storage.Keys.Order(StringComparer.Ordinal)), "存储调用平均延迟（毫秒）",
            string.Join(" / ", r.Storage.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => F($"{kv.Value.Ms / Math.Max(1, kv.Value.Calls):0}"))));
        Row("audit rows written / receipts answered (201) / 503 outcome unknown", "新增审计记录 / 回执（201）/ 503 结果未知",
            F($"{auditWritten} / {accepted} / {unknown}"),
            F($"audit = receipts: {Met(auditWritten == accepted)}; \"nothing saved\" that saved: {Math.Max(0, auditWritten - accepted - unknown)}"));
        Row("CPU s of the emulator (share of one core)", "模拟器 CPU 秒（占单核比例）",
            r.EmulatorCpuSeconds is { } e ? F($"{e:0.0} ({e / Math.Max(r.WallSeconds, 1e-9):0%})") : "-");
        Row("CPU s of this process: host and load client (share of the 2 cores; ms per submission)", "本进程 CPU 秒：主机与压测客户端（占两核比例；每次提交毫秒）",
            F($"{r.ProcessCpuSeconds:0.0} ({r.ProcessCpuSeconds / Math.Max(r.WallSeconds, 1e-9) / Environment.ProcessorCount:0%}; {r.ProcessCpuSeconds * 1000 / submissions:0.0})"));
        Row("load average before / after", "系统负载 前 / 后", $"{r.LoadBefore} / {r.LoadAfter}");
        AnsiConsole.Write(table);
    }

    /// <summary>Time on the wire of every storage request the host sends (per try), by service.</summary>
    private sealed class StorageTiming
    {
        private readonly ConcurrentDictionary<string, (long Calls, double Ms)> _byService = new(StringComparer.Ordinal);

        public void AddTo(IServiceCollection services)
        {
            services.ConfigureAll<Azure.Data.Tables.TableClientOptions>(o => o.AddPolicy(new Policy(this, "table"), Azure.Core.HttpPipelinePosition.PerRetry));
            services.ConfigureAll<Azure.Storage.Blobs.BlobClientOptions>(o => o.AddPolicy(new Policy(this, "blob"), Azure.Core.HttpPipelinePosition.PerRetry));
            services.ConfigureAll<Azure.Storage.Queues.QueueClientOptions>(o => o.AddPolicy(new Policy(this, "queue"), Azure.Core.HttpPipelinePosition.PerRetry));
        }

        private readonly ConcurrentQueue<(long Started, double Ms)> _calls = new();

        public void Reset()
        {
            _byService.Clear();
            _calls.Clear();
        }

        public IReadOnlyDictionary<string, (long Calls, double Ms)> Snapshot() => new Dictionary<string, (long, double)>(_byService, StringComparer.Ordinal);

        /// <summary>Mean time on the wire of the calls sent before <paramref name="at"/> (a timestamp) and of those sent after.</summary>
        public ((int Calls, double MeanMs) Before, (int Calls, double MeanMs) After) Split(long at)
        {
            var before = _calls.Where(c => c.Started < at).Select(c => c.Ms).ToList();
            var after = _calls.Where(c => c.Started >= at).Select(c => c.Ms).ToList();
            return ((before.Count, before.DefaultIfEmpty(0).Average()), (after.Count, after.DefaultIfEmpty(0).Average()));
        }

        private void Add(string service, long started, double ms)
        {
            _byService.AddOrUpdate(service, (1, ms), (_, v) => (v.Calls + 1, v.Ms + ms));
            _calls.Enqueue((started, ms));
        }

        private sealed class Policy(StorageTiming timing, string service) : Azure.Core.Pipeline.HttpPipelinePolicy
        {
            public override void Process(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
            {
                var started = Stopwatch.GetTimestamp();
                ProcessNext(message, pipeline);
                timing.Add(service, started, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }

            public override async ValueTask ProcessAsync(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
            {
                var started = Stopwatch.GetTimestamp();
                await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
                timing.Add(service, started, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
    }

    private static double Percentile(IReadOnlyList<double> sorted, double p)
        => sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "-";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
