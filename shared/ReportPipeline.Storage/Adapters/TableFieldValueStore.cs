using System.Runtime.CompilerServices;
using Azure;
using Microsoft.Extensions.Logging;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Values;
using ReportPipeline.Storage.Client;
using static ReportPipeline.Storage.Adapters.ValueEntityCodec;

namespace ReportPipeline.Storage.Adapters;

/// <summary>
/// Current values per (period, org, field) in Table Storage. A merge is one range query (the org's receipts and value
/// chunks) and one entity group transaction (the changed chunks, the audit entry, the receipts), so it is all or nothing
/// and costs ceil(entities ÷ 100) + 1 round trips. Concurrent merges for one org are serialised by the chunks' ETags:
/// the loser of a race re-reads, re-plans and tries again, so nothing is lost.
/// </summary>
public sealed class TableFieldValueStore(TableClient table, ILogger<TableFieldValueStore> logger) : IFieldValueStore
{
    private const int MaxAttempts = 8;
    private readonly Lazy<Task> _created = new(() => table.CreateIfNotExistsAsync());

    public async Task<OrgValues> GetAsync(string orgCode, Period period, CancellationToken cancellationToken = default)
    {
        var state = await ReadOrgAsync(orgCode, period, cancellationToken);
        return new OrgValues(orgCode, period, state.Values);
    }

    public async Task<MergeReceipt> MergeAsync(MergeRequest request, CancellationToken cancellationToken = default)
    {
        var partition = PartitionKey(request.Period, request.OrgCode);
        for (var attempt = 1; ; attempt++)
        {
            var state = await ReadOrgAsync(request.OrgCode, request.Period, cancellationToken);
            if (Replay(state, request) is { } replay)
            {
                return replay;
            }

            var plan = ValueMergePlanner.Plan(state.Values, request.Values, request.Origin, request.SubmissionId, request.ReceivedAt);
            var actions = new List<TableTransactionAction>();
            foreach (var chunk in plan.Writes.GroupBy(w => ChunkOf(w.Key)))
            {
                var key = ChunkKey(request.OrgCode, chunk.Key);
                var entity = new TableEntity(partition, key);
                foreach (var (fieldId, value) in chunk)
                {
                    entity[PropertyName(fieldId)] = Encode(value);
                }

                // Merge sends only the changed properties; If-Match makes a concurrent change of the same chunk a 412.
                actions.Add(state.ChunkETags.TryGetValue(key, out var etag)
                    ? new TableTransactionAction(TableTransactionActionType.UpdateMerge, entity, etag)
                    : new TableTransactionAction(TableTransactionActionType.Add, entity));
            }

            var receipt = new MergeReceipt
            {
                SubmissionId = request.SubmissionId,
                OrgCode = request.OrgCode,
                Period = request.Period,
                ReceivedAt = request.ReceivedAt,
                Changed = plan.Writes.Count,
                Unchanged = plan.Unchanged,
                ConfirmedPrefill = plan.ConfirmedPrefill,
                PrefillConflicts = plan.PrefillConflicts,
                Channel = request.Channel,
            };
            // The chunks, the audit entry, the latest receipt, and the idempotency key's receipt when there is one.
            receipt = receipt with { EntitiesWritten = actions.Count + 2 + (request.IdempotencyKey is null ? 0 : 1) };

            actions.Add(new TableTransactionAction(TableTransactionActionType.Add, Audit(partition, request, plan, state.Values)));
            actions.Add(new TableTransactionAction(TableTransactionActionType.UpsertReplace, Receipt(partition, LatestKey(request.OrgCode), receipt, request.ContentHash)));
            if (request.IdempotencyKey is { } idempotencyKey)
            {
                actions.Add(new TableTransactionAction(TableTransactionActionType.Add, Receipt(partition, ReceiptKey(request.OrgCode, "key:" + idempotencyKey), receipt, request.ContentHash)));
            }

            try
            {
                foreach (var batch in actions.Chunk(TableClient.MaxTransactionActions))
                {
                    await table.SubmitTransactionAsync(batch, cancellationToken);
                }

                logger.LogDebug("Merged {SubmissionId} for {Org} {Period}: {Changed} changed in {Entities} entities",
                    request.SubmissionId, request.OrgCode, request.Period.ToString(), plan.Writes.Count, actions.Count);
                return receipt;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts)
            {
                logger.LogInformation("Concurrent change of {Org} {Period} (attempt {Attempt}); re-reading and merging again",
                    request.OrgCode, request.Period.ToString(), attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(20 * attempt * Random.Shared.Next(1, 4)), cancellationToken);
            }
        }
    }

