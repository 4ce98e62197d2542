namespace ReportPipeline.Storage;

/// <summary>
/// The one list of containers, tables and queues the pipeline uses (the contract's names; <c>infra/</c> provisions the
/// same). Constants, so that trigger attributes can use them.
/// </summary>
public static class StorageNames
{
    public const string SubmissionsContainer = "submissions";
    public const string RejectedContainer = "submissions-rejected";
    public const string ArchiveContainer = "submissions-archive";
    public const string ReportsContainer = "reports";
    /// <summary>Reference data written by <c>seed</c>: the org registry as <c>orgs.json</c>.</summary>
    public const string ReferenceContainer = "reference";
    /// <summary>The district pass's roll-ups that the city workbooks are assembled from, and the pending-consolidation markers under <c>{period}/_pending/</c> (not part of the contract).</summary>
    public const string RollupsContainer = "rollups";
    /// <summary>Values, receipts and audit entries, and the review state of every org with each step (see <c>TableApprovalStore</c>).</summary>
    public const string ValuesTable = "FieldValues";
    public const string FeedbackTable = "BurdenFeedback";
    /// <summary>Consolidation work fanned out as messages, built by a queue-triggered function.</summary>
    public const string ConsolidationQueue = "consolidation";
    /// <summary>Where the Functions host moves a consolidation message after its last failed attempt.</summary>
    public const string ConsolidationPoisonQueue = "consolidation-poison";

    public static IReadOnlyList<string> Containers { get; } =
        [SubmissionsContainer, RejectedContainer, ArchiveContainer, ReportsContainer, ReferenceContainer, RollupsContainer];

    public static IReadOnlyList<string> Tables { get; } = [ValuesTable, FeedbackTable];

    public static IReadOnlyList<string> Queues { get; } = [ConsolidationQueue, ConsolidationPoisonQueue];
}
