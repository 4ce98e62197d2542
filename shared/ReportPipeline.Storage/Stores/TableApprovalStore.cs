using System.Globalization;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using ReportPipeline.Domain.Governance;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Storage.Stores;

/// <summary>
/// <see cref="IApprovalStore"/> on Table Storage. One partition per period holds three kinds of rows: <c>s|org</c> the
/// current record, <c>e|org|inverted ticks|nonce</c> each step (newest first in key order), and <c>g|org</c> a guard that
/// every step on the org or on one of its children rewrites. A step commits its record, its event and both guards (its
/// own and its parent's) in one entity group transaction, each conditioned on the ETag it read, so a step on a child and
/// a step on its parent — or two reviewers on one org — serialise: the second fails with 409/412 and writes nothing.
/// </summary>
public sealed class TableApprovalStore(TableClient table, ILogger<TableApprovalStore> logger) : IApprovalStore
{
    private const string StatePrefix = "s|";
    private const string EventPrefix = "e|";
    private const string GuardPrefix = "g|";

    public async Task<ApprovalSnapshot> ReadAsync(Period period, CancellationToken cancellationToken = default)
    {
        var records = new Dictionary<string, ApprovalRecord>(StringComparer.Ordinal);
        var versions = new Dictionary<string, string>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PartitionOf(period)} and ((RowKey ge {StatePrefix} and RowKey lt {"s}"}) or (RowKey ge {GuardPrefix} and RowKey lt {"g}"}))");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            versions[row.RowKey] = row.ETag.ToString();
            if (row.RowKey.StartsWith(StatePrefix, StringComparison.Ordinal))
            {
                var record = DecodeRecord(row, period);
                records[record.OrgCode] = record;
            }
        }

        return new ApprovalSnapshot(period, records, versions);
    }

    public async Task<ApprovalRecord?> GetAsync(string orgCode, Period period, CancellationToken cancellationToken = default)
    {
        var row = await table.GetEntityIfExistsAsync<TableEntity>(PartitionOf(period), StatePrefix + orgCode, cancellationToken: cancellationToken).ConfigureAwait(false);
        return row.HasValue && row.Value is { } entity ? DecodeRecord(entity, period) : null;
    }

    public async Task<ApprovalRecord> CommitAsync(ApprovalSnapshot basis, ApprovalEvent step, string? parentCode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(basis);
        ArgumentNullException.ThrowIfNull(step);
        var partition = PartitionOf(basis.Period);
        var record = new ApprovalRecord(step.OrgCode, basis.Period, StatusAfter(step.Action), step.BySubject, step.ByOrg, step.At, step.Reason);
        var stateRow = new TableEntity(partition, StatePrefix + step.OrgCode)
        {
            ["Status"] = record.Status.ToString(),
            ["BySubject"] = record.BySubject,
            ["ByOrg"] = record.ByOrg,
            ["At"] = record.At,
            ["Reason"] = record.Reason,
        };
        var eventRow = new TableEntity(partition, string.Create(CultureInfo.InvariantCulture,
            $"{EventPrefix}{step.OrgCode}|{DateTimeOffset.MaxValue.UtcTicks - step.At.UtcTicks:D19}|{Guid.NewGuid():N}"))
        {
            ["OrgCode"] = step.OrgCode,
            ["Action"] = step.Action.ToString(),
            ["BySubject"] = step.BySubject,
            ["ByOrg"] = step.ByOrg,
            ["At"] = step.At,
            ["Reason"] = step.Reason,
        };

        var actions = new List<TableTransactionAction> { Conditional(stateRow, basis), new(TableTransactionActionType.Add, eventRow) };
        // The org's own guard stands for its children (a child's step rewrites it); the parent's guard for the parent.
        actions.Add(Conditional(Guard(partition, step.OrgCode, step), basis));
        if (parentCode is not null)
        {
            actions.Add(Conditional(Guard(partition, parentCode, step), basis));
        }

        try
        {
            await table.SubmitTransactionAsync(actions, cancellationToken).ConfigureAwait(false);
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
        {
            logger.LogInformation("Approval step {Action} on {Org} {Period} lost a race ({Status}); nothing written", step.Action, step.OrgCode, basis.Period.ToString(), ex.Status);
            throw new ApprovalConcurrencyException(step.OrgCode, ex);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            logger.LogInformation("Approval step {Action} on {Org} {Period} lost a race ({Status}); nothing written", step.Action, step.OrgCode, basis.Period.ToString(), ex.Status);
            throw new ApprovalConcurrencyException(step.OrgCode, ex);
        }

        logger.LogInformation("Approval step {Action} on {Org} {Period} by {Subject} of {ByOrg}", step.Action, step.OrgCode, basis.Period.ToString(), step.BySubject, step.ByOrg);
        return record;
    }

    public async Task<IReadOnlyList<ApprovalEvent>> ReadEventsAsync(Period period, IReadOnlyCollection<string> orgCodes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(orgCodes);
        var wanted = orgCodes.ToHashSet(StringComparer.Ordinal);
        var events = new List<ApprovalEvent>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PartitionOf(period)} and RowKey ge {EventPrefix} and RowKey lt {"e}"}");
        await foreach (var row in table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken).ConfigureAwait(false))
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
                    row.GetString("Reason")));
            }
        }

        return [.. events.OrderByDescending(e => e.At).ThenBy(e => e.OrgCode, StringComparer.Ordinal)];
    }

    private static ApprovalStatus StatusAfter(ApprovalAction action) => action switch
    {
        ApprovalAction.Approve => ApprovalStatus.Approved,
        ApprovalAction.Return => ApprovalStatus.Returned,
        _ => ApprovalStatus.Unlocked,
    };

    private static TableEntity Guard(string partition, string orgCode, ApprovalEvent step) => new(partition, GuardPrefix + orgCode)
    {
        ["LastOrg"] = step.OrgCode,
        ["LastAt"] = step.At,
    };

    /// <summary>Replace on the version read, or add when the row did not exist then (and so must not exist now).</summary>
    private static TableTransactionAction Conditional(TableEntity row, ApprovalSnapshot basis) =>
        basis.Versions.TryGetValue(row.RowKey, out var version)
            ? new TableTransactionAction(TableTransactionActionType.UpdateReplace, row, new ETag(version))
            : new TableTransactionAction(TableTransactionActionType.Add, row);

    private static ApprovalRecord DecodeRecord(TableEntity row, Period period) => new(
        row.RowKey[StatePrefix.Length..],
        period,
        Enum.TryParse<ApprovalStatus>(row.GetString("Status"), out var status) ? status : ApprovalStatus.Returned,
        row.GetString("BySubject") ?? "",
        row.GetString("ByOrg") ?? "",
        row.GetDateTimeOffset("At") ?? default,
        row.GetString("Reason"));

    private static string PartitionOf(Period period) => ValueKeys.PeriodText(period);
}
