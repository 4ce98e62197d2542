using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
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
        await using var runtime = await StartAsync(new() { ["ReportStorage"] = azurite.ConnectionString });
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
    // way the client gets the Chinese 408, and the server is left able to drain or close the connection without an error.
    [Theory]
    [InlineData("1")]
    [InlineData("600")]
    public async Task A_client_that_stalls_mid_upload_gets_408_and_no_error_is_logged(string idleSeconds)
    {
        await using var runtime = await StartAsync(new() { ["Pipeline:UploadIdleTimeoutSeconds"] = idleSeconds }, LogLevel.Information);
        var logs = CaptureLogs(runtime);
        using var measured = new ServerMeasurements(runtime.Services);
        var village = await VillageAsync(runtime);
        using var socket = await SendHeadAndPartOfBodyAsync(runtime, village);
        var (status, answer) = await ReadResponseAsync(socket.GetStream()).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(StatusCodes.Status408RequestTimeout, status);
        Assert.Contains("上传中断", answer, StringComparison.Ordinal);

        // The client stays silent, as a stalled one would. The server ends the connection itself (at once, or once it has
        // given up draining the rest of the body) after anything it logs about the request.
        await WaitUntilAsync(() => !measured.ClosedConnections.IsEmpty);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Error);
        Assert.Equal([StatusCodes.Status408RequestTimeout], measured.FinishedRequests);
        Assert.Contains(logs.Entries, e => IsInformationAbout(e, village));
        await AssertNothingStoredAsync(runtime, village);
    }

    // A client that goes away mid-body, politely (FIN) or not (RST, as when a phone loses its network or a proxy gives up).
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_client_that_hangs_up_mid_upload_is_logged_as_information_and_not_counted_as_a_server_error(bool reset)
    {
        await using var runtime = await StartAsync(new(), LogLevel.Information);
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

    /// <summary>A submission whose head says 100,000 bytes follow, and then only its first few.</summary>
    private static async Task<TcpClient> SendHeadAndPartOfBodyAsync(LocalHostRuntime runtime, Org village)
    {
        var token = runtime.Services.GetRequiredService<DevelopmentTokenIssuer>().Mint(village.Code, ["submitter"], null, TimeSpan.FromHours(1));
        var socket = new TcpClient();
        await socket.ConnectAsync(IPAddress.Loopback, new Uri(runtime.BaseAddress).Port);
        var stream = socket.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /api/orgs/{village.Code}/submissions/{Month} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n"
            + "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"values\": {"));
        await stream.FlushAsync();
        return socket;
    }

    /// <summary>The status and body of one HTTP/1.1 response (chunked, as the problem answers are), read off the socket.</summary>
    private static async Task<(int Status, string Body)> ReadResponseAsync(NetworkStream stream)
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

        return (int.Parse(head[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), Encoding.UTF8.GetString(body.ToArray()));
    }

    /// <summary>The route said, at information level, what became of the upload to the village.</summary>
    private static bool IsInformationAbout((LogLevel Level, string Category, string Message) entry, Org village) =>
        entry.Level == LogLevel.Information
        && entry.Category.StartsWith("ReportPipeline.Application.Http.", StringComparison.Ordinal)
        && entry.Message.Contains(village.Code, StringComparison.Ordinal);

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

    private static async Task<LocalHostRuntime> StartAsync(Dictionary<string, string?> settings, LogLevel minimumLevel = LogLevel.Warning)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var runtime = await LocalHostRuntime.CreateAsync([], $"http://127.0.0.1:{port}", runWorkers: false,
            configure: c => c.AddInMemoryCollection(settings), minimumLevel: minimumLevel);
        await runtime.App.StartAsync();
        return runtime;
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DedicatedHostsRunAlone
{
    public const string Name = "Dedicated hosts, run alone";
}
