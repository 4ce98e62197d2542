namespace ReportPipeline.Storage;

/// <summary>
/// The one list of containers, tables and queues the pipeline uses (the contract's names; <c>infra/</c> provisions the
/// same). Constants, so that trigger attributes can use them.
/// </summary>
public static class StorageNames
{
    public const string SubmissionsContainer = "submissions";
    /// <summary>Department pre-fill dropped as <c>{period}/{dept}/{name}.csv|xlsx</c> (带数下发), ingested like <see cref="SubmissionsContainer"/>.</summary>
    public const string PrefillContainer = "prefill";
    public const string RejectedContainer = "submissions-rejected";
    public const string ArchiveContainer = "submissions-archive";
    public const string ReportsContainer = "reports";
    /// <summary>Reference data written by <c>seed</c>: the org registry as <c>orgs.json</c>.</summary>
    public const string ReferenceContainer = "reference";
    /// <summary>The district pass's roll-ups that the city workbooks are assembled from, and the pending-consolidation markers under <c>{period}/_pending/</c> (not part of the contract).</summary>
    public const string RollupsContainer = "rollups";
    /// <summary>
    /// The catalog's published versions (<c>catalog/{version}/…</c>, immutable, each in force from a period) and the
    /// proposals of department reports that admission turns into new versions (<c>proposals/{id}.json</c>).
    /// </summary>
    public const string CatalogContainer = "catalog";
    /// <summary>Values, receipts and audit entries, and the review state of every org with each step (see <c>TableApprovalStore</c>).</summary>
    public const string ValuesTable = "FieldValues";
    public const string FeedbackTable = "BurdenFeedback";
    /// <summary>Every read of village-level data (数据访问记录), append-only, one partition per month.</summary>
    public const string AccessLogTable = "AccessLog";
    /// <summary>Consolidation work fanned out as messages, built by a queue-triggered function.</summary>
    public const string ConsolidationQueue = "consolidation";
    /// <summary>Where the Functions host moves a consolidation message after its last failed attempt.</summary>
    public const string ConsolidationPoisonQueue = "consolidation-poison";

    public static IReadOnlyList<string> Containers { get; } =
        [SubmissionsContainer, RejectedContainer, ArchiveContainer, ReportsContainer, ReferenceContainer, RollupsContainer, CatalogContainer, PrefillContainer];

    public static IReadOnlyList<string> Tables { get; } = [ValuesTable, FeedbackTable, AccessLogTable];

    public static IReadOnlyList<string> Queues { get; } = [ConsolidationQueue, ConsolidationPoisonQueue];
}
