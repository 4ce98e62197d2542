using System.Diagnostics;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Values;
using Azure.Data.Tables;
using ReportPipeline.Storage.Diagnostics;
using ReportPipeline.Storage.Stores;

namespace ReportPipeline.Development.Bench;

public sealed record IngestBenchmarkResult
{
    public required int Submissions { get; init; }
    public required long FieldValues { get; init; }

    public required long EntitiesWritten { get; init; }
    /// <summary>Entities the storage pipeline saw written while ingesting (counted from the answers, not from receipts).</summary>
    public required long CountedEntitiesWritten { get; init; }
    public required long IngestRoundTrips { get; init; }
    public required double RoundTripsPerSubmission { get; init; }
    public required int MaxRoundTripsPerSubmission { get; init; }
    /// <summary>Submissions that took more than ceil(entities written ÷ 100) + 2 round trips (the target is 0).</summary>
    public required int RoundTripTargetMisses { get; init; }
    public required long ConcurrencyRetries { get; init; }
    public required TimeSpan IngestElapsed { get; init; }
    public double SubmissionsPerSecond => Submissions / IngestElapsed.TotalSeconds;

    public required long RawEntities { get; init; }
    public required long RawRoundTrips { get; init; }
    public required TimeSpan RawElapsed { get; init; }
    public double RawEntitiesPerSecond => RawEntities / RawElapsed.TotalSeconds;
    public double RawSubmissionsPerSecond => Submissions / RawElapsed.TotalSeconds;

    /// <summary>Merge throughput as a share of blind batch inserts of the same entities (1.0 = as fast).</summary>
    public double IngestToRawRatio => SubmissionsPerSecond / RawSubmissionsPerSecond;

    public required long ResendEntitiesWritten { get; init; }
    /// <summary>Entities the storage pipeline saw written during the resend (must be 0).</summary>
    public required long ResendCountedEntitiesWritten { get; init; }
    public required int ResendReplays { get; init; }
    public required long ResendRoundTrips { get; init; }
    public required TimeSpan ResendElapsed { get; init; }
}

