using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Http;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.LocalHost;
using ReportPipeline.Storage;
using ReportPipeline.Testing;

namespace ReportPipeline.Api.Tests;

/// <summary>
/// Behaviour that needs a host of its own: its storage stopped, or its settings changed. These tests measure a second-long
/// idle timeout and a storage budget, so they run alone rather than beside the other collections' hosts.
/// </summary>
[Collection(DedicatedHostsRunAlone.Name)]
public sealed class DedicatedHostTests
{
    private const string Month = "2026-11";

    [Fact]
    public async Task While_storage_is_down_a_submission_answers_503_with_retry_after_and_health_tells_no_exception_text()
    {
        var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        await using var runtime = await DedicatedHost.StartAsync(new() { ["ReportStorage"] = azurite.ConnectionString });
        using var http = new HttpClient { BaseAddress = new Uri(runtime.BaseAddress) };
        var orgs = await runtime.Services.GetRequiredService<ReferenceData>().GetOrgsAsync(CancellationToken.None);
        var village = orgs.All.First(o => o.Level == Domain.Orgs.OrgLevel.Village);
        var token = runtime.Services.GetRequiredService<DevelopmentTokenIssuer>().Mint(village.Code, ["submitter"], null, TimeSpan.FromHours(1));

        await azurite.DisposeAsync();

        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/2026-11")
        {
            Content = new StringContent("""{"values": {"pop_resident": 100}}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var submit = await http.SendAsync(request);
        var problem = await UploadLimitsTests.AssertProblemAsync(submit, 503);
        Assert.True(submit.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("没有保存", detail, StringComparison.Ordinal);
        Assert.Contains("重新提交", detail, StringComparison.Ordinal);

        using var health = await http.GetAsync("/api/health");
        var text = await health.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal(["status", "storage"], JsonDocument.Parse(text).RootElement.EnumerateObject().Select(p => p.Name).ToArray());
    }

    // Two things end a stalled body: the route's own idle timer (Pipeline:UploadIdleTimeoutSeconds) and, for a body that
    // has been slower than Kestrel's minimum data rate (240 B/s after a 5 s grace) on average, the server itself. Either
    // way the client gets the Chinese 408 saying the connection closes, and the server is left able to drain or close the
    // connection without an error. Every route that reads a body answers a stall the same way: submissions, pre-fill, an
    // approval step (the JSON reader), a report proposal and a template check of a header workbook.
    [Theory]
    [InlineData("1", "submission")]
    [InlineData("600", "submission")]
    [InlineData("1", "prefill")]
    [InlineData("1", "approval")]
    [InlineData("1", "proposal")]
    [InlineData("1", "check")]
    public async Task A_client_that_stalls_mid_upload_gets_408_with_connection_close_and_no_error_is_logged(string idleSeconds, string route)
    {
        await using var runtime = await DedicatedHost.StartAsync(new() { ["Pipeline:UploadIdleTimeoutSeconds"] = idleSeconds }, LogLevel.Information);
        var logs = CaptureLogs(runtime);
        using var measured = new ServerMeasurements(runtime.Services);
        var village = await VillageAsync(runtime);
        var (path, org, roles, dept, type) = route switch
        {
            "prefill" => ($"/api/departments/gaj/prefill/{Month}", village.ParentCode!, new[] { "admin" }, "gaj", "text/csv"),
            "approval" => ($"/api/orgs/{village.Code}/approval/{Month}", village.ParentCode!, new[] { "admin" }, (string?)null, "application/json"),
            "proposal" => ("/api/templates/proposals", village.ParentCode!, new[] { "admin" }, "gaj", "application/json"),
            "check" => ("/api/templates/check", village.ParentCode!, new[] { "admin" }, "gaj", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            _ => ($"/api/orgs/{village.Code}/submissions/{Month}", village.Code, new[] { "submitter" }, null, "application/json"),
        };
        using var socket = await SendHeadAndPartOfBodyAsync(runtime, path, org, roles, dept, type);
        var (status, head, answer) = await ReadResponseAsync(socket.GetStream()).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(StatusCodes.Status408RequestTimeout, status);
        Assert.Contains("上传中断", answer, StringComparison.Ordinal);
        Assert.Contains(head, h => h.Equals("Connection: close", StringComparison.OrdinalIgnoreCase));

        // The client stays silent, as a stalled one would. The server ends the connection itself (at once, or once it has
        // given up draining the rest of the body) after anything it logs about the request.
        await WaitUntilAsync(() => !measured.ClosedConnections.IsEmpty);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
        Assert.Equal([StatusCodes.Status408RequestTimeout], measured.FinishedRequests);
        Assert.Contains(logs.Entries, e => IsInformationAbout(e, path));
        await AssertNothingStoredAsync(runtime, village);
    }

    // A client that goes away mid-body, politely (FIN) or not (RST, as when a phone loses its network or a proxy gives up).
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_client_that_hangs_up_mid_upload_is_logged_as_information_and_not_counted_as_a_server_error(bool reset)
    {
        await using var runtime = await DedicatedHost.StartAsync(new(), LogLevel.Information);
        var logs = CaptureLogs(runtime);
        using var measured = new ServerMeasurements(runtime.Services);
        var budget = runtime.Services.GetRequiredService<UploadBudget>();
        var village = await VillageAsync(runtime);

        using (var socket = await SendHeadAndPartOfBodyAsync(runtime, village))
        {
            // The upload's memory is reserved just before its body is read: the route is now waiting for the rest.
            await WaitUntilAsync(() => budget.InFlight > 0);
            if (reset)
            {
                socket.Client.LingerState = new LingerOption(true, 0);
            }
        }

        await WaitUntilAsync(() => !measured.ClosedConnections.IsEmpty);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
        Assert.Contains(logs.Entries, e => IsInformationAbout(e, village));
        var status = Assert.Single(measured.FinishedRequests);
        Assert.InRange(status, 400, 499);
        Assert.Equal(0, budget.InFlight);
        await AssertNothingStoredAsync(runtime, village);
    }

    // Kestrel cancels RequestAborted on the thread pool, so the reset that ends the body read can arrive first: the
    // answer must not depend on which comes first. Ten resets in a row, each logged at information level.
    [Fact]
    public async Task Every_client_that_resets_mid_upload_is_logged_as_information_never_as_an_error()
    {
        await using var runtime = await DedicatedHost.StartAsync(new(), LogLevel.Information);
        var logs = CaptureLogs(runtime);
        using var measured = new ServerMeasurements(runtime.Services);
        var village = await VillageAsync(runtime);

        for (var i = 1; i <= 10; i++)
        {
            using (var socket = await SendHeadAndPartOfBodyAsync(runtime, village))
            {
                await Task.Delay(300);
                socket.Client.LingerState = new LingerOption(true, 0);
            }

            await WaitUntilAsync(() => measured.ClosedConnections.Count >= i && measured.FinishedRequests.Count >= i);
        }

        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
        Assert.All(measured.FinishedRequests, status => Assert.InRange(status, 400, 499));
        await AssertNothingStoredAsync(runtime, village);
    }

    // The race itself, made certain: the body read fails while RequestAborted has not fired (as when Kestrel's abort runs
    // later on the thread pool), with each exception the read can end in — a reset as Kestrel reports it, a socket's
    // IOException, the server's own abort at shutdown, a bare IOException. Each is the connection's end: information,
    // 499, never a 503 that blames storage nor a 500 that logs an error.
    [Theory]
    [InlineData("reset", "submission")]
    [InlineData("socket", "submission")]
    [InlineData("shutdown", "submission")]
    [InlineData("io", "submission")]
    [InlineData("io", "prefill")]
    [InlineData("io", "proposal")]
    public async Task A_body_read_ended_by_the_connection_before_the_abort_token_fires_is_information_and_499(string fault, string route)
    {
        await using var runtime = await DedicatedHost.StartAsync(new(), LogLevel.Information, services => services.AddSingleton<IStartupFilter>(new FaultyBodyFilter()));
        var logs = CaptureLogs(runtime);
        var village = await VillageAsync(runtime);
        var tokens = runtime.Services.GetRequiredService<DevelopmentTokenIssuer>();
        using var http = new HttpClient { BaseAddress = new Uri(runtime.BaseAddress) };
        // The same body on every route: each reads it through the one body reader, so each sees the fault the same way.
        var (path, org, roles, dept, type) = route switch
        {
            "prefill" => ($"/api/departments/gaj/prefill/{Month}", village.ParentCode!, new[] { "admin" }, "gaj", "text/csv"),
            "proposal" => ("/api/templates/proposals", village.ParentCode!, new[] { "admin" }, "gaj", "application/json"),
            _ => ($"/api/orgs/{village.Code}/submissions/{Month}", village.Code, new[] { "submitter" }, (string?)null, "application/json"),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent("""{"values": {"pop_resident": 100}}""", Encoding.UTF8, type),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Mint(org, roles, dept, TimeSpan.FromHours(1)));
        request.Headers.Add(FaultyBodyFilter.Header, fault);

        using var response = await http.SendAsync(request);

        Assert.True(499 == (int)response.StatusCode, $"{(int)response.StatusCode}: {string.Join(" / ", logs.Entries.Where(e => e.Level >= LogLevel.Warning).Select(e => e.Message))}");
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("ended the connection during POST " + path, StringComparison.Ordinal));
        await AssertNothingStoredAsync(runtime, village);
    }

    /// <summary>Gives a request that asks for it a body whose second read fails with the chosen exception.</summary>
    private sealed class FaultyBodyFilter : IStartupFilter
    {
        public const string Header = "X-Test-Body-Fault";

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (context.Request.Headers.TryGetValue(Header, out var fault))
                {
                    context.Request.Body = new FaultyStream(fault.ToString() switch
                    {
                        "reset" => new ConnectionResetException("Connection reset by peer", new SocketException((int)SocketError.ConnectionReset)),
                        "socket" => new IOException("Unable to read data from the transport connection: Connection reset by peer.", new SocketException((int)SocketError.ConnectionReset)),
                        "shutdown" => new ConnectionAbortedException("The connection was aborted because the server is shutting down."),
                        _ => new IOException("The request stream ended abnormally."),
                    });
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }

    private sealed class FaultyStream(Exception fault) : Stream
    {
        private static readonly byte[] s_start = Encoding.ASCII.GetBytes("{\"values\": {");
        private int _sent;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (buffer.IsEmpty)
            {
                return ValueTask.FromResult(0);
            }

            if (_sent == s_start.Length)
            {
                return ValueTask.FromException<int>(fault);
            }

            var count = Math.Min(buffer.Length, s_start.Length - _sent);
            s_start.AsSpan(_sent, count).CopyTo(buffer.Span);
            _sent += count;
            return ValueTask.FromResult(count);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    // The storage budget (2 s here) ends while the submission's transaction is on the wire and its answer is slow: the
    // transaction is waited for, since it may have committed, and the clerk is told what happened to it.
    [Fact]
    public async Task A_commit_sent_before_the_budget_ends_is_waited_for_and_answered_201_not_nothing_saved()
    {
        var slow = new SlowStoragePolicy();
        await using var runtime = await DedicatedHost.StartAsync(BudgetSettings, configureServices: slow.AddTo);
        var village = await VillageAsync(runtime);
        slow.Delay(IsTransaction, TimeSpan.FromSeconds(4));

        using var response = await SubmitAsync(runtime, village, "2026-10");

        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("没有保存任何数据", text, StringComparison.Ordinal);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {text}");
        Assert.Equal(1, slow.Delayed);
        Assert.NotEmpty((await runtime.Services.GetRequiredService<IFieldValueStore>().GetAsync(village.Code, Period.Parse("2026-10"))).Values);
    }

    [Fact]
    public async Task A_commit_whose_answer_never_comes_is_answered_outcome_unknown_and_the_resend_is_a_replay()
    {
        var slow = new SlowStoragePolicy();
        await using var runtime = await DedicatedHost.StartAsync(BudgetSettings, configureServices: slow.AddTo);
        var village = await VillageAsync(runtime);
        slow.Delay(IsTransaction, TimeSpan.FromSeconds(60));

        using (var response = await SubmitAsync(runtime, village, "2026-09"))
        {
            var problem = await UploadLimitsTests.AssertProblemAsync(response, 503);
            var detail = problem.GetProperty("detail").GetString()!;
            Assert.DoesNotContain("没有保存任何数据", detail, StringComparison.Ordinal);
            Assert.Contains("提交结果未知，可以安全地重新提交（重复提交不会重复保存）", detail, StringComparison.Ordinal);
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        }

        // The transaction had in fact committed: the resend writes nothing and returns its receipt.
        slow.Delay(_ => false, TimeSpan.Zero);
        using var resent = await SubmitAsync(runtime, village, "2026-09");
        Assert.Equal(HttpStatusCode.OK, resent.StatusCode);
        Assert.True((await ReadJsonAsync(resent)).GetProperty("replay").GetBoolean());
    }

    [Theory]
    [InlineData("quality")]
    [InlineData("burden")]
    [InlineData("reports")]
    public async Task A_read_that_runs_out_of_storage_budget_is_told_to_refresh_not_that_nothing_was_saved(string route)
    {
        var slow = new SlowStoragePolicy();
        await using var runtime = await DedicatedHost.StartAsync(BudgetSettings, configureServices: slow.AddTo);
        var village = await VillageAsync(runtime);
        var township = village.ParentCode!;
        slow.Delay(m => m.Request.Method == RequestMethod.Get && m.Request.Uri.Path.Contains(StorageNames.ValuesTable, StringComparison.Ordinal), TimeSpan.FromSeconds(60));
        var token = runtime.Services.GetRequiredService<DevelopmentTokenIssuer>().Mint(township, ["viewer"], null, TimeSpan.FromHours(1));
        using var http = new HttpClient { BaseAddress = new Uri(runtime.BaseAddress) };
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/orgs/{township}/{route}/{Month}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await http.SendAsync(request);

        var problem = await UploadLimitsTests.AssertProblemAsync(response, 503);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("请稍后刷新", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("保存", detail, StringComparison.Ordinal);
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero);
    }

    private static Dictionary<string, string?> BudgetSettings => new()
    {
        ["Pipeline:RequestStorageBudgetSeconds"] = "2",
        ["Pipeline:RequestCommitTimeoutSeconds"] = "6",
    };

    private static bool IsTransaction(HttpMessage message) =>
        message.Request.Method == RequestMethod.Post && message.Request.Uri.Path.EndsWith("$batch", StringComparison.Ordinal);

    private static async Task<HttpResponseMessage> SubmitAsync(LocalHostRuntime runtime, Org village, string period)
    {
        var token = runtime.Services.GetRequiredService<DevelopmentTokenIssuer>().Mint(village.Code, ["submitter"], null, TimeSpan.FromHours(1));
        using var http = new HttpClient { BaseAddress = new Uri(runtime.BaseAddress), Timeout = TimeSpan.FromSeconds(90) };
        // What the village would type for the period: valid, so that the only thing in the way is storage.
        var catalog = runtime.Services.GetRequiredService<ReferenceData>().Catalog.Catalog;
        var parsed = Period.Parse(period);
        var values = Development.Synthetic.SyntheticValues.Generate(catalog, village, parsed, seed: 1)
            .Where(kv => catalog.Find(kv.Key) is { Source: Domain.Catalog.FieldSource.Typed } f && f.Frequency == parsed.Kind)
            .ToDictionary(kv => kv.Key, kv => kv.Value);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { values }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    /// <summary>
    /// Added to the host's tables client: lets the chosen requests reach storage (they take effect there), then holds
    /// their answer back, as a slow or lost response does; the hold ends when the caller's token is cancelled.
    /// </summary>
    private sealed class SlowStoragePolicy : HttpPipelinePolicy
    {
        private volatile Func<HttpMessage, bool> _applies = _ => false;
        private TimeSpan _delay;
        private int _delayed;

        public int Delayed => Volatile.Read(ref _delayed);

        public void Delay(Func<HttpMessage, bool> applies, TimeSpan delay)
        {
            _delay = delay;
            _applies = applies;
        }

        public void AddTo(IServiceCollection services) =>
            services.ConfigureAll<TableClientOptions>(options => options.AddPolicy(this, HttpPipelinePosition.PerRetry));

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline) => throw new NotSupportedException();

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            if (_applies(message))
            {
                Interlocked.Increment(ref _delayed);
                await Task.Delay(_delay, message.CancellationToken);
            }
        }
    }

    private static CapturedLogs CaptureLogs(LocalHostRuntime runtime)
    {
        var logs = new CapturedLogs();
        runtime.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        return logs;
    }

    private static async Task<Org> VillageAsync(LocalHostRuntime runtime)
    {
        var orgs = await runtime.Services.GetRequiredService<ReferenceData>().GetOrgsAsync(CancellationToken.None);
        return orgs.All.First(o => o.Level == OrgLevel.Village);
    }

    /// <summary>A submission whose head says 10,000 bytes follow, and then only its first few.</summary>
    private static Task<TcpClient> SendHeadAndPartOfBodyAsync(LocalHostRuntime runtime, Org village) =>
        SendHeadAndPartOfBodyAsync(runtime, $"/api/orgs/{village.Code}/submissions/{Month}", village.Code, ["submitter"], null, "application/json");

    /// <summary>
    /// A POST to <paramref name="path"/> whose head says 10,000 bytes follow (under every route's limit, the approval
    /// step's 16 KB the smallest), and then only its first few.
    /// </summary>
    private static async Task<TcpClient> SendHeadAndPartOfBodyAsync(LocalHostRuntime runtime, string path, string org, string[] roles, string? dept, string contentType)
    {
        var token = runtime.Services.GetRequiredService<DevelopmentTokenIssuer>().Mint(org, roles, dept, TimeSpan.FromHours(1));
        var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, new Uri(runtime.BaseAddress).Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n"
            + $"Content-Type: {contentType}\r\nContent-Length: 10000\r\n\r\n{{\"values\": {{"));
        await stream.FlushAsync();
        return socket;
    }

    /// <summary>The status, head lines and body of one HTTP/1.1 response (chunked, as the problem answers are), read off the socket.</summary>
    private static async Task<(int Status, string[] Head, string Body)> ReadResponseAsync(NetworkStream stream)
    {
        var received = new List<byte>();
        var chunk = new byte[4096];
        while (!received.ToArray().AsSpan().EndsWith("\r\n0\r\n\r\n"u8))
        {
            var read = await stream.ReadAsync(chunk);
            Assert.True(read > 0, "the server closed the connection before the whole response was sent");
            received.AddRange(chunk.AsSpan(0, read));
        }

        var bytes = received.ToArray();
        var headEnd = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        var head = Encoding.ASCII.GetString(bytes, 0, headEnd).Split("\r\n");
        Assert.Contains(head, h => h.Equals("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase));
        var body = new List<byte>();
        var at = headEnd + 4;
        while (true)
        {
            var sizeEnd = at + bytes.AsSpan(at).IndexOf("\r\n"u8);
            var size = Convert.ToInt32(Encoding.ASCII.GetString(bytes, at, sizeEnd - at), 16);
            if (size == 0)
            {
                break;
            }

            body.AddRange(bytes.AsSpan(sizeEnd + 2, size));
            at = sizeEnd + 2 + size + 2;
        }

        return (int.Parse(head[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), head, Encoding.UTF8.GetString(body.ToArray()));
    }

    /// <summary>The route said, at information level, what became of the upload to the village.</summary>
    private static bool IsInformationAbout((LogLevel Level, string Category, string Message) entry, Org village) =>
        entry.Level == LogLevel.Information
        && entry.Category.StartsWith("ReportPipeline.Application.Http.", StringComparison.Ordinal)
        && entry.Message.Contains(village.Code, StringComparison.Ordinal);

    /// <summary>The body reader said, at information level, what became of the request to <paramref name="path"/>.</summary>
    private static bool IsInformationAbout((LogLevel Level, string Category, string Message) entry, string path) =>
        entry.Level == LogLevel.Information
        && entry.Category.StartsWith("ReportPipeline.Application.Http.", StringComparison.Ordinal)
        && entry.Message.Contains(path, StringComparison.Ordinal);

    private static async Task AssertNothingStoredAsync(LocalHostRuntime runtime, Org village)
    {
        var stored = await runtime.Services.GetRequiredService<IFieldValueStore>().GetAsync(village.Code, Period.Parse(Month));
        Assert.Empty(stored.Values);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 1200 && !condition(); i++)
        {
            await Task.Delay(50);
        }

        Assert.True(condition(), "the condition did not become true within 60 s");
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DedicatedHostsRunAlone
{
    public const string Name = "Dedicated hosts, run alone";
}
