using ReportPipeline.Domain.Governance;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Values;

namespace ReportPipeline.Domain.Ports;

/// <summary>The values one org holds for one period, keyed by field id, with provenance.</summary>
public sealed record OrgValues(string OrgCode, Period Period, IReadOnlyDictionary<string, StoredValue> Values)
{
    /// <summary>Latest time any value of this org changed; null when nothing is stored.</summary>
    public DateTimeOffset? LastChanged => Values.Count == 0 ? null : Values.Values.Max(v => v.At);

    /// <summary>The content version these values are (<see cref="ValuesVersion"/>), read with them; null where not read.</summary>
    public string? Version { get; init; }
}

/// <summary>
/// One accepted, normalised submission to merge. <see cref="ContentHash"/> is the hash of the
/// normalised values; <see cref="IdempotencyKey"/> is the client's header or, for blob drops, the blob name and content hash.
/// </summary>
public sealed record MergeRequest(
    string OrgCode,
    Period Period,
    string SubmissionId,
    ValueOrigin Origin,
    IReadOnlyDictionary<string, FieldValue> Values,
    string ContentHash,
    string? IdempotencyKey,
    string Channel,
    DateTimeOffset ReceivedAt)
{
    /// <summary>The clerk's explanations of warned values, stored with the value (<see cref="StoredValue.Explanation"/>).</summary>
    public IReadOnlyDictionary<string, string> Explanations { get; init; } = new Dictionary<string, string>();
    /// <summary>The token's subject of who sent it (kept in the audit entry); null for a blob drop or pre-fill.</summary>
    public string? Subject { get; init; }

    /// <summary>The org of the token that sent it (an upper level may submit for a village); null with no token.</summary>
    public string? SubjectOrg { get; init; }

    /// <summary>
    /// The version of the org's values the submission was prepared from (<see cref="ValuesVersion"/>; HTTP <c>If-Match</c>
    /// or a form workbook's record). When the values have moved on since, nothing is written
    /// (<see cref="ValuesChangedException"/>); a resend of a committed submission is still its replay. Null: no condition.
    /// </summary>
    public string? ExpectedVersion { get; init; }

    /// <summary>
    /// Run by the merge on the org's stored values as its one read returned them, before anything is written — again on
    /// every attempt, so after a lost race on the values that won: the rules that need the rest of an org's values, and
    /// whatever must be done before a commit (the raw upload archived). Throwing stops the merge with nothing written
    /// (<see cref="SubmissionRefusedException"/> for invalid values). Null: nothing to check.
    /// </summary>
    public Func<IReadOnlyDictionary<string, StoredValue>, CancellationToken, Task>? BeforeCommit { get; init; }
}

/// <summary>
/// The submission's values do not hold together with the org's stored values (a required field still empty, a cross-field
/// rule broken): <see cref="MergeRequest.BeforeCommit"/> refused it and nothing was written.
/// </summary>
public sealed class SubmissionRefusedException(IReadOnlyList<Validation.ValidationError> errors)
    : InvalidOperationException($"The submission was refused with {errors.Count} errors; nothing was written.")
{
    public IReadOnlyList<Validation.ValidationError> Errors { get; } = errors;
}

