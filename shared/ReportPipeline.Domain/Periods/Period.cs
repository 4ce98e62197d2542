using System.Text.Json.Serialization;

namespace ReportPipeline.Domain.Periods;

/// <summary>How often a field is collected or a template is reported.</summary>
public enum PeriodKind
{
    Month,
    Quarter,
    Year,
}

/// <summary>
/// A reporting period: <c>2026</c> (year), <c>2026-Q4</c> (quarter) or <c>2026-11</c> (month).
/// <see cref="Number"/> is 0 for a year, 1–4 for a quarter, 1–12 for a month.
/// </summary>
[JsonConverter(typeof(PeriodJsonConverter))]
public readonly partial record struct Period(PeriodKind Kind, int Year, int Number);
