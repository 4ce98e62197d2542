using Microsoft.Extensions.Options;
using ReportPipeline.Application.Options;
using ReportPipeline.Application.Reference;

namespace ReportPipeline.Application.Consolidation;

/// <summary>
/// The domain's reporting calendar (<see cref="Domain.Consolidation.ReportingCalendar"/>, the one lateness rule) over the
/// catalog's templates in the configured time zone, as one service for status, consolidation and forms.
/// </summary>
public sealed class ReportingCalendar(ReferenceData reference, IOptions<PipelineOptions> options)
    : Domain.Consolidation.ReportingCalendar(() => reference.Catalog.Templates, TimeZoneInfo.FindSystemTimeZoneById(options.Value.TimeZone))
{
    /// <summary>The channel of values the seeder writes (pre-fill and history), never a village's own report.</summary>
    public const string SeedChannel = "seed";
}
