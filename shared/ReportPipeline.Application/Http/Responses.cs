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
    IReadOnlyList<StoredValueResponse> Values,
    string Version);

public sealed record StoredValueResponse(
    string Field,
    string? Name,
    string? Unit,
    string Value,
    string Origin,
    string? Source,
    DateTimeOffset At,
    string? PrefillConflict);

/// <summary>
/// One field of a 412: the value stored now (written after the version the submission was prepared from, by
/// <see cref="Source"/> at <see cref="At"/>) and the value the submission carried (null when it did not send the field).
/// </summary>
public sealed record ChangedValueResponse(
    string Field,
    string? Name,
    string? Unit,
    string Value,
    string Origin,
    string? Source,
    DateTimeOffset At,
    string? Submitted);
