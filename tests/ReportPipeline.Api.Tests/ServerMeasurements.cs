using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;

namespace ReportPipeline.Api.Tests;

/// <summary>
/// What one host's server measured, through ASP.NET Core's own metrics: the status of each finished request
/// (<c>http.server.request.duration</c>, the figure request telemetry and so the 5xx alert count) and each closed
/// connection (<c>kestrel.connection.duration</c>, recorded once the server has finished with the connection, after
/// anything it logged about it). Only the meters of that host's meter factory are listened to, so other hosts do not mix in.
/// </summary>
public sealed class ServerMeasurements : IDisposable
{
    private readonly MeterListener _listener = new();

    public ServerMeasurements(IServiceProvider services)
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, factory)
                && instrument.Name is "http.server.request.duration" or "kestrel.connection.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) =>
        {
            var byName = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                byName[tag.Key] = Convert.ToString(tag.Value, CultureInfo.InvariantCulture);
            }

            if (instrument.Name == "http.server.request.duration")
            {
                FinishedRequests.Enqueue(int.Parse(byName["http.response.status_code"]!, CultureInfo.InvariantCulture));
            }
            else
            {
                ClosedConnections.Enqueue(byName.GetValueOrDefault("error.type"));
            }
        });
        _listener.Start();
    }

    /// <summary>The response status of each finished request.</summary>
    public ConcurrentQueue<int> FinishedRequests { get; } = new();

    /// <summary>Each closed connection, with the reason the server gives when it ended abnormally (its <c>error.type</c>).</summary>
    public ConcurrentQueue<string?> ClosedConnections { get; } = new();

    public void Dispose() => _listener.Dispose();
}
