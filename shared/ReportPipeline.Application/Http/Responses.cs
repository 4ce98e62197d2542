namespace ReportPipeline.Application.Http;

// The API's answers, one named type each; property names become camelCase JSON (the web defaults of both hosts).

public sealed record HealthyResponse(string Status, string Storage, double StorageLatencyMs, string CatalogVersion, DateTimeOffset Time);

/// <summary>Says which part is down and nothing more: the route is anonymous, so no exception text.</summary>
public sealed record UnhealthyResponse(string Status, string Storage);

public sealed record SubmissionResponse(
    string SubmissionId,
    string Org,
    string OrgName,
    string Period,
    DateTimeOffset ReceivedAt,
    int Changed,
    int Unchanged,
    int ConfirmedPrefill,
    IReadOnlyList<string> PrefillConflicts,
    bool Replay,
    IReadOnlyList<ProblemError> Warnings,
    string Message);

public sealed record ValuesResponse(
    string Org,
    string OrgName,
    string Period,
    string CatalogVersion,
    int Count,
    DateTimeOffset? LastChanged,
    IReadOnlyList<StoredValueResponse> Values);

public sealed record StoredValueResponse(
    string Field,
    string? Name,
    string? Unit,
    string Value,
    string Origin,
    string? Source,
    DateTimeOffset At,
    string? PrefillConflict);
