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
