using System.Runtime.CompilerServices;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using ReportPipeline.Domain.Governance;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Values;
using ReportPipeline.Storage.Diagnostics;
using static ReportPipeline.Storage.Stores.TableFilters;

namespace ReportPipeline.Storage.Stores;

public sealed record ValueStoreOptions
{
    /// <summary>Value chunks per org: 8 keeps 1,000 fields at about 125 properties per entity, well under the 252 limit.</summary>
    public int ChunkCount { get; init; } = 8;

    /// <summary>How often a merge that lost an optimistic-concurrency race re-reads and re-plans before giving up.</summary>
    public int MaxConcurrencyAttempts { get; init; } = 20;
}

/// <summary>
/// <see cref="IFieldValueStore"/> on Table Storage. A merge is one range query (the org's value chunks, its latest
/// receipt and the receipt for the idempotency key) and one entity group transaction (changed chunks with their ETags,
/// the audit entry, the receipts) — all or nothing, and a lost race is re-read and re-planned.
/// </summary>
public sealed partial class TableFieldValueStore(TableClient table, ILogger<TableFieldValueStore> logger, TimeProvider timeProvider, ValueStoreOptions? options = null)
    : IFieldValueStore
{
    private readonly ValueStoreOptions _options = options ?? new ValueStoreOptions();

    public TableClient Table => table;

    public async Task<OrgValues> GetAsync(string orgCode, Period period, CancellationToken cancellationToken = default)
    {
        var partition = ValueKeys.Partition(period, orgCode);
        var values = new Dictionary<string, StoredValue>(StringComparer.Ordinal);
        var latestRow = ValueKeys.LatestReceipt(orgCode);
        MergeReceipt? latest = null;
        // The latest receipt comes in the same query (one more row): the values and their version are read together.
        await foreach (var entity in table.QueryAsync<TableEntity>(And(PartitionIs(partition), Or(RowKeyIs(latestRow), PrefixRange(ValueKeys.ValuePrefix(orgCode)))), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (entity.RowKey == latestRow)
            {
                latest = ValueCodec.DecodeReceipt(entity, period);
            }
            else
            {
                ValueCodec.DecodeChunk(entity, values);
            }
        }
        return new OrgValues(orgCode, period, values) { Version = ValuesVersion.Of(latest) };
    }

    public async Task<MergeReceipt> MergeAsync(MergeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var partition = ValueKeys.Partition(request.Period, request.OrgCode);
        var keyedRow = KeyedRow(request);

        // The audit row and receipt of the last attempt whose commit was refused with 409/412. The transport may have sent
        // that commit twice (a lost answer, a timeout): the first try can have committed and the retry then met its own
        // write. Its audit row's key is known, so the next read asks for it too and, if it is there, that is the answer.
        (string AuditRow, MergeReceipt Receipt)? refused = null;
        for (var attempt = 1; ; attempt++)
        {
            var state = await ReadStateAsync(partition, request.OrgCode, keyedRow, refused?.AuditRow, cancellationToken).ConfigureAwait(false);
            if (state.OwnAudit is not null && refused is { Receipt: var committed })
            {
                logger.LogInformation("Merge of {Submission} for {Org} {Period} had committed before its answer was lost; nothing more written",
                    request.SubmissionId, request.OrgCode, ValueKeys.PeriodText(request.Period));
                return committed;
            }

            if (await CheckBeforeCommitAsync(request, state, cancellationToken).ConfigureAwait(false) is { } replayed)
            {
                return replayed;
            }

            var (chunkActions, chunksSkipped, tail, receipt, plan) = PlanCommit(partition, request, state);

            try
            {
                var batches = 0;
                foreach (var batch in Batches(chunkActions, tail))
                {
                    await table.SubmitTransactionAsync(batch, cancellationToken).ConfigureAwait(false);
                    batches++;
                }
                StorageMetrics.EntitiesSkipped.Add(chunksSkipped);
                logger.LogInformation(
                    "Merged {Submission} for {Org} {Period}: {Changed} changed, {Unchanged} unchanged, {Conflicts} prefill conflicts, {Entities} entities in {Batches} transactions",
                    request.SubmissionId, request.OrgCode, ValueKeys.PeriodText(request.Period), plan.Changed, plan.Unchanged, plan.PrefillConflicts.Count, receipt.EntitiesWritten, batches);
                return receipt;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < _options.MaxConcurrencyAttempts)
            {
                refused = (ValueKeys.Audit(request.OrgCode, receipt.CommittedAt!.Value, request.SubmissionId), receipt);
                // Another merge for this org committed first: re-read and plan against what it wrote.
                logger.LogDebug("Merge of {Submission} for {Org} lost a concurrency race ({Status}), attempt {Attempt}", request.SubmissionId, request.OrgCode, ex.Status, attempt);
                await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// What the merge decides against the org's state before it writes, in this order: the request's own
    /// <see cref="MergeRequest.BeforeCommit"/> on the stored values, the idempotency key bound to its first content, a
    /// replay (its first receipt returned; nothing to write), the approval lock and the expected version. Throws when the
    /// request is refused; null when its commit may be planned. The bulk writer runs the same decisions against the empty
    /// state it writes into, so a bulk write keeps every rule a merge keeps.
    /// </summary>
    private async Task<MergeReceipt?> CheckBeforeCommitAsync(MergeRequest request, OrgState state, CancellationToken cancellationToken)
    {
        if (request.BeforeCommit is { } check)
        {
            // The stored values come from this read, not from one more query; a refusal writes nothing.
            await check(state.Values, cancellationToken).ConfigureAwait(false);
        }

        if (state.KeyedReceipt is { } keyed && !SameContent(keyed, request))
        {
            // The IETF Idempotency-Key draft: a key is bound to the content it was first used with.
            throw new IdempotencyKeyReusedException(request.IdempotencyKey!, keyed.GetString("SubmissionId") ?? "");
        }

        var replay = state.KeyedReceipt ?? (state.Latest is { } latest && SameContent(latest, request) ? latest : null);
        if (replay is not null)
        {
            StorageMetrics.EntitiesSkipped.Add(request.Values.Select(v => ValueKeys.ChunkOf(v.Key, _options.ChunkCount)).Distinct().Count());
            logger.LogInformation("Resend of {Submission} for {Org} {Period} is a replay of {FirstSubmission}; nothing written",
                request.SubmissionId, request.OrgCode, ValueKeys.PeriodText(request.Period), replay.GetString("SubmissionId"));
            var first = ValueCodec.DecodeReceipt(replay, request.Period);
            // Our own earlier attempt committed before its response was lost (a transport retry then met 409/412):
            // this is the first acceptance, not a resend.
            return string.Equals(first.SubmissionId, request.SubmissionId, StringComparison.Ordinal)
                ? first
                : first with { IsReplay = true, EntitiesWritten = 0 };
        }

        if (ReviewColumns.IsLocked(state.Latest))
        {
            // Approved: the review state lives on this row, so the approval and the lock are one write. The commit
            // below is conditioned on this row's ETag, so an approval after this read still stops the write (412,
            // re-read, refused here).
            throw new OrgLockedException(request.OrgCode, request.Period) { Approval = ReviewColumns.Decode(state.Latest, request.Period) };
        }

        if (request.ExpectedVersion is { } expected && expected != ValuesVersion.Any)
        {
            // Checked against the state this attempt plans on, whose commit is conditioned on the receipt row's ETag:
            // a commit after this read fails ours, and the re-read finds the new version here.
            CheckVersion(request, expected, state);
        }

        return null;
    }

    /// <summary>At most this many changed values are listed in a refusal (the count of the rest is not needed to decide).</summary>
    private const int MaxChangedListed = 200;

    private static void CheckVersion(MergeRequest request, string expected, OrgState state)
    {
        var current = ValuesVersion.Of(state.Latest is { } latest ? ValueCodec.DecodeReceipt(latest, request.Period) : null);
        if (string.Equals(current, expected, StringComparison.Ordinal))
        {
            return;
        }

        // Values are stamped with their commit's time, and one org's commit times strictly increase: whatever is newer than
        // the expected version's commit was written after it. The submission's own fields first, then the others.
        ValuesVersion.TryParse(expected, out var since);
        var changed = state.Values
            .Where(kv => since is null || kv.Value.At > since)
            .Select(kv => new ChangedValue(kv.Key, kv.Value, request.Values.TryGetValue(kv.Key, out var mine) ? mine : null))
            .OrderBy(c => c.Submitted is null)
            .ThenBy(c => c.FieldId, StringComparer.Ordinal)
            .Take(MaxChangedListed)
            .ToList();
        throw new ValuesChangedException(request.OrgCode, request.Period, expected, current, changed);
    }

    private Task BackOffAsync(int attempt, CancellationToken cancellationToken) => TableFilters.BackOffAsync(attempt, timeProvider, cancellationToken);

    public IAsyncEnumerable<OrgValues> ReadManyAsync(Period period, IReadOnlyCollection<string> orgCodes, CancellationToken cancellationToken = default)
        => ReadAsync(period, orgCodes, select: null, cancellationToken);

    public IAsyncEnumerable<OrgValues> ReadManyAsync(Period period, IReadOnlyCollection<string> orgCodes, IReadOnlyCollection<string> fieldIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fieldIds);
        // $select keeps the service from sending the other fields; the keys are needed to tell orgs and chunks apart.
        return ReadAsync(period, orgCodes, ["PartitionKey", "RowKey", .. fieldIds.Distinct(StringComparer.Ordinal).Select(ValueKeys.PropertyName)], cancellationToken);
    }

    private async IAsyncEnumerable<OrgValues> ReadAsync(Period period, IReadOnlyCollection<string> orgCodes, IReadOnlyList<string>? select, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orgCodes);
        foreach (var group in orgCodes.Distinct(StringComparer.Ordinal).GroupBy(org => ValueKeys.Partition(period, org)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var wanted = group.ToHashSet(StringComparer.Ordinal);
            var byOrg = new SortedDictionary<string, Dictionary<string, StoredValue>>(StringComparer.Ordinal);
            await foreach (var chunk in table.QueryAsync<TableEntity>(OrgRows(group.Key, wanted, ValueKeys.AllValuesPrefix, ValueKeys.ValuePrefix), select: select, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                var org = ValueKeys.OrgOf(chunk.RowKey);
                if (!wanted.Contains(org))
                {
                    continue;
                }
                if (!byOrg.TryGetValue(org, out var values))
                {
                    byOrg[org] = values = new Dictionary<string, StoredValue>(StringComparer.Ordinal);
                }
                ValueCodec.DecodeChunk(chunk, values);
            }
            foreach (var (org, values) in byOrg)
            {
                yield return new OrgValues(org, period, values);
            }
        }
    }

    public async IAsyncEnumerable<AuditEntry> ReadAuditAsync(string orgCode, Period period, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var filter = And(PartitionIs(ValueKeys.Partition(period, orgCode)), PrefixRange(ValueKeys.AuditPrefix(orgCode)));
        await foreach (var entity in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            yield return ValueCodec.DecodeAudit(entity, period);
        }
    }

    public async IAsyncEnumerable<MergeReceipt> ReadLatestReceiptsAsync(Period period, IReadOnlyCollection<string> orgCodes, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orgCodes);
        foreach (var group in orgCodes.Distinct(StringComparer.Ordinal).GroupBy(org => ValueKeys.Partition(period, org)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var wanted = group.ToHashSet(StringComparer.Ordinal);
            await foreach (var entity in table.QueryAsync<TableEntity>(OrgRows(group.Key, wanted, ValueKeys.AllLatestPrefix, ValueKeys.LatestReceipt), cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                // An office's row, or a village's that holds only a review step (returned before it reported), is no receipt.
                if (wanted.Contains(ValueKeys.OrgOf(entity.RowKey)) && entity.GetString("SubmissionId") is not null)
                {
                    yield return ValueCodec.DecodeReceipt(entity, period);
                }
            }
        }
    }

    public async Task<LatestRows> ReadLatestRowsAsync(Period period, IReadOnlyCollection<string> orgCodes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orgCodes);
        var receipts = new Dictionary<string, MergeReceipt>(StringComparer.Ordinal);
        var reviewStates = new Dictionary<string, ApprovalRecord>(StringComparer.Ordinal);
        foreach (var group in orgCodes.Distinct(StringComparer.Ordinal).GroupBy(org => ValueKeys.Partition(period, org)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var wanted = group.ToHashSet(StringComparer.Ordinal);
            await foreach (var entity in table.QueryAsync<TableEntity>(OrgRows(group.Key, wanted, ValueKeys.AllLatestPrefix, ValueKeys.LatestReceipt), cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                var org = ValueKeys.OrgOf(entity.RowKey);
                if (!wanted.Contains(org))
                {
                    continue;
                }

                // The same tests as the two single reads: a row without a submission is no receipt (an office's, or a
                // village returned before it reported), and the review columns decode as the approval store decodes them.
                if (entity.GetString("SubmissionId") is not null)
                {
                    receipts[org] = ValueCodec.DecodeReceipt(entity, period);
                }

                if (ReviewColumns.Decode(entity, period) is { } record)
                {
                    reviewStates[org] = record;
                }
            }
        }

        return new LatestRows(receipts, reviewStates);
    }

    private static bool SameContent(TableEntity receipt, MergeRequest request)
        => string.Equals(receipt.GetString("ContentHash"), request.ContentHash, StringComparison.Ordinal)
           && string.Equals(receipt.GetString("Origin"), request.Origin.ToString(), StringComparison.Ordinal);

    /// <summary>
    /// Everything one commit writes for <paramref name="request"/> over the org's <paramref name="state"/>: the changed
    /// chunks (conditional on their ETags), then the audit row, the latest receipt (merged onto the one read, with
    /// If-Match) and the receipt by Idempotency-Key. The merge and the bulk writer both write exactly this.
    /// </summary>
    private (List<TableTransactionAction> Chunks, int ChunksSkipped, List<TableTransactionAction> Tail, MergeReceipt Receipt, PlannedMerge Plan)
        PlanCommit(string partition, MergeRequest request, OrgState state)
    {
        var keyedRow = KeyedRow(request);
        // The latest receipt's ETag serialises the org's commits; the commit time follows that order, so the audit
        // key, the values' times and the receipt agree with who wrote last, whatever order requests arrived in.
        var committedAt = CommitTime(state.Latest);
        var plan = MergePlanner.Plan(state.Values, request with { ReceivedAt = committedAt });
        var (chunkActions, chunksSkipped) = ChunkActions(partition, request.OrgCode, plan, state.ChunkETags);
        var tailCount = 2 + (keyedRow is null ? 0 : 1);
        var receipt = WithReporting(plan.ToReceipt(request, chunkActions.Count + tailCount), request, state.Latest) with { CommittedAt = committedAt };
        var latestRow = ValueCodec.EncodeReceipt(partition, ValueKeys.LatestReceipt(request.OrgCode), receipt, request.ContentHash, request.Origin);
        var tail = new List<TableTransactionAction>
        {
            new(TableTransactionActionType.Add, ValueCodec.EncodeAudit(partition, ValueKeys.Audit(request.OrgCode, committedAt, request.SubmissionId), request, plan.Changes, committedAt)),
            // Merge mode: every receipt property is rewritten, and the review state kept on the same row stays as it is.
            state.Latest is { } current
                ? new(TableTransactionActionType.UpdateMerge, latestRow, current.ETag)
                : new(TableTransactionActionType.Add, latestRow),
        };
        if (keyedRow is not null)
        {
            tail.Add(new(TableTransactionActionType.Add, ValueCodec.EncodeReceipt(partition, keyedRow, receipt, request.ContentHash, request.Origin)));
        }
        return (chunkActions, chunksSkipped, tail, receipt, plan);
    }

    /// <summary>The row of the receipt kept under the request's Idempotency-Key; null without a key.</summary>
    private static string? KeyedRow(MergeRequest request) =>
        string.IsNullOrEmpty(request.IdempotencyKey) ? null : ValueKeys.KeyedReceipt(request.OrgCode, request.IdempotencyKey);

    /// <summary>
    /// Now, but strictly after the org's previous commit or review step (stored values keep milliseconds): two commits never
    /// share a time, and a later commit never looks older because its request arrived first or the clocks of two instances differ.
    /// </summary>
    private DateTimeOffset CommitTime(TableEntity? latest) => ReviewColumns.CommitTime(latest, timeProvider.GetUtcNow());

    /// <summary>Only the org's own submissions move its reporting times; pre-fill and carry-forward keep them as they were.</summary>
    private static MergeReceipt WithReporting(MergeReceipt receipt, MergeRequest request, TableEntity? latest)
    {
        // A merge that lost a race is retried after a later one committed: keep the earliest first and the latest last.
        var own = ValueOrigins.IsOwnReport(request.Origin);
        var (first, last) = (latest?.GetDateTimeOffset("FirstReportedAt"), latest?.GetDateTimeOffset("LastReportedAt"));
        if (own)
        {
            first = first is { } f && f <= request.ReceivedAt ? f : request.ReceivedAt;
            last = last is { } l && l >= request.ReceivedAt ? l : request.ReceivedAt;
        }

        return receipt with { FirstReportedAt = first, LastReportedAt = last };
    }

    private sealed record OrgState(Dictionary<string, StoredValue> Values, Dictionary<int, ETag> ChunkETags, TableEntity? Latest, TableEntity? KeyedReceipt)
    {
        /// <summary>An org with nothing stored for the period: what the bulk writer writes into.</summary>
        public static OrgState Empty() => new([], [], Latest: null, KeyedReceipt: null);

        /// <summary>The audit row of an earlier attempt of this merge, when asked for and present: that attempt committed.</summary>
        public TableEntity? OwnAudit { get; init; }
    }

    /// <summary>
    /// One query: the org's value chunks, its latest receipt, the receipt for this idempotency key and, after a refused
    /// commit, the audit row that commit would have written (one row by its key) — never the org's other audit rows.
    /// </summary>
    private async Task<OrgState> ReadStateAsync(string partition, string orgCode, string? keyedRow, string? auditRow, CancellationToken cancellationToken)
    {
        var latestRow = ValueKeys.LatestReceipt(orgCode);
        string[] exact = [latestRow, .. keyedRow is null ? Array.Empty<string>() : [keyedRow], .. auditRow is null ? Array.Empty<string>() : [auditRow]];
        var rows = Or([PrefixRange(ValueKeys.ValuePrefix(orgCode)), .. exact.Select(RowKeyIs)]);
        var values = new Dictionary<string, StoredValue>(StringComparer.Ordinal);
        var etags = new Dictionary<int, ETag>();
        TableEntity? latest = null, keyed = null, audit = null;
        await foreach (var entity in table.QueryAsync<TableEntity>(And(PartitionIs(partition), rows), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (entity.RowKey == latestRow)
            {
                latest = entity;
            }
            else if (entity.RowKey == keyedRow)
            {
                keyed = entity;
            }
            else if (entity.RowKey == auditRow)
            {
                audit = entity;
            }
            else
            {
                etags[int.Parse(entity.RowKey.AsSpan(entity.RowKey.LastIndexOf('|') + 1), System.Globalization.CultureInfo.InvariantCulture)] = entity.ETag;
                ValueCodec.DecodeChunk(entity, values);
            }
        }
        return new OrgState(values, etags, latest, keyed) { OwnAudit = audit };
    }

    private (List<TableTransactionAction> Actions, int Skipped) ChunkActions(string partition, string orgCode, PlannedMerge plan, Dictionary<int, ETag> etags)
    {
        var actions = new List<TableTransactionAction>();
        var touched = plan.Writes.GroupBy(w => ValueKeys.ChunkOf(w.Key, _options.ChunkCount)).OrderBy(g => g.Key);
        foreach (var chunk in touched)
        {
            var entity = new TableEntity(partition, ValueKeys.ValueChunk(orgCode, chunk.Key));
            foreach (var (fieldId, value) in chunk)
            {
                entity[ValueKeys.PropertyName(fieldId)] = ValueCodec.EncodeValue(value);
            }
            // Merge only the changed properties, but only onto the version that was read; a new chunk must not exist yet.
            actions.Add(etags.TryGetValue(chunk.Key, out var etag)
                ? new TableTransactionAction(TableTransactionActionType.UpdateMerge, entity, etag)
                : new TableTransactionAction(TableTransactionActionType.Add, entity));
        }
        return (actions, Math.Max(0, etags.Count - actions.Count(a => a.ActionType == TableTransactionActionType.UpdateMerge)));
    }

    /// <summary>Chunk writes first; the audit entry and receipts always travel in the last transaction.</summary>
    private static IEnumerable<List<TableTransactionAction>> Batches(List<TableTransactionAction> chunks, List<TableTransactionAction> tail)
    {
        var max = TableLimits.MaxTransactionActions;
        var index = 0;
        while (chunks.Count - index + tail.Count > max)
        {
            var take = Math.Min(max, chunks.Count - index);
            yield return chunks.GetRange(index, take);
            index += take;
        }
        yield return [.. chunks.GetRange(index, chunks.Count - index), .. tail];
    }
}
