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

    /// <summary>The earliest deadline among the templates of the period's kind: the day by which the one table must be in.</summary>
    public DateOnly Deadline(Period period)
    {
        var days = reference.Catalog.Templates.Where(t => t.PeriodKind == period.Kind).Select(t => t.DeadlineDays).DefaultIfEmpty(5).Min();
        return period.Deadline(days);
    }

    public bool IsLate(DateTimeOffset receivedAt, DateOnly deadline) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(receivedAt, _zone).DateTime) > deadline;

}
