using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReportPipeline.LocalHost;

namespace ReportPipeline.Api.Tests;

/// <summary>A local host of a test's own on a free loopback port, without background workers, started.</summary>
internal static class DedicatedHost
{
    public static async Task<LocalHostRuntime> StartAsync(
        Dictionary<string, string?>? settings = null, LogLevel minimumLevel = LogLevel.Warning, Action<IServiceCollection>? configureServices = null)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var runtime = await LocalHostRuntime.CreateAsync([], $"http://127.0.0.1:{port}", runWorkers: false,
            configure: c => c.AddInMemoryCollection(settings ?? []), minimumLevel: minimumLevel, configureServices: configureServices);
        await runtime.App.StartAsync();
        return runtime;
    }
}
