using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using ReportPipeline.Storage.Configuration;

namespace ReportPipeline.Development.Emulator;

/// <summary>
/// Runs the repository's pinned Azurite (node_modules/.bin/azurite) on free ports, for tests, the demo and the benchmarks:
/// in memory, or on disk in a temporary folder (as a deployed emulator keeps its data; the load benchmark). A small node wrapper ends Azurite when this process's stdin pipe closes, so a crashed parent leaves
/// nothing behind.
/// </summary>
public sealed class AzuriteEmulator : IAsyncDisposable
{
    // Relays Azurite's exit, and ends it when the parent's pipe closes (the parent exited or crashed).
    private const string WatchdogScript =
        "const {spawn}=require('child_process');" +
        "const c=spawn(process.argv[1],process.argv.slice(2),{stdio:['ignore','inherit','inherit'],shell:process.platform==='win32'});" +
        "const stop=()=>{try{c.kill();}catch{}process.exit(0);};" +
        "process.stdin.on('end',stop);process.stdin.on('close',stop);process.stdin.resume();" +
        "c.on('exit',code=>process.exit(code===null?1:code));";

    /// <summary>Azurite's well-known development account.</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";

    /// <summary>Azurite's well-known development key (public, documented; not a secret).</summary>
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private readonly Process _process;
    private readonly string _location;
    private readonly StringBuilder _output;

    private AzuriteEmulator(Process process, string location, StringBuilder output, int blobPort, int queuePort, int tablePort)
    {
        _process = process;
        _location = location;
        _output = output;
        BlobPort = blobPort;
        QueuePort = queuePort;
        TablePort = tablePort;
    }

    public int BlobPort { get; }
    public int QueuePort { get; }
    public int TablePort { get; }

    /// <summary>A connection string with explicit endpoints for the well-known development account.</summary>
    public string ConnectionString =>
        "DefaultEndpointsProtocol=http;" +
        $"AccountName={DevelopmentAccountName};AccountKey={DevelopmentAccountKey};" +
        $"BlobEndpoint=http://127.0.0.1:{BlobPort}/{DevelopmentAccountName};" +
        $"QueueEndpoint=http://127.0.0.1:{QueuePort}/{DevelopmentAccountName};" +
        $"TableEndpoint=http://127.0.0.1:{TablePort}/{DevelopmentAccountName};";

    /// <summary>The settings the SDK clients are built from (<see cref="StorageClients"/>).</summary>
    public ReportStorageSettings Settings => new() { ConnectionString = ConnectionString };

    /// <summary>
    /// Starts Azurite and waits until the blob and table endpoints accept connections.
    /// <paramref name="azuritePath"/> overrides the search for node_modules/.bin/azurite. <paramref name="onDisk"/> keeps
    /// the data in files under the emulator's temporary folder (removed on dispose) instead of in memory.
    /// </summary>
    public static async Task<AzuriteEmulator> StartAsync(string? azuritePath = null, TimeSpan? startTimeout = null, CancellationToken cancellationToken = default, bool onDisk = false)
    {
        var executable = azuritePath ?? FindAzurite()
            ?? throw new InvalidOperationException(
                "找不到 Azurite（node_modules/.bin/azurite）。请在仓库根目录运行 npm ci。 Azurite is not installed: run `npm ci` in the repository root.");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"Azurite not found at '{executable}'. Run `npm ci` in the repository root.");
        }

        // Azurite refuses --location together with --inMemoryPersistence; the working directory keeps any stray files out of the repository.
        var location = Path.Combine(Path.GetTempPath(), "azurite-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(location);
        var ports = FreePorts(3);
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = location,
        };
        start.ArgumentList.Add("-e");
        start.ArgumentList.Add(WatchdogScript);
        string[] persistence = onDisk ? ["--location", location] : ["--inMemoryPersistence"];
        string[] arguments =
        [
            executable, .. persistence, "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry",
            "--blobHost", "127.0.0.1", "--blobPort", Port(ports[0]),
            "--queueHost", "127.0.0.1", "--queuePort", Port(ports[1]),
            "--tableHost", "127.0.0.1", "--tablePort", Port(ports[2]),
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("无法启动 node：请安装 Node.js 并运行 npm ci。 Could not start node (needed for Azurite).", ex);
        }
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var emulator = new AzuriteEmulator(process, location, output, ports[0], ports[1], ports[2]);
        try
        {
            await emulator.WaitUntilReadyAsync(startTimeout ?? TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await emulator.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        return emulator;
    }

    /// <summary>Walks up from the working directory and from the app's base directory to find node_modules/.bin/azurite.</summary>
    public static string? FindAzurite()
    {
        var name = OperatingSystem.IsWindows() ? "azurite.cmd" : "azurite";
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                var candidate = Path.Combine(directory.FullName, "node_modules", ".bin", name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    private async Task WaitUntilReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Azurite exited with code {_process.ExitCode} before it was ready: {Output()}");
            }
            if (await AcceptsAsync(BlobPort, cancellationToken).ConfigureAwait(false)
                && await AcceptsAsync(QueuePort, cancellationToken).ConfigureAwait(false)
                && await AcceptsAsync(TablePort, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"Azurite did not open ports {BlobPort}/{QueuePort}/{TablePort} within {timeout.TotalSeconds:0} s: {Output()}");
            }
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    private static async Task<bool> AcceptsAsync(int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static int[] FreePorts(int count)
    {
        // Hold all listeners until every port is chosen, so the same port is not handed out twice.
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }

    private static string Port(int port) => port.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// CPU time the emulator has used so far (its process and every process under it: the watchdog starts Azurite as a
    /// child), read from /proc; null where there is no /proc. Azurite is single-threaded, so this over wall time is the
    /// share of its one core it used.
    /// </summary>
    public TimeSpan? CpuTime()
    {
        if (!Directory.Exists("/proc/self"))
        {
            return null;
        }

        long ticks = 0;
        var pending = new Stack<int>([_process.Id]);
        var seen = new HashSet<int>();
        while (pending.TryPop(out var pid))
        {
            if (!seen.Add(pid))
            {
                continue;
            }

            try
            {
                // /proc/{pid}/stat: the command may contain spaces, so count fields after its closing parenthesis;
                // utime and stime are fields 14 and 15 (11th and 12th after it), in clock ticks of 1/100 s.
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
                {
                    foreach (var child in File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                    {
                        pending.Push(int.Parse(child, CultureInfo.InvariantCulture));
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
            {
                // The process ended while being read: its time is gone with it.
            }
        }

        return TimeSpan.FromMilliseconds(ticks * 10);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            // Already gone, or the OS refused: nothing more to stop.
        }
        _process.Dispose();
        try
        {
            Directory.Delete(_location, recursive: true);
        }
        catch (IOException)
        {
            // A leftover empty temp folder is harmless.
        }
    }
}