    public async IAsyncEnumerable<OrgValues> ReadManyAsync(Period period, IReadOnlyCollection<string> orgCodes, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await _created.Value;
        foreach (var group in orgCodes.Distinct().GroupBy(o => PartitionKey(period, o)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var wanted = group.ToHashSet(StringComparer.Ordinal);
            var values = new Dictionary<string, Dictionary<string, StoredValue>>(StringComparer.Ordinal);
            var filter = TableFilter.Create($"PartitionKey eq {group.Key} and RowKey lt {AuditPrefix}");
            await foreach (var entity in table.QueryAsync(filter, cancellationToken: cancellationToken))
            {
                if (IsChunk(entity.RowKey) && OrgOf(entity.RowKey) is var org && wanted.Contains(org))
                {
                    ReadChunk(entity, values.TryGetValue(org, out var d) ? d : values[org] = new(StringComparer.Ordinal));
                }
            }

            foreach (var (org, fields) in values.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                yield return new OrgValues(org, period, fields);
            }
        }
    }

    public async IAsyncEnumerable<MergeReceipt> ReadLatestReceiptsAsync(Period period, IReadOnlyCollection<string> orgCodes, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await _created.Value;
        foreach (var group in orgCodes.Distinct().GroupBy(o => PartitionKey(period, o)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var wanted = group.ToHashSet(StringComparer.Ordinal);
            var filter = TableFilter.Create($"PartitionKey eq {group.Key} and RowKey lt {AuditPrefix}");
            await foreach (var entity in table.QueryAsync(filter, select: ReceiptColumns, cancellationToken: cancellationToken))
            {
                if (IsLatest(entity.RowKey) && wanted.Contains(OrgOf(entity.RowKey)))
                {
                    yield return ReadReceipt(entity);
                }
            }
        }
    }

    public async IAsyncEnumerable<AuditEntry> ReadAuditAsync(string orgCode, Period period, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await _created.Value;
        var prefix = $"{AuditPrefix}{orgCode}|";
        var filter = TableFilter.Create($"PartitionKey eq {PartitionKey(period, orgCode)} and RowKey ge {prefix} and RowKey lt {prefix + "~"}");
        await foreach (var entity in table.QueryAsync(filter, cancellationToken: cancellationToken))
        {
            yield return new AuditEntry(
                entity.GetString("SubmissionId") ?? "",
                orgCode,
                period,
                entity.GetDateTimeOffset("ReceivedAt") ?? default,
                entity.GetString("Channel") ?? "",
                (ValueOrigin)(entity.GetInt32("Origin") ?? 0),
                Unpack<Dictionary<string, string>>(entity.GetBinary("Values") ?? []),
                Unpack<List<ValueChange>>(entity.GetBinary("Changes") ?? []));
        }
    }

    private static TableEntity Audit(string partition, MergeRequest request, MergePlan plan, IReadOnlyDictionary<string, StoredValue> before) =>
        new(partition, AuditKey(request.OrgCode, request.ReceivedAt, request.SubmissionId))
        {
            ["SubmissionId"] = request.SubmissionId,
            ["ReceivedAt"] = request.ReceivedAt,
            ["Channel"] = request.Channel,
            ["Origin"] = (int)request.Origin,
            ["ContentHash"] = request.ContentHash,
            ["Values"] = Pack(request.Values.ToDictionary(kv => kv.Key, kv => kv.Value.Canonical)),
            ["Changes"] = Pack(plan.Writes.Select(w => new ValueChange(w.Key, before.TryGetValue(w.Key, out var b) ? b.Value.Canonical : null, w.Value.Value.Canonical)).ToList()),
        };

    /// <summary>The first receipt for a resend: same idempotency key, or the same content as the latest submission.</summary>
    private static MergeReceipt? Replay(OrgState state, MergeRequest request)
    {
        if (request.IdempotencyKey is { } key && state.Receipts.TryGetValue(ReceiptKey(request.OrgCode, "key:" + key), out var byKey))
        {
            return ReadReceipt(byKey) with { IsReplay = true, EntitiesWritten = 0 };
        }

        // Identical content is a no-op only while it is still the latest: A, B, A again is a real change back to A.
        return state.Receipts.TryGetValue(LatestKey(request.OrgCode), out var latest) && latest.GetString("ContentHash") == request.ContentHash
            ? ReadReceipt(latest) with { IsReplay = true, EntitiesWritten = 0 }
            : null;
    }

    private async Task<OrgState> ReadOrgAsync(string orgCode, Period period, CancellationToken cancellationToken)
    {
        await _created.Value;
        var state = new OrgState();
        var filter = TableFilter.Create(
            $"PartitionKey eq {PartitionKey(period, orgCode)} and RowKey ge {OrgRangeStart(orgCode)} and RowKey lt {OrgRangeEnd(orgCode)}");
        await foreach (var entity in table.QueryAsync(filter, cancellationToken: cancellationToken))
        {
            if (IsChunk(entity.RowKey))
            {
                state.ChunkETags[entity.RowKey] = entity.ETag;
                ReadChunk(entity, state.Values);
            }
            else
            {
                state.Receipts[entity.RowKey] = entity;
            }
        }

        return state;
    }

    private sealed class OrgState
    {
        public Dictionary<string, StoredValue> Values { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, ETag> ChunkETags { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, TableEntity> Receipts { get; } = new(StringComparer.Ordinal);
    }
}
