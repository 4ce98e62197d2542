using ReportPipeline.Domain.Governance;
using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Domain.Ports;

/// <summary>
/// The review states of some orgs for one period as read at one moment, with the versions a step is conditioned on. A
/// step taken on this snapshot commits only if its target's review state did not change since; an unlock also only if
/// its parent did not become approved, and an office's approval only if none of its children was unlocked meanwhile.
/// </summary>
public sealed class ApprovalSnapshot(Period period, IReadOnlyDictionary<string, ApprovalRecord> records, IReadOnlyDictionary<string, string> versions)
{
    public Period Period { get; } = period;

    public IReadOnlyDictionary<string, ApprovalRecord> Records { get; } = records;

    /// <summary>Opaque storage versions (ETags) by row, for the adapter only.</summary>
    public IReadOnlyDictionary<string, string> Versions { get; } = versions;

    public ApprovalRecord? Find(string orgCode) => Records.GetValueOrDefault(orgCode);
}

/// <summary>
/// Review states per (period, org) and the append-only log of every approve, return and unlock. A village's review state
/// is kept with its values, so that approving it and locking its values are one atomic write, after which no merge commits.
/// </summary>
public interface IApprovalStore
{
    /// <summary>The records of the given orgs (those without a record are absent) with the versions needed to commit a step.</summary>
    Task<ApprovalSnapshot> ReadAsync(Period period, IReadOnlyCollection<string> orgCodes, CancellationToken cancellationToken = default);

    /// <summary>One org's record, a single point read.</summary>
    Task<ApprovalRecord?> GetAsync(string orgCode, Period period, CancellationToken cancellationToken = default);

    /// <summary>
    /// Commits the step: the target's new record and its event in one transaction, conditioned on the target's review
    /// state as the snapshot read it. The record's time is its commit time (never before a change it covers). Steps on
    /// siblings never conflict; an unlock and its parent's approval serialise (one of them is refused); an approval that
    /// finds the target approved by a concurrent step answers that record (approving twice is one approval).
    /// </summary>
    /// <exception cref="ApprovalConcurrencyException">Another step changed the target (or, for an unlock, its parent) first; nothing was written.</exception>
    Task<ApprovalRecord> CommitAsync(ApprovalSnapshot basis, ApprovalEvent step, string? parentCode, CancellationToken cancellationToken = default);

    /// <summary>Every step of the period for the given orgs, newest first.</summary>
    Task<IReadOnlyList<ApprovalEvent>> ReadEventsAsync(Period period, IReadOnlyCollection<string> orgCodes, CancellationToken cancellationToken = default);
}

/// <summary>A concurrent step committed first (answered 409); nothing was written, and the caller may read and try again.</summary>
public sealed class ApprovalConcurrencyException(string orgCode, Exception? inner = null)
    : InvalidOperationException($"单位 {orgCode} 的审核状态刚刚被其他人修改，本次操作未生效，请刷新后重试。", inner)
{
    public string OrgCode { get; } = orgCode;
}
