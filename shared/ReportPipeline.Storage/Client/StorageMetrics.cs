using System.Diagnostics.Metrics;

namespace ReportPipeline.Storage.Client;

/// <summary>The storage counters on the shared <c>ReportPipeline</c> meter.</summary>
public static class StorageMetrics
{
    public const string MeterName = "ReportPipeline";

    public static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> RoundTrips = Meter.CreateCounter<long>("storage.round_trips", description: "HTTP requests sent to Azure Storage, retries included");
    public static readonly Counter<long> Retries = Meter.CreateCounter<long>("storage.retries", description: "Requests that were sent again after a transient failure");
    public static readonly Counter<long> Conflicts = Meter.CreateCounter<long>("storage.conflicts", description: "Responses with 409 or 412 (optimistic concurrency lost, or create-only found an existing item)");
    public static readonly Counter<long> EntitiesWritten = Meter.CreateCounter<long>("storage.entities_written", description: "Table entities written by merges");
    public static readonly Counter<long> EntitiesSkipped = Meter.CreateCounter<long>("storage.entities_skipped", description: "Value chunks a merge did not need to write because nothing in them changed");
}

/// <summary>
/// Counts kept per client family, so that a test or benchmark can read exact figures
/// without listening to the process-wide meter that other components also feed.
/// </summary>
public sealed class StorageDiagnostics
{
    private long _roundTrips;
    private long _retries;
    private long _conflicts;

    public long RoundTrips => Interlocked.Read(ref _roundTrips);
    public long Retries => Interlocked.Read(ref _retries);
    public long Conflicts => Interlocked.Read(ref _conflicts);

    internal void OnRoundTrip() => Interlocked.Increment(ref _roundTrips);
    internal void OnRetry() => Interlocked.Increment(ref _retries);
    internal void OnConflict() => Interlocked.Increment(ref _conflicts);

    public StorageCountersSnapshot Snapshot() => new(RoundTrips, Retries, Conflicts);
}

public readonly record struct StorageCountersSnapshot(long RoundTrips, long Retries, long Conflicts)
{
    public static StorageCountersSnapshot operator -(StorageCountersSnapshot a, StorageCountersSnapshot b)
        => new(a.RoundTrips - b.RoundTrips, a.Retries - b.Retries, a.Conflicts - b.Conflicts);
}
