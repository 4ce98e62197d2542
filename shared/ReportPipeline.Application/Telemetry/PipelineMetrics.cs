using System.Diagnostics.Metrics;

namespace ReportPipeline.Application.Telemetry;

/// <summary>
/// The pipeline's instruments on the <c>ReportPipeline</c> meter. The Functions app exports them to Application
/// Insights; the local host prints them to the console. Tags carry the district so the ops dashboard can split by it.
/// </summary>
public sealed class PipelineMetrics : IDisposable
{
    public const string MeterName = "ReportPipeline";

    private readonly Meter _meter;

    public PipelineMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        SubmissionsAccepted = _meter.CreateCounter<long>("submissions.accepted", description: "Submissions merged into storage");
        SubmissionsRejected = _meter.CreateCounter<long>("submissions.rejected", description: "Submissions rejected with validation errors");
        SubmissionsReplayed = _meter.CreateCounter<long>("submissions.replayed", description: "Resends answered with the first receipt");
        ValuesWritten = _meter.CreateCounter<long>("values.written", description: "Field values that changed and were written");
        ValuesSkipped = _meter.CreateCounter<long>("values.skipped", description: "Field values that were unchanged and not written (deduplication)");
        WorkbooksBuilt = _meter.CreateCounter<long>("workbooks.built", description: "Consolidated workbooks written");
        WorkbooksSkipped = _meter.CreateCounter<long>("workbooks.skipped", description: "Consolidated workbooks whose inputs had not changed");
        ConsolidationFailures = _meter.CreateCounter<long>("consolidation.failures", description: "Workbook builds that failed");
        ConsolidationDuration = _meter.CreateHistogram<double>("consolidation.duration", unit: "ms", description: "Time to build one consolidation run");
        SubmissionDuration = _meter.CreateHistogram<double>("submission.duration", unit: "ms", description: "Time to parse, validate and merge one submission");
        SubmissionStorageCalls = _meter.CreateHistogram<int>("submission.storage_calls", unit: "{call}", description: "Storage calls of one accepted HTTP submission (tag service: table, blob, queue)");
    }

    public Counter<long> SubmissionsAccepted { get; }
    public Counter<long> SubmissionsRejected { get; }
    public Counter<long> SubmissionsReplayed { get; }
    public Counter<long> ValuesWritten { get; }
    public Counter<long> ValuesSkipped { get; }
    public Counter<long> WorkbooksBuilt { get; }
    public Counter<long> WorkbooksSkipped { get; }
    public Counter<long> ConsolidationFailures { get; }
    public Histogram<double> ConsolidationDuration { get; }
    public Histogram<double> SubmissionDuration { get; }

    public Histogram<int> SubmissionStorageCalls { get; }

    public static KeyValuePair<string, object?> District(string orgCode) =>
        new("district", Domain.Orgs.OrgRegistry.DistrictPrefix(orgCode));

    public void Dispose() => _meter.Dispose();
}
