using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Hosting;

namespace ReportPipeline.LocalHost;

/// <summary>
/// Once Kestrel listens, and before the host's start completes, sends the host one <c>GET /api/health</c>: the first
/// request builds the route table's matcher, compiles the middleware and the storage clients' request path and opens the
/// first table and blob connections, work that otherwise falls on a burst of first requests at once. (The reference data
/// is loaded by <see cref="Application.Reference.ReferenceWarmUp"/>, in both hosts; the Functions app's routing belongs to
/// the Functions host.) A failure is logged and the host starts anyway.
/// </summary>
internal sealed class FirstRequestWarmUp(IServer server, ILogger<FirstRequestWarmUp> logger) : IHostedLifecycleService
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null || !Uri.TryCreate(address.Replace("://+", "://127.0.0.1", StringComparison.Ordinal).Replace("://*", "://127.0.0.1", StringComparison.Ordinal), UriKind.Absolute, out var baseAddress))
        {
            return;
        }

        try
        {
            using var http = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout };
            using var response = await http.GetAsync("/" + ApiRoutes.Prefix + "/" + ApiRoutes.Health, cancellationToken);
            logger.LogDebug("First request warm-up answered {Status}", (int)response.StatusCode);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("First request warm-up failed ({Reason}); the first requests will do that work", ex.GetType().Name);
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