/// <summary>What a merge did. A resend of identical content returns the first receipt with <see cref="IsReplay"/> set.</summary>
public sealed record MergeReceipt
{
    public required string SubmissionId { get; init; }
    public required string OrgCode { get; init; }
    public required Period Period { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
    public required int Changed { get; init; }
    public required int Unchanged { get; init; }
    /// <summary>Values equal to a pre-filled value: the village confirmed them.</summary>
    public required int ConfirmedPrefill { get; init; }
    /// <summary>Fields where the village's value differs from the pre-filled one (kept and flagged).</summary>
    public IReadOnlyList<string> PrefillConflicts { get; init; } = [];
    public bool IsReplay { get; init; }
    public string Channel { get; init; } = "";
    /// <summary>Storage entities written (0 for a replay or an unchanged resend).</summary>
    public int EntitiesWritten { get; init; }
    /// <summary>
    /// When the org itself first reported for the period (a typed or corrected submission, through any channel). Values
    /// pushed down from upper levels or carried forward do not count: an org with only those has not reported. Null then.
    /// </summary>
    public DateTimeOffset? FirstReportedAt { get; init; }
    /// <summary>When the org itself last reported for the period; later pre-fill does not move it.</summary>
    public DateTimeOffset? LastReportedAt { get; init; }
    /// <summary>
    /// When this submission was committed: the time of its audit entry and of every value it wrote. Commits of one org
    /// are serialised and their times strictly increase, so the latest commit time is the last writer's, whatever order
    /// the requests arrived in (<see cref="ReceivedAt"/>). Null only for receipts stored before it was kept.
    /// </summary>
    public DateTimeOffset? CommittedAt { get; init; }
    public bool HasReported => FirstReportedAt is not null;
}

/// <summary>A past accepted submission as kept in the audit history.</summary>
public sealed record AuditEntry(
    string SubmissionId,
    string OrgCode,
    Period Period,
    DateTimeOffset ReceivedAt,
    string Channel,
    ValueOrigin Origin,
    IReadOnlyDictionary<string, string> NormalisedValues,
    IReadOnlyList<ValueChange> Changes)
{
    /// <summary>When the submission was committed; the history is ordered by it, newest (the last writer) first.</summary>
    public DateTimeOffset CommittedAt { get; init; }

    /// <summary>The sender's token subject; null for a blob drop, pre-fill, or an entry written before it was kept.</summary>
    public string? Subject { get; init; }

    /// <summary>The sender's token org; null when <see cref="Subject"/> is.</summary>
    public string? SubjectOrg { get; init; }
}

public sealed record ValueChange(string FieldId, string? Before, string After);

/// <summary>
/// Current values per (period, org, field), each data item once however many templates use it,
/// plus the append-only audit history and the receipts that make resends no-ops.
/// </summary>
public interface IFieldValueStore
{
    Task<OrgValues> GetAsync(string orgCode, Period period, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes only the values that changed, the audit entry and the receipt, atomically where the storage allows;
    /// concurrent merges for one org are serialised by optimistic concurrency and lose nothing. A resend (same
    /// idempotency key and content, or the same content as the latest submission) writes nothing and returns the first
    /// receipt with <see cref="MergeReceipt.IsReplay"/>.
    /// </summary>
    /// <exception cref="IdempotencyKeyReusedException">The idempotency key was first used with other content; nothing is written.</exception>
    Task<MergeReceipt> MergeAsync(MergeRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reads many orgs of one period efficiently (the consolidation read path). Orgs with nothing stored are omitted.</summary>
    IAsyncEnumerable<OrgValues> ReadManyAsync(Period period, IReadOnlyCollection<string> orgCodes, CancellationToken cancellationToken = default);

    /// <summary>The same, reading only the given fields: a city workbook needs a template's columns, not the whole one table.</summary>
    IAsyncEnumerable<OrgValues> ReadManyAsync(Period period, IReadOnlyCollection<string> orgCodes, IReadOnlyCollection<string> fieldIds, CancellationToken cancellationToken = default);

    IAsyncEnumerable<AuditEntry> ReadAuditAsync(string orgCode, Period period, CancellationToken cancellationToken = default);

    /// <summary>The latest receipt for each org of the list that has submitted for the period (the completeness read path).</summary>
    IAsyncEnumerable<MergeReceipt> ReadLatestReceiptsAsync(Period period, IReadOnlyCollection<string> orgCodes, CancellationToken cancellationToken = default);

    /// <summary>
    /// The orgs' latest rows in one query per partition: each village's latest receipt and each org's review state, which
    /// lives on the same row (docs/storage-design.md, "Approval and locking approved values"). A reader that needs both
    /// (a consolidation unit, a district's summary, the live status page) reads the rows once instead of twice.
    /// </summary>
    Task<LatestRows> ReadLatestRowsAsync(Period period, IReadOnlyCollection<string> orgCodes, CancellationToken cancellationToken = default);
}

/// <summary>What the orgs' latest rows hold: the latest receipts (orgs that reported) and the review states (orgs that have one).</summary>
public sealed record LatestRows(IReadOnlyDictionary<string, MergeReceipt> Receipts, IReadOnlyDictionary<string, ApprovalRecord> ReviewStates);

/// <summary>
/// A request reused an idempotency key with content other than the key's first submission. Nothing was written; the
/// client must use a new key for new content (answered 422 <c>idempotency_key_reused</c>).
/// </summary>
public sealed class IdempotencyKeyReusedException(string idempotencyKey, string firstSubmissionId)
    : InvalidOperationException("幂等键（Idempotency-Key）已用于内容不同的另一次提交；新的内容请使用新的幂等键。本次提交未保存任何数据。")
{
    public const string Code = "idempotency_key_reused";

    public string IdempotencyKey { get; } = idempotencyKey;

    /// <summary>The submission the key was first used for.</summary>
    public string FirstSubmissionId { get; } = firstSubmissionId;
}

/// <summary>
/// The org's values for the period are locked by an approval; nothing was written. The approval is kept on the row every
/// merge reads, so the merge that refuses knows who approved and when.
/// </summary>
public sealed class OrgLockedException(string orgCode, Period period)
    : InvalidOperationException($"The values of {orgCode} for {period} are locked by an approval.")
{
    public ApprovalRecord? Approval { get; init; }

    public string OrgCode { get; } = orgCode;

    public Period Period { get; } = period;
}
