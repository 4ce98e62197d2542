namespace ReportPipeline.Domain.Catalog;

public enum CrossFieldRuleKind
{
    /// <summary>Each part ≤ total (e.g. 党员数 ≤ 户籍人口).</summary>
    PartsNotExceedTotal,
    /// <summary>The parts add up to the total (e.g. 男 + 女 = 户籍人口).</summary>
    PartsSumToTotal,
    /// <summary>Numerator ÷ denominator within [Min, Max].</summary>
    RatioWithin,
}

/// <summary>A rule over several fields, declared in the catalog.</summary>
public sealed record CrossFieldRule
{
    public required string Id { get; init; }
    public required CrossFieldRuleKind Kind { get; init; }
    /// <summary>The total (for part rules) or the numerator (for ratio rules).</summary>
    public required string Field { get; init; }
    /// <summary>The parts (part rules) or a single denominator (ratio rules).</summary>
    public required IReadOnlyList<string> Others { get; init; }
    public decimal? Min { get; init; }
    public decimal? Max { get; init; }
    /// <summary>Optional Chinese message; a default is generated from field names.</summary>
    public string? Message { get; init; }
}
