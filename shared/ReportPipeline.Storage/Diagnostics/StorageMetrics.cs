using System.Diagnostics.Metrics;

namespace ReportPipeline.Storage.Diagnostics;

/// <summary>The storage counters on the shared <c>ReportPipeline</c> meter.</summary>
public static class StorageMetrics
{
    public const string MeterName = "ReportPipeline";

    public static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> RoundTrips = Meter.CreateCounter<long>("storage.round_trips", description: "HTTP requests sent to Azure Storage, retries included");
    public static readonly Counter<long> Retries = Meter.CreateCounter<long>("storage.retries", description: "Requests that were sent again after a transient failure");
    public static readonly Counter<long> Conflicts = Meter.CreateCounter<long>("storage.conflicts", description: "Responses with 409 or 412 (optimistic concurrency lost, or create-only found an existing item)");
    public static readonly Counter<long> EntitiesWritten = Meter.CreateCounter<long>("storage.entities_written", description: "Table entities in write requests and entity group transactions that succeeded");
    public static readonly Counter<long> EntitiesSkipped = Meter.CreateCounter<long>("storage.entities_skipped", description: "Value chunks a merge did not need to write because nothing in them changed");
}

/// <summary>
/// Exact counts for the clients built with one <see cref="StorageCountingPolicy"/> set, so that a test or benchmark can
/// read its own figures without listening to the process-wide meter that other components also feed.
/// </summary>
public sealed class StorageDiagnostics
{
    private long _roundTrips;
    private long _retries;
    private long _conflicts;
    private long _entitiesWritten;

    public long RoundTrips => Interlocked.Read(ref _roundTrips);
    public long Retries => Interlocked.Read(ref _retries);
    public long Conflicts => Interlocked.Read(ref _conflicts);
    /// <summary>Table entities in successful writes: one per single-entity write, one per operation of a transaction.</summary>
    public long EntitiesWritten => Interlocked.Read(ref _entitiesWritten);

    internal void OnRoundTrip() => Interlocked.Increment(ref _roundTrips);
    internal void OnRetry() => Interlocked.Increment(ref _retries);
    internal void OnConflict() => Interlocked.Increment(ref _conflicts);
    internal void OnEntitiesWritten(int count) => Interlocked.Add(ref _entitiesWritten, count);

    public StorageCountersSnapshot Snapshot() => new(RoundTrips, Retries, Conflicts, EntitiesWritten);
}

public readonly record struct StorageCountersSnapshot(long RoundTrips, long Retries, long Conflicts, long EntitiesWritten)
{
    public static StorageCountersSnapshot operator -(StorageCountersSnapshot a, StorageCountersSnapshot b)
        => new(a.RoundTrips - b.RoundTrips, a.Retries - b.Retries, a.Conflicts - b.Conflicts, a.EntitiesWritten - b.EntitiesWritten);
}

/// <summary>
/// Listens to the process-wide <c>storage.*</c> counters, for code that only has a port (not a client) in hand. Counts
/// everything in the process, so read it while nothing else is talking to storage.
/// </summary>
public sealed class StorageCounters : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _roundTrips;
    private long _retries;
    private long _conflicts;
    private long _entities;

    public StorageCounters()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == StorageMetrics.MeterName
                && instrument.Name is "storage.round_trips" or "storage.retries" or "storage.conflicts" or "storage.entities_written")
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
                case "storage.conflicts": Interlocked.Add(ref _conflicts, value); break;
                default: Interlocked.Add(ref _entities, value); break;
            }
        });
        _listener.Start();
    }

    public StorageCountersSnapshot Snapshot() => new(Interlocked.Read(ref _roundTrips), Interlocked.Read(ref _retries), Interlocked.Read(ref _conflicts), Interlocked.Read(ref _entities));

    public void Dispose() => _listener.Dispose();
}
