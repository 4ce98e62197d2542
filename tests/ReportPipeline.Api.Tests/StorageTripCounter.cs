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

    public StorageTripCounter()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == StorageMetrics.MeterName && instrument.Name == "storage.round_trips")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "service")
                {
                    _trips.AddOrUpdate((string)tag.Value!, value, (_, n) => n + value);
                }
            }
        });
        _listener.Start();
    }

    public long Of(string service) => _trips.GetValueOrDefault(service);

    public void Dispose() => _listener.Dispose();
}
