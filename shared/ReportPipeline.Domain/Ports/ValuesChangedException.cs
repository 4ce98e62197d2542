using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Values;

namespace ReportPipeline.Domain.Ports;

/// <summary>
/// A submission prepared from one version of the org's values (<see cref="MergeRequest.ExpectedVersion"/>) arrived after
/// another commit had changed them. Nothing was written (answered 412 Precondition Failed): what changed since that version
/// is listed so that the sender can look at it, decide per field and send again with <see cref="CurrentVersion"/>.
/// </summary>
public sealed class ValuesChangedException(string orgCode, Period period, string expectedVersion, string currentVersion, IReadOnlyList<ChangedValue> changed)
    : InvalidOperationException($"The values of {orgCode} for {period} changed since version {expectedVersion}; they are at {currentVersion}.")
{
    public string OrgCode { get; } = orgCode;

    public Period Period { get; } = period;

    public string ExpectedVersion { get; } = expectedVersion;

    public string CurrentVersion { get; } = currentVersion;

    /// <summary>
    /// Every stored value written after the expected version, by field id: the submission's own fields first (the ones it
    /// would have overwritten), then the others.
    /// </summary>
    public IReadOnlyList<ChangedValue> Changed { get; } = changed;
}

/// <summary>
/// A stored value written after the version a submission was prepared from, and the value the submission carried for
/// that field (null when it did not send the field).
/// </summary>
public sealed record ChangedValue(string FieldId, StoredValue Current, FieldValue? Submitted);
