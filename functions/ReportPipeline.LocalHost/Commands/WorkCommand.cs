using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Application.Options;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Storage.Configuration;

namespace ReportPipeline.LocalHost.Commands;

/// <summary>
/// <c>work</c>: this process as a pure consolidation queue worker against the configured <c>ReportStorage</c> — no HTTP,
/// no timer, no inbox pollers: <c>--workers</c> loops receive units from the <c>consolidation</c> queue and hand each to the
/// same handler as the Functions queue trigger, until stopped (Ctrl+C, standard input closed with
/// <c>--until-stdin-closes</c>, or the queue empty for <c>--idle-seconds</c>). The queue is the only coordination between
/// processes: start as many as the storage account holds. Standard output is machine-readable, one JSON object a line
/// (<see cref="WorkerLine"/>): <c>ready</c> once the loops start, with <c>--units</c> one <c>unit</c> line per unit
/// handled, and a closing <c>summary</c>; logs go to standard error.
/// </summary>
public static class WorkCommand
{
    public const string Name = "work";

    public static Command Create()
    {
        var workers = new Option<int>("--workers") { Description = "Queue worker loops in this process", DefaultValueFactory = _ => 2 };
        var idle = new Option<double?>("--idle-seconds") { Description = "Stop once the queue (hidden and delayed messages included) has stayed empty this long" };
        var stdin = new Option<bool>("--until-stdin-closes") { Description = "Stop when standard input closes (a parent process holds the pipe); the unit in hand is finished first" };
        var units = new Option<bool>("--units") { Description = "Write one JSON line per unit handled (what it built or skipped, when it read its inputs, when it was done)" };
        var command = new Command(Name, "Run consolidation queue worker loops against the configured ReportStorage (ReportStorage setting or environment variable); JSON lines on standard output")
        {
            workers, idle, stdin, units,
        };
        command.SetAction(async (parse, ct) =>
        {
            var loops = parse.GetValue(workers);
            var idleSeconds = parse.GetValue(idle);
            if (loops is < 1 or > 64 || idleSeconds is <= 0)
            {
                await Console.Error.WriteLineAsync("--workers 需要 1–64 之间的整数，--idle-seconds 需要正数。");
                return 2;
            }

            // A worker of an emulator nobody else can reach would have nothing to do: the storage must be given.
            if (!LocalHostRuntime.HasStorageSetting(new ConfigurationBuilder().AddEnvironmentVariables().Build()))
            {
                await Console.Error.WriteLineAsync(
                    "未配置存储：请设置环境变量 ReportStorage（连接字符串），队列工作进程与其他进程共用同一存储。 No ReportStorage setting: a worker process needs the shared storage.");
                return 2;
            }

            return await RunAsync(loops, idleSeconds is { } s ? TimeSpan.FromSeconds(s) : null, parse.GetValue(stdin), parse.GetValue(units), ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(int loops, TimeSpan? idle, bool untilStdinCloses, bool writeUnits, CancellationToken ct)
    {
        await using var runtime = await LocalHostRuntime.CreateAsync([], null, runWorkers: false, minimumLevel: LogLevel.Warning, cancellationToken: ct,
            configureServices: s => s.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
        var services = runtime.Services;
        await using var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true };
        var gate = new Lock();
        void Write(WorkerLine line)
        {
            var json = JsonSerializer.Serialize(line, WorkerLine.Json);
            lock (gate)
            {
                output.WriteLine(json);
            }
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (untilStdinCloses)
        {
            _ = Task.Run(async () =>
            {
                await using var input = Console.OpenStandardInput();
                await input.CopyToAsync(Stream.Null, CancellationToken.None);
                await stop.CancelAsync();
            }, CancellationToken.None);
        }

        Write(new WorkerLine { Kind = WorkerLine.ReadyKind, Pid = Environment.ProcessId });
        var summary = await QueueWorkLoops.RunAsync(services, loops, idle,
            writeUnits ? (unit, done) => Write(new WorkerLine { Kind = WorkerLine.UnitKind, Unit = unit, Done = done }) : null,
            stop.Token, ct);
        Write(new WorkerLine { Kind = WorkerLine.SummaryKind, Pid = Environment.ProcessId, Summary = summary });
        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"队列工作进程 {Environment.ProcessId} 结束（{summary.Stopped}）：处理 {summary.Units} 个任务，生成 {summary.Built} 份，跳过 {summary.Skipped} 份，CPU {summary.CpuSeconds:0.0} 秒。"));
        return summary.Failed == 0 ? 0 : 1;
    }
}

/// <summary>What a worker's loops did: the counts of the units handled, and the CPU this process spent.</summary>
public sealed record WorkSummary
{
    public required int Loops { get; init; }

    /// <summary>Units handled (a deferred city unit counts: its message was handled and sent back for later).</summary>
    public required int Units { get; init; }

    public required int Deferred { get; init; }

    /// <summary>Workbooks built, skipped (inputs unchanged) and lost to another instance's upload, over the units and the district work a city unit built itself.</summary>
    public required int Built { get; init; }

    public required int Skipped { get; init; }

    public required int Busy { get; init; }

    /// <summary>Attempts of units that threw (each logged; the queue retries the unit and sets it aside after its last attempt).</summary>
    public required int Failed { get; init; }

    public required int RollupsRead { get; init; }

    public required int RollupsRebuilt { get; init; }

    /// <summary>CPU seconds of the whole process (start-up included) and of the time the loops ran.</summary>
    public required double CpuSeconds { get; init; }

    public required double WorkCpuSeconds { get; init; }

    public required double WallSeconds { get; init; }

    public DateTimeOffset? FirstUnitDone { get; init; }

    public DateTimeOffset? LastUnitDone { get; init; }

    /// <summary>Why the loops ended: <c>idle</c>, <c>stopped</c> (standard input closed, or the caller's stop) or <c>cancelled</c>.</summary>
    public required string Stopped { get; init; }
}

/// <summary>One line of <c>work</c>'s standard output.</summary>
public sealed record WorkerLine
{
    public const string ReadyKind = "ready";
    public const string UnitKind = "unit";
    public const string SummaryKind = "summary";

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public required string Kind { get; init; }

    public int? Pid { get; init; }

    public UnitResult? Unit { get; init; }

    public DateTimeOffset? Done { get; init; }

    public WorkSummary? Summary { get; init; }

    public static WorkerLine? Parse(string line)
    {
        if (!line.StartsWith('{'))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<WorkerLine>(line, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// Queue worker loops of one process, as <c>work</c> runs them and as the freshness benchmark runs them in its own
/// process: each loop takes one unit at a time through <see cref="ConsolidationQueueWorker.TryProcessOneAsync"/> and
/// polls every <c>Consolidation__PollSeconds</c> while the queue is empty.
/// </summary>
public static class QueueWorkLoops
{
    /// <param name="idle">Stop once the queue has stayed empty this long (null: only when stopped).</param>
    /// <param name="stop">Ends the loops once each has finished the unit in hand.</param>
    /// <param name="abort">Ends them at once (a unit in hand comes back to the queue when its visibility timeout ends).</param>
    public static async Task<WorkSummary> RunAsync(
        IServiceProvider services, int loops, TimeSpan? idle, Action<UnitResult, DateTimeOffset>? onUnit, CancellationToken stop, CancellationToken abort)
    {
        var worker = services.GetRequiredService<ConsolidationQueueWorker>();
        var queue = services.GetRequiredService<IConsolidationQueue>();
        var time = services.GetRequiredService<TimeProvider>();
        var poll = TimeSpan.FromSeconds(services.GetRequiredService<IOptions<ConsolidationQueueOptions>>().Value.PollSeconds);
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(QueueWorkLoops));
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var tally = new Tally();
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var idleEnded = false;

        void Handled(UnitResult unit)
        {
            var done = time.GetUtcNow();
            tally.Add(unit, done);
            onUnit?.Invoke(unit, done);
        }

        async Task LoopAsync()
        {
            while (!ending.IsCancellationRequested)
            {
                bool handled;
                try
                {
                    handled = await worker.TryProcessOneAsync(Handled, abort, _ => tally.Failed());
                }
                catch (OperationCanceledException) when (abort.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    // A storage outage must not end the process; the messages stay in the queue.
                    logger.LogError(ex, "Consolidation queue poll failed; retrying in {IntervalSeconds} s", poll.TotalSeconds);
                    handled = false;
                }

                if (!handled)
                {
                    await Task.Delay(poll, time, ending.Token).ContinueWith(_ => { }, TaskScheduler.Default);
                }
            }
        }

        async Task WatchIdleAsync(TimeSpan limit)
        {
            DateTimeOffset? emptySince = null;
            while (!ending.IsCancellationRequested)
            {
                try
                {
                    var waiting = await queue.CountAsync(cancellationToken: ending.Token);
                    emptySince = waiting == 0 ? emptySince ?? time.GetUtcNow() : null;
                    if (emptySince is { } since && time.GetUtcNow() - since >= limit)
                    {
                        idleEnded = true;
                        await ending.CancelAsync();
                        return;
                    }
                }
                catch (OperationCanceledException) when (ending.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    logger.LogError(ex, "Counting the consolidation queue failed; retrying in {IntervalSeconds} s", poll.TotalSeconds);
                    emptySince = null;
                }

                await Task.Delay(poll, time, ending.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        var tasks = Enumerable.Range(0, loops).Select(_ => Task.Run(LoopAsync, CancellationToken.None)).ToList();
        if (idle is { } limit)
        {
            tasks.Add(Task.Run(() => WatchIdleAsync(limit), CancellationToken.None));
        }

        using (abort.Register(() => ending.Cancel()))
        {
            await Task.WhenAll(tasks);
        }

        var process = Process.GetCurrentProcess();
        return tally.Summary(loops, (process.TotalProcessorTime - cpuBefore).TotalSeconds, process.TotalProcessorTime.TotalSeconds, clock.Elapsed.TotalSeconds,
            abort.IsCancellationRequested ? "cancelled" : idleEnded ? "idle" : "stopped");
    }

    private sealed class Tally
    {
        private readonly Lock _gate = new();
        private int _units, _deferred, _built, _skipped, _busy, _failed, _rollupsRead, _rollupsRebuilt;
        private DateTimeOffset? _first, _last;

        public void Add(UnitResult unit, DateTimeOffset done)
        {
            var parts = unit.Pulled.Append(unit).ToList();
            var results = parts.SelectMany(p => p.Results).ToList();
            lock (_gate)
            {
                _units++;
                _deferred += unit.Deferred ? 1 : 0;
                _built += results.Count(r => r.Outcome == BuildOutcome.Built);
                _skipped += results.Count(r => r.Outcome == BuildOutcome.Skipped);
                _busy += results.Count(r => r.Outcome == BuildOutcome.Busy);
                _failed += parts.Sum(p => p.Failed);
                _rollupsRead += unit.RollupsRead;
                _rollupsRebuilt += unit.RollupsRebuilt;
                _first ??= done;
                _last = done;
            }
        }

        /// <summary>An attempt of a unit that threw (logged by the worker, retried by the queue).</summary>
        public void Failed()
        {
            lock (_gate)
            {
                _failed++;
            }
        }

        public WorkSummary Summary(int loops, double workCpu, double cpu, double wall, string stopped)
        {
            lock (_gate)
            {
                return new WorkSummary
                {
                    Loops = loops,
                    Units = _units,
                    Deferred = _deferred,
                    Built = _built,
                    Skipped = _skipped,
                    Busy = _busy,
                    Failed = _failed,
                    RollupsRead = _rollupsRead,
                    RollupsRebuilt = _rollupsRebuilt,
                    CpuSeconds = cpu,
                    WorkCpuSeconds = workCpu,
                    WallSeconds = wall,
                    FirstUnitDone = _first,
                    LastUnitDone = _last,
                    Stopped = stopped,
                };
            }
        }
    }
}

/// <summary>
/// A child process of this same executable running <c>work</c> against a given storage: its <c>ready</c> line, its units
/// as they finish, its summary. <see cref="StopAsync"/> closes its standard input, so it finishes the units in hand and
/// exits; a parent that dies closes the pipe too, so no worker outlives it.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<WorkSummary> _summary = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder _errors = new();
    private readonly ConcurrentQueue<(UnitResult Unit, DateTimeOffset Done)> _units = new();

    private WorkerProcess(Process process) => (_process, Id) = (process, process.Id);

    public int Id { get; }

    /// <summary>Completes when the child's loops have started (its host is built and the storage reached).</summary>
    public Task Ready => _ready.Task;

    /// <summary>The units the child reported (with <c>--units</c>), each with when it was done.</summary>
    public IReadOnlyCollection<(UnitResult Unit, DateTimeOffset Done)> Units => _units;

    /// <summary>
    /// Starts <c>work</c> in a new process of this executable (<paramref name="entryAssembly"/>: the built reportpipeline.dll,
    /// by default this one) against <paramref name="connectionString"/>, with <paramref name="settings"/> as environment
    /// variables (<c>Consolidation__PollSeconds</c>, …).
    /// </summary>
    public static WorkerProcess Start(string connectionString, int loops, IReadOnlyDictionary<string, string>? settings = null,
        bool units = false, double? idleSeconds = null, bool untilStdinCloses = true, string? entryAssembly = null)
    {
        var dll = entryAssembly ?? typeof(WorkCommand).Assembly.Location;
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add(WorkCommand.Name);
        start.ArgumentList.Add("--workers");
        start.ArgumentList.Add(loops.ToString(CultureInfo.InvariantCulture));
        if (units)
        {
            start.ArgumentList.Add("--units");
        }

        if (idleSeconds is { } idle)
        {
            start.ArgumentList.Add("--idle-seconds");
            start.ArgumentList.Add(idle.ToString(CultureInfo.InvariantCulture));
        }

        if (untilStdinCloses)
        {
            start.ArgumentList.Add("--until-stdin-closes");
        }

        start.Environment[ReportStorageSettings.DefaultName] = connectionString;
        // Workstation GC, as the Functions worker (a console app) runs: this executable is a web host and defaults to server
        // GC, a heap and a GC thread per core in every worker process sharing the machine.
        start.Environment["DOTNET_gcServer"] = "0";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The worker process did not start.");
        var worker = new WorkerProcess(process);
        process.OutputDataReceived += (_, e) => worker.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (worker._errors)
                {
                    worker._errors.AppendLine(e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return worker;
    }

    /// <summary>The connection string this host's storage was built from, for child processes to reach the same storage.</summary>
    public static string ConnectionStringOf(IServiceProvider services) =>
        services.GetRequiredService<IConfiguration>()[ReportStorageSettings.DefaultName] is { Length: > 0 } connection
            ? connection
            : throw new InvalidOperationException("--processes 需要以连接字符串（ReportStorage）配置的存储，子进程才能连上同一存储。 Worker processes need a ReportStorage connection string.");

    /// <summary>The dotnet host running this process, or the one <c>dotnet test</c> names, or <c>dotnet</c> on the path.</summary>
    private static string DotnetHost()
    {
        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return current;
        }

        return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            // Standard output closed: the process is ending. A missing summary is reported with the child's errors, once
            // its standard error has been read to the end too.
            _ = Task.Run(async () =>
            {
                await _process.WaitForExitAsync();
                _ready.TrySetException(new InvalidOperationException($"The worker process ended before it was ready: {Errors()}"));
                _summary.TrySetException(new InvalidOperationException($"The worker process ended without a summary: {Errors()}"));
            });
            return;
        }

        switch (WorkerLine.Parse(line))
        {
            case { Kind: WorkerLine.ReadyKind }:
                _ready.TrySetResult();
                break;
            case { Kind: WorkerLine.UnitKind, Unit: { } unit, Done: { } done }:
                _units.Enqueue((unit, done));
                break;
            case { Kind: WorkerLine.SummaryKind, Summary: { } summary }:
                _summary.TrySetResult(summary);
                break;
        }
    }

    public string Errors()
    {
        lock (_errors)
        {
            return _errors.ToString();
        }
    }

    /// <summary>
    /// Closes the child's standard input and waits for its summary and exit; a child that has not exited within
    /// <paramref name="patience"/> (default 2 minutes: it finishes the unit in hand first) is killed and reported.
    /// </summary>
    public async Task<WorkSummary> StopAsync(CancellationToken cancellationToken = default, TimeSpan? patience = null)
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // Already gone: its summary (or its errors) tell what happened.
        }

        try
        {
            return await CompletionAsync(cancellationToken).WaitAsync(patience ?? TimeSpan.FromMinutes(2), cancellationToken);
        }
        catch (TimeoutException)
        {
            await DisposeAsync();
            throw new InvalidOperationException($"工作进程 {Id} 在关闭输入后没有结束，已强制终止。 The worker process did not exit after its input closed: {Errors()}");
        }
    }

    /// <summary>The child's summary once it has exited by itself (idle) or been stopped.</summary>
    public async Task<WorkSummary> CompletionAsync(CancellationToken cancellationToken = default)
    {
        await _process.WaitForExitAsync(cancellationToken);
        return await _summary.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }

        _process.Dispose();
    }
}
