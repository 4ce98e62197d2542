using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Domain.Governance;

/// <summary>The reviewed state of one org's data for one period; an org with no record has not been reviewed.</summary>
public enum ApprovalStatus
{
    /// <summary>审核通过: the data is locked against every channel until an upper level unlocks it.</summary>
    Approved,
    /// <summary>退回: the reviewer sent it back with a reason the clerk sees.</summary>
    Returned,
    /// <summary>已解锁: an upper level lifted an approval; the data may change and must be approved again.</summary>
    Unlocked,
}

public enum ApprovalAction
{
    Approve,
    Return,
    Unlock,
}

/// <summary>The current review state of (period, org): who last acted, when, and why.</summary>
public sealed record ApprovalRecord(
    string OrgCode,
    Period Period,
    ApprovalStatus Status,
    string BySubject,
    string ByOrg,
    DateTimeOffset At,
    string? Reason)
{
    public bool IsLocked => Status == ApprovalStatus.Approved;
}

/// <summary>One approve, return or unlock, kept for ever.</summary>
public sealed record ApprovalEvent(
    string OrgCode,
    Period Period,
    ApprovalAction Action,
    string BySubject,
    string ByOrg,
    DateTimeOffset At,
    string? Reason);

/// <summary>
/// The review state shown for one org (status route, approval route, web app, 审核状态 in the workbooks): one rule for
/// all of them. <see cref="State"/> is not-reported, reported (a village's data awaits review), pending (an office awaits
/// review), approved or returned; <see cref="Name"/> the same in Chinese.
/// </summary>
public readonly record struct ApprovalState(string State, string Name)
{
    public const string NotReported = "not-reported";
    public const string Reported = "reported";
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Returned = "returned";

    /// <summary>
    /// A village that sent data again after it was returned is 已提交 again (the reason stays readable); an unlocked org
    /// is back to awaiting review.
    /// </summary>
    /// <param name="reportedAt">When a village last reported for the period (null: never, or not a village).</param>
    public static ApprovalState Of(bool isVillage, ApprovalRecord? record, DateTimeOffset? reportedAt)
    {
        var awaiting = isVillage ? (reportedAt is null ? NotReported : Reported) : Pending;
        var state = record?.Status switch
        {
            ApprovalStatus.Approved => Approved,
            ApprovalStatus.Returned when !(isVillage && reportedAt > record.At) => Returned,
            _ => awaiting,
        };
        return new ApprovalState(state, state switch
        {
            NotReported => ApprovalNames.NotReported,
            Reported => ApprovalNames.Reported,
            Pending => ApprovalNames.Pending,
            Approved => ApprovalNames.Approved,
            _ => ApprovalNames.Returned,
        });
    }
}

/// <summary>Chinese names of states and actions, the one place they are spelled.</summary>
public static class ApprovalNames
{
    public const string NotReported = "未提交";
    public const string Reported = "已提交";
    public const string Pending = "待审核";
    public const string Approved = "审核通过";
    public const string Returned = "退回";

    public static string Of(ApprovalAction action) => action switch
    {
        ApprovalAction.Approve => "审核通过",
        ApprovalAction.Return => "退回",
        _ => "解锁",
    };
}
