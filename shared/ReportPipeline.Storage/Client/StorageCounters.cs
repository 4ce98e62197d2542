using System.Diagnostics.Metrics;

namespace ReportPipeline.Storage.Client;

/// <summary>
/// Listens to the process-wide <c>storage.*</c> counters of the <c>ReportPipeline</c> meter, for code that only has a
/// port (not a client) in hand. Counts everything in the process, so read it while nothing else is talking to storage.
/// </summary>
public sealed class StorageCounters : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _roundTrips;
    private long _retries;
    private long _conflicts;

    public StorageCounters()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == StorageMetrics.MeterName && instrument.Name is "storage.round_trips" or "storage.retries" or "storage.conflicts")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            switch (instrument.Name)
            {
                case "storage.round_trips": Interlocked.Add(ref _roundTrips, value); break;
                case "storage.retries": Interlocked.Add(ref _retries, value); break;
                default: Interlocked.Add(ref _conflicts, value); break;
            }
        });
        _listener.Start();
    }

    public StorageCountersSnapshot Snapshot() => new(Interlocked.Read(ref _roundTrips), Interlocked.Read(ref _retries), Interlocked.Read(ref _conflicts));

    public void Dispose() => _listener.Dispose();
}
