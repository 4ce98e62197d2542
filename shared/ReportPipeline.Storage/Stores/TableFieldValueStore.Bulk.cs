using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Values;

namespace ReportPipeline.Storage.Stores;

/// <summary>
/// Bulk loading (seeding a city): the entities of a merge into an empty org — the same planner, chunking, codec and keys
/// as <see cref="MergeAsync"/> — packed across the orgs of one partition into entity group transactions of at most
/// <see cref="TableLimits.MaxTransactionActions"/> actions, several partitions at a time. Every action is an insert, so a
/// transaction that meets existing data fails whole (409) and its orgs go through <see cref="MergeAsync"/> instead.
/// Before anything is sent, every request passes the merge's own checks (<see cref="CheckBeforeCommitAsync"/>: its
/// <see cref="MergeRequest.BeforeCommit"/>, its expected version) against the empty org it is written into; one refusal
/// stops the whole write with nothing written. An org merged after a 409 is checked again against what it holds.
/// </summary>
public sealed partial class TableFieldValueStore : IBulkValueWriter
{
    public async Task<BulkWriteResult> WriteNewAsync(IReadOnlyList<MergeRequest> requests, int maxConcurrency, IProgress<int>? progress, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var duplicate = requests.GroupBy(r => (r.OrgCode, r.Period)).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"More than one request for {duplicate.Key.OrgCode} {ValueKeys.PeriodText(duplicate.Key.Period)}; merge them one after another.", nameof(requests));
        }

        // The same decisions a merge makes before its commit, against the state a bulk write assumes: nothing stored.
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxConcurrency), CancellationToken = cancellationToken }, async (request, ct) =>
            await CheckBeforeCommitAsync(request, OrgState.Empty(), ct).ConfigureAwait(false)).ConfigureAwait(false);

        var oversized = new List<MergeRequest>();
        var batches = new List<List<(MergeRequest Request, List<TableTransactionAction> Actions)>>();
        foreach (var partition in requests.GroupBy(r => ValueKeys.Partition(r.Period, r.OrgCode)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var current = new List<(MergeRequest, List<TableTransactionAction>)>();
            var size = 0;
            foreach (var request in partition)
            {
                var actions = NewOrgActions(partition.Key, request);
                if (actions.Count > TableLimits.MaxTransactionActions)
                {
                    oversized.Add(request);
                    continue;
                }
                // An org's entities never straddle two transactions: each org is written whole or not at all.
                if (size + actions.Count > TableLimits.MaxTransactionActions)
                {
                    batches.Add(current);
                    (current, size) = ([], 0);
                }
                current.Add((request, actions));
                size += actions.Count;
            }
            if (current.Count > 0)
            {
                batches.Add(current);
            }
        }

        int written = 0, merged = 0, entities = 0, transactions = 0;
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxConcurrency), CancellationToken = cancellationToken }, async (batch, ct) =>
        {
            try
            {
                await table.SubmitTransactionAsync([.. batch.SelectMany(o => o.Actions)], ct).ConfigureAwait(false);
                Interlocked.Increment(ref transactions);
                Interlocked.Add(ref written, batch.Count);
                Interlocked.Add(ref entities, batch.Sum(o => o.Actions.Count));
            }
            catch (TableTransactionFailedException ex) when (ex.Status == 409)
            {
                logger.LogInformation("Bulk write met existing data in {Partition}; merging its {OrgCount} orgs one by one", batch[0].Actions[0].Entity.PartitionKey, batch.Count);
                foreach (var (request, _) in batch)
                {
                    await MergeAsync(request, ct).ConfigureAwait(false);
                    Interlocked.Increment(ref merged);
                }
            }
            progress?.Report(batch.Count);
        }).ConfigureAwait(false);

        foreach (var request in oversized)
        {
            await MergeAsync(request, cancellationToken).ConfigureAwait(false);
            merged++;
            progress?.Report(1);
        }

        return new BulkWriteResult(written, merged, entities, transactions);
    }

    /// <summary>What <see cref="MergeAsync"/> writes for a request into an org with nothing stored: chunk inserts, audit row, receipts.</summary>
    private List<TableTransactionAction> NewOrgActions(string partition, MergeRequest request)
    {
        var (chunks, _, tail, _, _) = PlanCommit(partition, request, OrgState.Empty());
        chunks.AddRange(tail);
        return chunks;
    }
}
