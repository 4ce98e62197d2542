using Azure.Data.Tables;
using ReportPipeline.Domain.Governance;
using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Storage.Stores;

/// <summary>
/// The review state of (period, org) as properties of the org's <c>l|{org}</c> row in <c>FieldValues</c>. For a village
/// that row is also its latest receipt, the row every merge of the village reads and is conditioned on: the approval and
/// the lock are one property set on one row, changed in one write, so a merge either commits before an approval (and is
/// part of what is approved) or finds it and writes nothing. An office's row holds only its review state.
/// </summary>
internal static class ReviewColumns
{
    public const string Status = "ReviewStatus";
    public const string By = "ReviewBy";
    public const string ByOrg = "ReviewByOrg";
    public const string At = "ReviewAt";
    public const string Reason = "ReviewReason";

    /// <summary>The step id of an unlock of a child of this org that has announced itself and may not have committed yet.</summary>
    public const string UnlockingPrefix = "Unlocking";

    /// <summary>On a child's row: the step id of its unlock that the parent's approval cancelled before it committed.</summary>
    public const string CancelledUnlock = "CancelledUnlock";

    public static bool IsLocked(TableEntity? row) =>
        string.Equals(row?.GetString(Status), nameof(ApprovalStatus.Approved), StringComparison.Ordinal);

    public static ApprovalRecord? Decode(TableEntity? row, Period period)
    {
        if (row?.GetString(Status) is not { Length: > 0 } status || !Enum.TryParse<ApprovalStatus>(status, out var parsed))
        {
            return null;
        }

        return new ApprovalRecord(
            ValueKeys.OrgOf(row.RowKey),
            period,
            parsed,
            row.GetString(By) ?? "",
            row.GetString(ByOrg) ?? "",
            row.GetDateTimeOffset(At) ?? default,
            row.GetString(Reason) is { Length: > 0 } reason ? reason : null);
    }

    /// <summary>The record's properties; a missing reason is written empty so that a merge-mode write clears the old one.</summary>
    public static void Encode(ApprovalRecord record, TableEntity into)
    {
        into[Status] = record.Status.ToString();
        into[By] = record.BySubject;
        into[ByOrg] = record.ByOrg;
        into[At] = record.At;
        into[Reason] = record.Reason ?? "";
    }

    public static string UnlockingProperty(string childCode) => UnlockingPrefix + childCode;

    /// <summary>The children whose unlock announced itself on this row and has not cleared its mark: (child, step id).</summary>
    public static IEnumerable<(string Child, string StepId)> PendingUnlocks(TableEntity row)
    {
        foreach (var (name, value) in row)
        {
            if (name.StartsWith(UnlockingPrefix, StringComparison.Ordinal) && value is string { Length: > 0 } stepId)
            {
                yield return (name[UnlockingPrefix.Length..], stepId);
            }
        }
    }

    /// <summary>The last time anything was committed on the row: a merge's commit time or a review step's time.</summary>
    public static DateTimeOffset? LastCommit(TableEntity? row)
    {
        var committed = row?.GetDateTimeOffset("CommittedAt") ?? row?.GetDateTimeOffset("ReceivedAt");
        var reviewed = row?.GetDateTimeOffset(At);
        return committed > reviewed || reviewed is null ? committed : reviewed;
    }

    /// <summary>
    /// Now, truncated to the millisecond the service keeps, but strictly after the row's last commit: steps and merges on
    /// one row get increasing times in the order they committed, whatever the clocks of the instances say.
    /// </summary>
    public static DateTimeOffset CommitTime(TableEntity? row, DateTimeOffset now)
    {
        var truncated = DateTimeOffset.FromUnixTimeMilliseconds(now.ToUnixTimeMilliseconds());
        return LastCommit(row) is { } previous && previous.AddMilliseconds(1) > truncated
            ? DateTimeOffset.FromUnixTimeMilliseconds(previous.ToUnixTimeMilliseconds() + 1)
            : truncated;
    }
}
