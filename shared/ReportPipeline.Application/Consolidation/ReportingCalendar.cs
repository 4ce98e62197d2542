using Microsoft.Extensions.Options;
using ReportPipeline.Application.Options;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Application.Consolidation;

/// <summary>Deadlines and lateness in the configured time zone (China time).</summary>
public sealed class ReportingCalendar(ReferenceData reference, IOptions<PipelineOptions> options)
{
    public const string SeedChannel = "seed";

    private readonly TimeZoneInfo _zone = TimeZoneInfo.FindSystemTimeZoneById(options.Value.TimeZone);

    public TimeZoneInfo Zone => _zone;

    /// <summary>Days after a period's end by which the one table is due: the earliest deadline among the templates of that kind.</summary>
    public int DeadlineDays(PeriodKind kind) =>
        reference.Catalog.Templates.Where(t => t.PeriodKind == kind).Select(t => t.DeadlineDays).DefaultIfEmpty(5).Min();

    public DateOnly Deadline(Period period) => period.Deadline(DeadlineDays(period.Kind));

    public DateOnly Today(DateTimeOffset now) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, _zone).DateTime);

    public bool IsLate(DateTimeOffset receivedAt, DateOnly deadline) => Today(receivedAt) > deadline;
}
