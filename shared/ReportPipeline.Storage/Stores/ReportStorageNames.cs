namespace ReportPipeline.Storage.Stores;

/// <summary>
/// Container and table names. The defaults equal <c>ReportPipeline.Application.Hosting.StorageNames</c>; they are
/// repeated here because the adapters do not reference the application layer.
/// </summary>
public sealed record ReportStorageNames
{
    public string SubmissionsContainer { get; init; } = "submissions";
    public string RejectedContainer { get; init; } = "submissions-rejected";
    public string ArchiveContainer { get; init; } = "submissions-archive";
    public string ReportsContainer { get; init; } = "reports";
    public string LeasesContainer { get; init; } = "leases";
    public string ValuesTable { get; init; } = "FieldValues";
    public string ReportStateTable { get; init; } = "ReportState";
    public string FeedbackTable { get; init; } = "BurdenFeedback";

    public IEnumerable<string> Containers => [SubmissionsContainer, RejectedContainer, ArchiveContainer, ReportsContainer, LeasesContainer];

    public IEnumerable<string> Tables => [ValuesTable, ReportStateTable, FeedbackTable];
}
