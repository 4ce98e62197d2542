using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Domain.Governance;

/// <summary>Why an approval step is refused: the HTTP layer answers 409 for a state conflict, 403 for who may not act.</summary>
public enum ApprovalRefusal
{
    None,
    /// <summary>The caller's org may not take this step on the target (not an upper level, or a village approving itself).</summary>
    NotReviewer,
    /// <summary>The target's state does not allow the step (already approved, a child not approved, the parent locked…).</summary>
    Conflict,
    /// <summary>A return or unlock without a reason.</summary>
    ReasonMissing,
}

public sealed record ApprovalDecision(ApprovalRefusal Refusal, string Message)
{
    public bool IsAllowed => Refusal == ApprovalRefusal.None;

    /// <summary>Allowed, and already the state the step leads to (approving an approved org): nothing to write.</summary>
    public bool AlreadyDone { get; init; }

    public static ApprovalDecision Allow { get; } = new(ApprovalRefusal.None, "");

    public static ApprovalDecision AlreadyApproved { get; } = new(ApprovalRefusal.None, "") { AlreadyDone = true };
}

/// <summary>
/// What an approval step needs to know, read before the step: the target's record, its parent's, its children's, and
/// whether a village target has reported (its own upload, not pre-fill).
/// </summary>
public sealed record ApprovalContext(
    Org Target,
    ApprovalRecord? Current,
    ApprovalRecord? Parent,
    IReadOnlyList<(Org Child, ApprovalRecord? Record)> Children,
    bool VillageHasReported);

/// <summary>
/// The approval chain, as DHIS2 runs it: data climbs township → district → city. Pure: the caller's org is an input, and
/// the access policy has already checked that the caller is an admin whose subtree holds the target.
/// <list type="bullet">
/// <item>Approve: a village is approved by an upper level (its township or above) once it has reported; an office's own
/// org by itself or an upper level, once every child is approved. Approving an approved org again is the same approval.</item>
/// <item>Return: by the same reviewers, with a reason, while not approved (an approved org is unlocked first).</item>
/// <item>Unlock: only an upper level (never the org itself), with a reason, while approved and while the parent is not
/// approved — the parent's approval covers its children, so it is lifted first.</item>
/// </list>
/// </summary>
public static class ApprovalRules
{
    public const int MaxReasonLength = 500;

    public static ApprovalDecision Decide(ApprovalAction action, string callerOrg, ApprovalContext context, string? reason, Func<string, string, bool> isStrictAncestor)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(isStrictAncestor);
        var target = context.Target;
        var upper = isStrictAncestor(callerOrg, target.Code);
        var self = string.Equals(callerOrg, target.Code, StringComparison.Ordinal);
        var name = $"{target.Name}（{target.Code}）";

        if (action == ApprovalAction.Unlock ? !upper : !(upper || (self && target.Level != OrgLevel.Village)))
        {
            return new(ApprovalRefusal.NotReviewer, action == ApprovalAction.Unlock
                ? $"只有 {name} 的上级单位管理员可以解锁，令牌所属单位 {callerOrg} 不是其上级。"
                : $"{name} 的数据由上级单位审核：令牌所属单位 {callerOrg} 不能{ApprovalNames.Of(action)}本单位的数据。");
        }

        if (action != ApprovalAction.Approve && string.IsNullOrWhiteSpace(reason))
        {
            return new(ApprovalRefusal.ReasonMissing, $"{ApprovalNames.Of(action)}须填写原因（reason），让填报单位知道为什么。");
        }

        if (reason is { Length: > MaxReasonLength })
        {
            return new(ApprovalRefusal.ReasonMissing, $"原因（reason）最多 {MaxReasonLength} 个字，收到 {reason.Length} 个字。");
        }

        var current = context.Current;
        switch (action)
        {
            case ApprovalAction.Approve:
                if (current?.IsLocked == true)
                {
                    // A second approval (a double click, a retry, two reviewers at once) is the same approval.
                    return ApprovalDecision.AlreadyApproved;
                }

                if (target.Level == OrgLevel.Village && !context.VillageHasReported)
                {
                    return Conflict($"{name} 本期尚未提交数据，不能审核通过。");
                }

                var pending = context.Children.Where(c => c.Record?.IsLocked != true).Select(c => c.Child).ToList();
                if (pending.Count > 0)
                {
                    var listed = string.Join("、", pending.Take(5).Select(c => $"{c.Name}（{c.Code}）"));
                    return Conflict($"{name} 的下级单位尚未全部审核通过（共 {pending.Count} 个未通过：{listed}{(pending.Count > 5 ? " 等" : "")}），须先逐级审核下级单位。");
                }

                return ApprovalDecision.Allow;

            case ApprovalAction.Return:
                return current?.IsLocked == true
                    ? Conflict($"{name} 已于 {Time(current.At)} 由 {Who(current)} 审核通过并锁定，须由上级解锁后才能退回。")
                    : ApprovalDecision.Allow;

            default:
                if (current?.IsLocked != true)
                {
                    return Conflict($"{name} 未处于审核通过（锁定）状态，无需解锁。");
                }

                return context.Parent?.IsLocked == true
                    ? Conflict($"上级单位 {context.Parent.OrgCode} 已于 {Time(context.Parent.At)} 由 {Who(context.Parent)} 审核通过，须先解锁上级单位。")
                    : ApprovalDecision.Allow;
        }
    }

    /// <summary>The Chinese sentence a refused submission carries: who approved the data and when.</summary>
    public static string LockedMessage(Org org, ApprovalRecord record) =>
        $"{org.Name}（{org.Code}）{record.Period.ToDisplayString()} 的数据已于 {Time(record.At)} 由 {Who(record)} 审核通过并锁定，本次提交未保存任何数据。如需修改，请联系上级单位管理员解锁。";

    /// <summary>The same, or while an approval is being recorded (its lock is set, its record not yet readable) a sentence without the approver.</summary>
    public static string LockedMessage(Org org, Period period, ApprovalRecord? record) => record is not null
        ? LockedMessage(org, record)
        : $"{org.Name}（{org.Code}）{period.ToDisplayString()} 的数据正在审核锁定，本次提交未保存任何数据。如需修改，请联系上级单位管理员。";

    public static string Who(ApprovalRecord record) => $"{record.ByOrg} 的 {record.BySubject}";

    /// <summary>Times are shown by the one display clock, saying which zone they are in.</summary>
    public static string Time(DateTimeOffset at) => DisplayClock.FormatWithZone(at);

    private static ApprovalDecision Conflict(string message) => new(ApprovalRefusal.Conflict, message);
}