/// <summary>
/// Ingests submissions through the value store, inserts the same entities blindly into a raw table as a baseline, then
/// resends everything (which must write nothing). Submissions go one after another so every round trip is attributable.
/// </summary>
public static partial class IngestBenchmark
{
    public static async Task<IngestBenchmarkResult> RunAsync(
        IFieldValueStore store,
        TableClient rawTable,
        IReadOnlyList<MergeRequest> submissions,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default,
        int chunkCount = 8)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(rawTable);
        ArgumentNullException.ThrowIfNull(submissions);
        using var counters = new StorageCounters();
        await rawTable.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);

        // 1. Through the store.
        long entities = 0, roundTrips = 0, misses = 0;
        var maxRoundTrips = 0;
        var start = counters.Snapshot();
        var clock = Stopwatch.StartNew();
        var done = 0;
        foreach (var request in submissions)
        {
            var before = counters.Snapshot();
            var receipt = await store.MergeAsync(request, cancellationToken).ConfigureAwait(false);
            var spent = (int)(counters.Snapshot().RoundTrips - before.RoundTrips);
            entities += receipt.EntitiesWritten;
            roundTrips += spent;
            maxRoundTrips = Math.Max(maxRoundTrips, spent);
            if (spent > (int)Math.Ceiling(receipt.EntitiesWritten / 100.0) + 2)
            {
                misses++;
            }
            progress?.Report(++done);
        }
        var ingestElapsed = clock.Elapsed;
        var ingestCounters = counters.Snapshot() - start;

        // 2. The same entities, blindly batch-inserted: what the storage can take without reads, diffing or receipts.
        var rawBefore = counters.Snapshot();
        clock.Restart();
        long rawEntities = 0;
        foreach (var request in submissions)
        {
            var batch = RawEntities(request, chunkCount);
            for (var i = 0; i < batch.Count; i += TableLimits.MaxTransactionActions)
            {
                var slice = batch.GetRange(i, Math.Min(TableLimits.MaxTransactionActions, batch.Count - i));
                await rawTable.SubmitTransactionAsync(slice, cancellationToken).ConfigureAwait(false);
            }
            rawEntities += batch.Count;
        }
        var rawElapsed = clock.Elapsed;
        var rawRoundTrips = counters.Snapshot().RoundTrips - rawBefore.RoundTrips;

        // 3. Everything again: every submission must be a replay that writes nothing.
        var resendBefore = counters.Snapshot();
        clock.Restart();
        long resendEntities = 0;
        var replays = 0;
        foreach (var request in submissions)
        {
            var receipt = await store.MergeAsync(request with { SubmissionId = request.SubmissionId + "-resend" }, cancellationToken).ConfigureAwait(false);
            resendEntities += receipt.EntitiesWritten;
            replays += receipt.IsReplay ? 1 : 0;
        }
        var resendElapsed = clock.Elapsed;

        return new IngestBenchmarkResult
        {
            Submissions = submissions.Count,
            FieldValues = submissions.Sum(s => (long)s.Values.Count),
            EntitiesWritten = entities,
            CountedEntitiesWritten = ingestCounters.EntitiesWritten,
            IngestRoundTrips = roundTrips,
            RoundTripsPerSubmission = submissions.Count == 0 ? 0 : (double)roundTrips / submissions.Count,
            MaxRoundTripsPerSubmission = maxRoundTrips,
            RoundTripTargetMisses = (int)misses,
            ConcurrencyRetries = ingestCounters.Conflicts,
            IngestElapsed = ingestElapsed,
            RawEntities = rawEntities,
            RawRoundTrips = rawRoundTrips,
            RawElapsed = rawElapsed,
            ResendEntitiesWritten = resendEntities,
            ResendCountedEntitiesWritten = counters.Snapshot().EntitiesWritten - resendBefore.EntitiesWritten,
            ResendReplays = replays,
            ResendRoundTrips = counters.Snapshot().RoundTrips - resendBefore.RoundTrips,
            ResendElapsed = resendElapsed,
        };
    }

    /// <summary>The entities a first merge of this request writes: its value chunks, an audit entry and a receipt.</summary>
    private static List<TableTransactionAction> RawEntities(MergeRequest request, int chunkCount)
    {
        var partition = ValueKeys.Partition(request.Period, request.OrgCode);
        var actions = request.Values
            .GroupBy(v => ValueKeys.ChunkOf(v.Key, chunkCount))
            .OrderBy(g => g.Key)
            .Select(chunk =>
            {
                var entity = new TableEntity(partition, ValueKeys.ValueChunk(request.OrgCode, chunk.Key));
                foreach (var (fieldId, value) in chunk)
                {
                    entity[ValueKeys.PropertyName(fieldId)] = ValueCodec.EncodeValue(new StoredValue(value, request.Origin, request.SubmissionId, request.ReceivedAt));
                }
                return new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity);
            })
            .ToList();
        actions.Add(new(TableTransactionActionType.UpsertReplace, ValueCodec.EncodeAudit(partition, ValueKeys.Audit(request.OrgCode, request.ReceivedAt, request.SubmissionId), request, [], request.ReceivedAt)));
        var receipt = new MergeReceipt
        {
            SubmissionId = request.SubmissionId,
            OrgCode = request.OrgCode,
            Period = request.Period,
            ReceivedAt = request.ReceivedAt,
            Changed = request.Values.Count,
            Unchanged = 0,
            ConfirmedPrefill = 0,
            Channel = request.Channel,
            EntitiesWritten = actions.Count + 1,
        };
        actions.Add(new(TableTransactionActionType.UpsertReplace, ValueCodec.EncodeReceipt(partition, ValueKeys.LatestReceipt(request.OrgCode), receipt, request.ContentHash, request.Origin)));
        return actions;
    }
}
