using ReportPipeline.Domain.Governance;
using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Domain.Ports;

/// <summary>
/// The review states of one period as read at one moment, with the versions a step is conditioned on. A step taken on
/// this snapshot commits only if neither the target, nor its parent, nor any of its children changed since.
/// </summary>
public sealed class ApprovalSnapshot(Period period, IReadOnlyDictionary<string, ApprovalRecord> records, IReadOnlyDictionary<string, string> versions)
{
    public Period Period { get; } = period;

    public IReadOnlyDictionary<string, ApprovalRecord> Records { get; } = records;

    /// <summary>Opaque storage versions (ETags) by row, for the adapter only.</summary>
    public IReadOnlyDictionary<string, string> Versions { get; } = versions;

    public ApprovalRecord? Find(string orgCode) => Records.GetValueOrDefault(orgCode);
}

/// <summary>Review states per (period, org) and the append-only log of every approve, return and unlock.</summary>
public interface IApprovalStore
{
    /// <summary>Every record of the period (one partition) with the versions needed to commit a step on it.</summary>
    Task<ApprovalSnapshot> ReadAsync(Period period, CancellationToken cancellationToken = default);

    /// <summary>One org's record: the lock check of every submission, a single point read.</summary>
    Task<ApprovalRecord?> GetAsync(string orgCode, Period period, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the new record and its event in one transaction, conditioned on the snapshot's versions of the target and of
    /// the guards of its parent and its own children: two reviewers racing cannot both win.
    /// </summary>
    /// <exception cref="ApprovalConcurrencyException">Another step changed the target, its parent or a child first; nothing was written.</exception>
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
