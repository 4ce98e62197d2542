using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using ReportPipeline.Domain.Governance;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using static ReportPipeline.Storage.Stores.TableFilters;

namespace ReportPipeline.Storage.Stores;

/// <summary>
/// <see cref="IApprovalStore"/> on the values table (<c>FieldValues</c>), in the partition of the org's district:
/// <list type="bullet">
/// <item><c>l|{org}</c> holds the org's review state (<see cref="ReviewColumns"/>). For a village it is the latest-receipt
/// row that every merge reads and is conditioned on, so approving a village, locking its values and recording the
/// approval are one write; the approval's time is taken after the last commit on that row, and no merge commits after
/// it.</item>
/// <item><c>e|{org}|{inverted ticks}|{step}</c> each step, newest first, written in the same transaction.</item>
/// </list>
/// A step conditions only on its target's row, so steps on siblings never conflict. The one rule across rows — an unlock
/// needs its parent not approved, an office's approval needs every child approved — is kept by an announcement: an unlock
/// first marks itself on the parent's row (conditioned on the parent not being approved), and an office's approval cancels
/// every announced unlock that has not committed (marking the child's row, which makes that unlock's commit fail) before it
/// commits on its own row, conditioned on the version it decided on. Whatever crashes where, no lock is lost or stranded:
/// a stale announcement costs the next approval of the parent one cancellation.
/// </summary>
public sealed class TableApprovalStore(TableClient table, ILogger<TableApprovalStore> logger, TimeProvider time) : IApprovalStore
{
    private const string EventPrefix = "e|";
    private const int MaxAttempts = 20;

    private static readonly string[] ReviewSelect =
        ["PartitionKey", "RowKey", ReviewColumns.Status, ReviewColumns.By, ReviewColumns.ByOrg, ReviewColumns.At, ReviewColumns.Reason];

