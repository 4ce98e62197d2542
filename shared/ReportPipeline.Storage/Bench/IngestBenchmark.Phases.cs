using System.Diagnostics;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Values;
using ReportPipeline.Storage.Adapters;
using ReportPipeline.Storage.Client;

namespace ReportPipeline.Storage.Bench;

public sealed record IngestPhase(string Name, int Submissions, long EntitiesWritten, long RoundTrips, double Seconds)
{
    public double PerSecond => Seconds <= 0 ? 0 : Submissions / Seconds;
    public double RoundTripsPerSubmission => Submissions == 0 ? 0 : (double)RoundTrips / Submissions;
    public double EntitiesPerSubmission => Submissions == 0 ? 0 : (double)EntitiesWritten / Submissions;
}

/// <summary>
/// Ingest through the value store against a raw batch insert of the same entities, in the same run and on the same
/// emulator, then a resend of everything (must write nothing) and a resubmission with a few values changed.
/// Round trips are counted by the client's pipeline, not estimated.
/// </summary>
public static partial class IngestBenchmark
{
    public static async Task<IReadOnlyList<IngestPhase>> RunAsync(
        TableServiceClient service,
        IReadOnlyList<MergeRequest> submissions,
        IReadOnlyList<MergeRequest> changedResubmissions,
        int parallelism,
        IProgress<(string Phase, int Done)>? progress,
        CancellationToken cancellationToken)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var storeTable = service.GetTableClient("BenchValues" + suffix);
        var rawTable = service.GetTableClient("BenchRaw" + suffix);
        await storeTable.CreateIfNotExistsAsync(cancellationToken);
        await rawTable.CreateIfNotExistsAsync(cancellationToken);
        var store = new TableFieldValueStore(storeTable, Microsoft.Extensions.Logging.Abstractions.NullLogger<TableFieldValueStore>.Instance);
        try
        {
            var phases = new List<IngestPhase>
            {
                await MeasureAsync("raw batch insert (baseline)", service, submissions, parallelism, progress, async (request, ct) =>
                {
                    var entities = RawEntities(request);
                    foreach (var batch in entities.Chunk(TableClient.MaxTransactionActions))
                    {
                        await rawTable.SubmitTransactionAsync([.. batch.Select(e => new TableTransactionAction(TableTransactionActionType.UpsertReplace, e))], ct);
                    }

                    return entities.Count;
                }, cancellationToken),
                await MeasureAsync("ingest through the store", service, submissions, parallelism, progress,
                    async (request, ct) => (await store.MergeAsync(request, ct)).EntitiesWritten, cancellationToken),
                await MeasureAsync("resend identical", service, submissions, parallelism, progress,
                    async (request, ct) => (await store.MergeAsync(request with { SubmissionId = request.SubmissionId + "-again" }, ct)).EntitiesWritten, cancellationToken),
                await MeasureAsync("resubmit, a few values changed", service, changedResubmissions, parallelism, progress,
                    async (request, ct) => (await store.MergeAsync(request, ct)).EntitiesWritten, cancellationToken),
            };
            return phases;
        }
        finally
        {
            await storeTable.DeleteAsync(CancellationToken.None);
            await rawTable.DeleteAsync(CancellationToken.None);
        }
    }

    private static async Task<IngestPhase> MeasureAsync(
        string name,
        TableServiceClient service,
        IReadOnlyList<MergeRequest> requests,
        int parallelism,
        IProgress<(string Phase, int Done)>? progress,
        Func<MergeRequest, CancellationToken, Task<int>> work,
        CancellationToken cancellationToken)
    {
        var before = service.Counters.Snapshot();
        long entities = 0;
        var done = 0;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (request, ct) =>
        {
            Interlocked.Add(ref entities, await work(request, ct));
            progress?.Report((name, Interlocked.Increment(ref done)));
        });
        clock.Stop();
        var used = service.Counters.Snapshot() - before;
        return new IngestPhase(name, requests.Count, entities, used.RoundTrips, clock.Elapsed.TotalSeconds);
    }

    /// <summary>The entities the store writes for a first submission: the value chunks, an audit entry and the latest receipt.</summary>
    private static List<TableEntity> RawEntities(MergeRequest request)
    {
        var partition = ValueEntityCodec.PartitionKey(request.Period, request.OrgCode);
        var entities = request.Values
            .GroupBy(v => ValueEntityCodec.ChunkOf(v.Key))
            .Select(chunk =>
            {
                var entity = new TableEntity(partition, ValueEntityCodec.ChunkKey(request.OrgCode, chunk.Key));
                foreach (var (fieldId, value) in chunk)
                {
                    entity[ValueEntityCodec.PropertyName(fieldId)] = ValueEntityCodec.Encode(new StoredValue(value, request.Origin, request.SubmissionId, request.ReceivedAt));
                }

                return entity;
            })
            .ToList();
        entities.Add(new TableEntity(partition, ValueEntityCodec.AuditKey(request.OrgCode, request.ReceivedAt, request.SubmissionId))
        {
            ["Values"] = ValueEntityCodec.Pack(request.Values.ToDictionary(kv => kv.Key, kv => kv.Value.Canonical)),
        });
        entities.Add(new TableEntity(partition, ValueEntityCodec.LatestKey(request.OrgCode)) { ["ContentHash"] = request.ContentHash });
        return entities;
    }
}
