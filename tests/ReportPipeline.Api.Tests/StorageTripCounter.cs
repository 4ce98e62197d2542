using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using ReportPipeline.Storage.Diagnostics;

namespace ReportPipeline.Api.Tests;

/// <summary>
/// Storage round trips by service while it lives (the product's counting policy's meter, tagged by service). The meter
/// counts every host of the process: use it in the collection whose hosts run alone.
/// </summary>
internal sealed class StorageTripCounter : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _trips = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _retries = new(StringComparer.Ordinal);

    public StorageTripCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == StorageMetrics.MeterName && instrument.Name is "storage.round_trips" or "storage.retries")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var counts = instrument.Name == "storage.retries" ? _retries : _trips;
            foreach (var tag in tags)
            {
                if (tag.Key == "service")
                {
                    counts.AddOrUpdate((string)tag.Value!, value, (_, n) => n + value);
                }
            }
        });
        _listener.Start();
    }

    /// <summary>Requests sent to the service, retries included.</summary>
    public long Of(string service) => _trips.GetValueOrDefault(service);

    /// <summary>Requests sent again after a transient failure (a slow emulator's timeout): a count of round trips a route needs leaves them out.</summary>
    public long RetriesOf(string service) => _retries.GetValueOrDefault(service);

    public void Dispose() => _listener.Dispose();
}