    public async Task<ApprovalSnapshot> ReadAsync(Period period, IReadOnlyCollection<string> orgCodes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orgCodes);
        var records = new Dictionary<string, ApprovalRecord>(StringComparer.Ordinal);
        var versions = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in ByPartition(period, orgCodes))
        {
            var wanted = group.ToHashSet(StringComparer.Ordinal);
            await foreach (var row in table.QueryAsync<TableEntity>(OrgRows(group.Key, wanted, ValueKeys.AllLatestPrefix, ValueKeys.LatestReceipt), select: ReviewSelect, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                var org = ValueKeys.OrgOf(row.RowKey);
                if (!wanted.Contains(org))
                {
                    continue;
                }

                versions[org] = row.ETag.ToString();
                if (ReviewColumns.Decode(row, period) is { } record)
                {
                    records[org] = record;
                }
            }
        }

        return new ApprovalSnapshot(period, records, versions);
    }

    public async Task<ApprovalRecord?> GetAsync(string orgCode, Period period, CancellationToken cancellationToken = default) =>
        ReviewColumns.Decode(await ReadRowAsync(period, orgCode, cancellationToken).ConfigureAwait(false), period);

    public async Task<ApprovalRecord> CommitAsync(ApprovalSnapshot basis, ApprovalEvent step, string? parentCode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(step);
        var stepId = Guid.NewGuid().ToString("N");
        var announced = step.Action == ApprovalAction.Unlock && parentCode is not null;
        if (announced)
        {
            await AnnounceUnlockAsync(basis.Period, parentCode!, step.OrgCode, stepId, cancellationToken).ConfigureAwait(false);
        }

        var committed = false;
        try
        {
            var record = await CommitOnRowAsync(basis, step, stepId, cancellationToken).ConfigureAwait(false);
            committed = true;
            return record;
        }
        finally
        {
            if (announced)
            {
                // Done or abandoned: the announcement is no longer needed either way (a parent's approval now reads the child).
                await ClearAnnouncementAsync(basis.Period, parentCode!, step.OrgCode, stepId, committed).ConfigureAwait(false);
            }
        }
    }

    public async Task<IReadOnlyList<ApprovalEvent>> ReadEventsAsync(Period period, IReadOnlyCollection<string> orgCodes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orgCodes);
        var events = new List<ApprovalEvent>();
        foreach (var group in ByPartition(period, orgCodes))
        {
            var wanted = group.ToHashSet(StringComparer.Ordinal);
            var rows = wanted.Count <= 4
                ? Or([.. wanted.Order(StringComparer.Ordinal).Select(org => PrefixRange(EventPrefix + org + "|"))])
                : PrefixRange(EventPrefix);
            await foreach (var row in table.QueryAsync<TableEntity>(And(PartitionIs(group.Key), rows), cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                var org = row.GetString("OrgCode") ?? "";
                if (wanted.Contains(org))
                {
                    events.Add(new ApprovalEvent(
                        org,
                        period,
                        Enum.TryParse<ApprovalAction>(row.GetString("Action"), out var action) ? action : ApprovalAction.Approve,
                        row.GetString("BySubject") ?? "",
                        row.GetString("ByOrg") ?? "",
                        row.GetDateTimeOffset("At") ?? default,
                        row.GetString("Reason") is { Length: > 0 } reason ? reason : null));
                }
            }
        }

        return [.. events.OrderByDescending(e => e.At).ThenBy(e => e.OrgCode, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The step's record and event on the target's row, conditioned on the row as read now, provided its review state is
    /// still the one the step was decided on. A village's row also changes with every merge: a step that lost only to a
    /// merge reads again and commits after it. An office's approval also requires its row unchanged since the decision
    /// (its children's unlocks announce themselves there) and cancels every announced unlock first.
    /// </summary>
    private async Task<ApprovalRecord> CommitOnRowAsync(ApprovalSnapshot basis, ApprovalEvent step, string stepId, CancellationToken cancellationToken)
    {
        var period = basis.Period;
        var partition = ValueKeys.Partition(period, step.OrgCode);
        var expected = basis.Find(step.OrgCode);
        var officeApproval = step.Action == ApprovalAction.Approve && OrgRegistry.LevelOf(step.OrgCode) != OrgLevel.Village;
        for (var attempt = 1; ; attempt++)
        {
            var row = await ReadRowAsync(period, step.OrgCode, cancellationToken).ConfigureAwait(false);
            if (string.Equals(row?.GetString(ReviewColumns.CancelledUnlock), stepId, StringComparison.Ordinal))
            {
                logger.LogInformation("Unlock of {Org} {Period} was cancelled by the approval of its parent; nothing written", step.OrgCode, period.ToString());
                throw new ApprovalConcurrencyException(step.OrgCode);
            }

            var current = ReviewColumns.Decode(row, period);
            var changed = !SameReview(current, expected)
                || (officeApproval && !string.Equals(row?.ETag.ToString(), basis.Versions.GetValueOrDefault(step.OrgCode), StringComparison.Ordinal));
            if (changed)
            {
                if (step.Action == ApprovalAction.Approve && current?.IsLocked == true)
                {
                    // Another reviewer approved it a moment ago: approving twice is one approval.
                    logger.LogInformation("Approval of {Org} {Period} by {Subject} found it approved by {ApprovedBy}; nothing written", step.OrgCode, period.ToString(), step.BySubject, current.BySubject);
                    return current;
                }

                logger.LogInformation("Approval step {Action} on {Org} {Period} lost a race; nothing written", step.Action, step.OrgCode, period.ToString());
                throw new ApprovalConcurrencyException(step.OrgCode);
            }

            var entity = new TableEntity(partition, ValueKeys.LatestReceipt(step.OrgCode));
            if (officeApproval && row is not null)
            {
                await CancelAnnouncedUnlocksAsync(period, row, entity, cancellationToken).ConfigureAwait(false);
            }

            var at = ReviewColumns.CommitTime(row, time.GetUtcNow());
            var record = new ApprovalRecord(step.OrgCode, period, StatusAfter(step.Action), step.BySubject, step.ByOrg, at, step.Reason);
            ReviewColumns.Encode(record, entity);
            List<TableTransactionAction> actions =
            [
                row is null ? new(TableTransactionActionType.Add, entity) : new(TableTransactionActionType.UpdateMerge, entity, row.ETag),
                new(TableTransactionActionType.Add, EventRow(partition, step, at, stepId)),
            ];
            try
            {
                await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Approval step {Action} on {Org} {Period} by {Subject} of {ByOrg} at {At}", step.Action, step.OrgCode, period.ToString(), step.BySubject, step.ByOrg, at);
                return record;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts && !officeApproval)
            {
                // The row changed after it was read (a merge of the village's values, or another step): read it again.
                logger.LogDebug("Approval step {Action} on {Org} lost a race ({Status}), attempt {Attempt}", step.Action, step.OrgCode, ex.Status, attempt);
                await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                logger.LogInformation("Approval step {Action} on {Org} {Period} lost a race ({Status}); nothing written", step.Action, step.OrgCode, period.ToString(), ex.Status);
                throw new ApprovalConcurrencyException(step.OrgCode, ex);
            }
        }
    }

    /// <summary>
    /// Marks the unlock of <paramref name="child"/> on its parent's row, conditioned on the parent not being approved: from
    /// here on, the parent's approval either sees this mark and cancels the unlock, or is refused because the child is no
    /// longer approved.
    /// </summary>
    private async Task AnnounceUnlockAsync(Period period, string parent, string child, string stepId, CancellationToken cancellationToken)
    {
        var partition = ValueKeys.Partition(period, parent);
        for (var attempt = 1; ; attempt++)
        {
            var row = await ReadRowAsync(period, parent, cancellationToken).ConfigureAwait(false);
            if (ReviewColumns.IsLocked(row))
            {
                logger.LogInformation("Unlock of {Org} {Period} refused: its parent {Parent} was approved meanwhile", child, period.ToString(), parent);
                throw new ApprovalConcurrencyException(child);
            }

            var mark = new TableEntity(partition, ValueKeys.LatestReceipt(parent)) { [ReviewColumns.UnlockingProperty(child)] = stepId };
            try
            {
                if (row is null)
                {
                    await table.AddEntityAsync(mark, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await table.UpdateEntityAsync(mark, row.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
                }

                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412 && attempt < MaxAttempts)
            {
                await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Removes this unlock's mark from the parent's row, if it is still this unlock's. Best effort: a mark left behind is harmless.</summary>
    private async Task ClearAnnouncementAsync(Period period, string parent, string child, string stepId, bool committed)
    {
        var property = ReviewColumns.UnlockingProperty(child);
        try
        {
            for (var attempt = 1; attempt <= 5; attempt++)
            {
                var row = await ReadRowAsync(period, parent, CancellationToken.None).ConfigureAwait(false);
                if (row is null || !string.Equals(row.GetString(property), stepId, StringComparison.Ordinal))
                {
                    return;
                }

                try
                {
                    await table.UpdateEntityAsync(new TableEntity(row.PartitionKey, row.RowKey) { [property] = "" }, row.ETag, TableUpdateMode.Merge, CancellationToken.None).ConfigureAwait(false);
                    return;
                }
                catch (RequestFailedException ex) when (ex.Status is 409 or 412)
                {
                    await BackOffAsync(attempt, CancellationToken.None).ConfigureAwait(false);
                }
            }
        }
        catch (RequestFailedException ex)
        {
            logger.LogWarning("Could not clear the unlock announcement of {Org} {Period} on {Parent} (committed {Committed}): {Status}", child, period.ToString(), parent, committed, ex.Status);
        }
    }

    /// <summary>
    /// Every unlock of a child announced on the office's row and not committed is cancelled on the child's row (its commit
    /// is conditioned on that row, so it fails and reads the cancellation). A child already unlocked means the office's
    /// decision is out of date. The office's commit clears the marks (<paramref name="officeEntity"/>).
    /// </summary>
    private async Task CancelAnnouncedUnlocksAsync(Period period, TableEntity officeRow, TableEntity officeEntity, CancellationToken cancellationToken)
    {
        foreach (var (child, stepId) in ReviewColumns.PendingUnlocks(officeRow).ToList())
        {
            officeEntity[ReviewColumns.UnlockingProperty(child)] = "";
            var childRow = await ReadRowAsync(period, child, cancellationToken).ConfigureAwait(false);
            if (childRow is null || string.Equals(childRow.GetString(ReviewColumns.CancelledUnlock), stepId, StringComparison.Ordinal))
            {
                continue;
            }

            if (!ReviewColumns.IsLocked(childRow))
            {
                throw new ApprovalConcurrencyException(ValueKeys.OrgOf(officeRow.RowKey));
            }

            try
            {
                await table.UpdateEntityAsync(new TableEntity(childRow.PartitionKey, childRow.RowKey) { [ReviewColumns.CancelledUnlock] = stepId }, childRow.ETag, TableUpdateMode.Merge, cancellationToken).ConfigureAwait(false);
                logger.LogInformation("Approval of {Org} {Period} cancelled the unlock of {Child} announced before it", ValueKeys.OrgOf(officeRow.RowKey), period.ToString(), child);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                throw new ApprovalConcurrencyException(ValueKeys.OrgOf(officeRow.RowKey), ex);
            }
        }
    }

    private async Task<TableEntity?> ReadRowAsync(Period period, string orgCode, CancellationToken cancellationToken)
    {
        var found = await table.GetEntityIfExistsAsync<TableEntity>(ValueKeys.Partition(period, orgCode), ValueKeys.LatestReceipt(orgCode), cancellationToken: cancellationToken).ConfigureAwait(false);
        return found.HasValue ? found.Value : null;
    }

    private static bool SameReview(ApprovalRecord? current, ApprovalRecord? expected) =>
        current is null ? expected is null : expected is not null && current.Status == expected.Status && current.At == expected.At;

    private static TableEntity EventRow(string partition, ApprovalEvent step, DateTimeOffset at, string stepId) =>
        new(partition, string.Create(CultureInfo.InvariantCulture, $"{EventPrefix}{step.OrgCode}|{DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks:D19}|{stepId}"))
        {
            ["OrgCode"] = step.OrgCode,
            ["Action"] = step.Action.ToString(),
            ["BySubject"] = step.BySubject,
            ["ByOrg"] = step.ByOrg,
            ["At"] = at,
            ["Reason"] = step.Reason ?? "",
        };

    private static ApprovalStatus StatusAfter(ApprovalAction action) => action switch
    {
        ApprovalAction.Approve => ApprovalStatus.Approved,
        ApprovalAction.Return => ApprovalStatus.Returned,
        _ => ApprovalStatus.Unlocked,
    };

    private static IEnumerable<IGrouping<string, string>> ByPartition(Period period, IReadOnlyCollection<string> orgCodes) =>
        orgCodes.Distinct(StringComparer.Ordinal).GroupBy(org => ValueKeys.Partition(period, org)).OrderBy(g => g.Key, StringComparer.Ordinal);

    private Task BackOffAsync(int attempt, CancellationToken cancellationToken) => TableFilters.BackOffAsync(attempt, time, cancellationToken);
}
