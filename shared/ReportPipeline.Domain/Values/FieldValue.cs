using ReportPipeline.Domain.Catalog;

namespace ReportPipeline.Domain.Values;

/// <summary>
/// A normalised value. <see cref="Canonical"/> is the one text form used for storage, hashing and
/// comparison: integers and decimals in invariant culture without thousands separators or trailing
/// zeros, dates as yyyy-MM-dd, booleans as true/false, enums as the option code.
/// </summary>
public readonly record struct FieldValue(FieldType Type, string Canonical)
{
    public decimal? Number => Type is FieldType.Integer or FieldType.Decimal
        ? decimal.Parse(Canonical, System.Globalization.CultureInfo.InvariantCulture)
        : null;

    public override string ToString() => Canonical;
}

/// <summary>How a stored value came to be.</summary>
public enum ValueOrigin
{
    /// <summary>Typed by the village in a submission.</summary>
    Typed,
    /// <summary>Written by an upper-level source (数据下沉).</summary>
    Prefilled,
    /// <summary>Carried forward from the previous period.</summary>
    CarriedForward,
    /// <summary>A later submission changed a value the org had already reported.</summary>
    Corrected,
}

/// <summary>The one "own report" rule: what the village itself sent (typed or corrected), not pushed down or carried forward.</summary>
public static class ValueOrigins
{
    public static bool IsOwnReport(ValueOrigin origin) => origin is ValueOrigin.Typed or ValueOrigin.Corrected;
}

/// <summary>A value as stored, with its provenance.</summary>
public sealed record StoredValue(FieldValue Value, ValueOrigin Origin, string SourceId, DateTimeOffset At)
{
    /// <summary>When the village's value differs from a pre-filled upper-level value, that value is kept here (flagged).</summary>
    public FieldValue? ConflictsWithPrefill { get; init; }
    /// <summary>The clerk's short explanation confirming a value that drew a quality warning (数据质量说明); null when none.</summary>
    public string? Explanation { get; init; }
}
