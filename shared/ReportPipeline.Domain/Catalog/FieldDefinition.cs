using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Domain.Catalog;

public enum FieldType
{
    Integer,
    Decimal,
    Text,
    Enum,
    Date,
    Boolean,
}

/// <summary>Where a field's value comes from.</summary>
public enum FieldSource
{
    /// <summary>Typed by the village (填报).</summary>
    Typed,
    /// <summary>Pushed down from an upper-level source (数据下沉); shown read-only or for confirmation.</summary>
    Prefilled,
    /// <summary>Computed from other fields; never typed.</summary>
    Derived,
}

public sealed record EnumOption(string Code, string Label);

/// <summary>
/// The largest plausible change of a value against the previous period: relative (0.5 = ±50 % of last period's value)
/// or absolute (in the field's unit). A move beyond it is a warning, never a refusal.
/// </summary>
public sealed record ChangeThreshold(decimal? Relative, decimal? Absolute)
{
    public static ChangeThreshold OfRelative(decimal relative) => new(relative, null);

    public static ChangeThreshold OfAbsolute(decimal absolute) => new(null, absolute);
}

/// <summary>One data item of the one table (一表). <see cref="Id"/> is ASCII and never changes.</summary>
public sealed record FieldDefinition
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string? Unit { get; init; }
    public required FieldType Type { get; init; }
    /// <summary>Decimal places allowed for <see cref="FieldType.Decimal"/>.</summary>
    public int Precision { get; init; }
    public bool Required { get; init; }
    public decimal? Min { get; init; }
    public decimal? Max { get; init; }
    public IReadOnlyList<EnumOption> Options { get; init; } = [];
    /// <summary>For <see cref="FieldType.Text"/>: the longest text accepted (characters).</summary>
    public int MaxLength { get; init; } = DefaultTextMaxLength;
    /// <summary>Domain group (e.g. 人口, 民政, 党建), also the section heading in the form workbook.</summary>
    public required string Group { get; init; }
    public IReadOnlyList<string> Departments { get; init; } = [];
    public FieldSource Source { get; init; } = FieldSource.Typed;
    public PeriodKind Frequency { get; init; } = PeriodKind.Month;
    /// <summary>A slowly changing value that is carried forward from the previous period as a suggestion.</summary>
    public bool CarryForward { get; init; }
    /// <summary>Other names departments use for this item; used for CSV headers and the overlap check.</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];
    public string? Description { get; init; }
    /// <summary>For <see cref="FieldSource.Derived"/> fields: an expression over other fields.</summary>
    public string? Expression { get; init; }
    /// <summary>Soft lower bound: a value below it is accepted with a warning (数据质量), unlike <see cref="Min"/>.</summary>
    public decimal? ExpectedMin { get; init; }
    /// <summary>Soft upper bound: a value above it is accepted with a warning.</summary>
    public decimal? ExpectedMax { get; init; }
    /// <summary>How far a value may move against the previous period before it is flagged; null: never flagged.</summary>
    public ChangeThreshold? MaxChange { get; init; }

    public const int DefaultTextMaxLength = 200;

    public bool IsNumeric => Type is FieldType.Integer or FieldType.Decimal;

    /// <summary>
    /// Decimal places a number of this field is shown with: the form workbook's number format, and the web form's
    /// derived values (rounded half away from zero, as a spreadsheet shows them).
    /// </summary>
    public int ShownDecimals => Type == FieldType.Decimal ? Math.Max(0, Precision) : 0;
}
