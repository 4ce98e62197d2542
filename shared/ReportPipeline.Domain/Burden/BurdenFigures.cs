namespace ReportPipeline.Domain.Burden;

/// <summary>
/// Burden reduction (减负) for an org's subtree and one period, as the API returns it and the city workbook shows it.
/// "Separately" means: as if every template were a spreadsheet of its own, each asking its fields again.
/// </summary>
public sealed record BurdenFigures
{
    public required string OrgCode { get; init; }
    public required string Period { get; init; }
    public required int Templates { get; init; }
    public required int Villages { get; init; }
    /// <summary>Villages holding any value for the period (pre-filled or typed); the entry counts below are over these.</summary>
    public required int VillagesCounted { get; init; }
    /// <summary>Σ over templates of the fields each asks, per village.</summary>
    public required int EntriesAskedSeparatelyPerVillage { get; init; }
    /// <summary>Distinct fields of the one table those templates need, per village.</summary>
    public required int DistinctFields { get; init; }
    /// <summary>Entries the templates would ask separately, over the counted villages.</summary>
    public required long EntriesAskedSeparately { get; init; }
    /// <summary>Entries the villages actually typed (typed or corrected values of the needed fields).</summary>
    public required long EntriesTyped { get; init; }
    /// <summary>Entries pre-filled by upper-level sources or carried forward and left as they were.</summary>
    public required long EntriesPrefilled { get; init; }
    /// <summary>1 − typed ÷ asked separately.</summary>
    public required decimal ReductionRatio { get; init; }
    /// <summary>1 − distinct fields ÷ fields asked separately: what deduplication alone saves.</summary>
    public required decimal DeduplicationRatio { get; init; }
    /// <summary>Pre-filled ÷ (typed + pre-filled).</summary>
    public required decimal PrefilledShare { get; init; }
    public required IReadOnlyList<TemplateBurden> PerTemplate { get; init; }
}

/// <summary>
/// One template: its columns, the fields it asks, and how many of its columns were served from data already held
/// (every input pre-filled, carried forward, derived, or also asked by another template, so typed once for all).
/// </summary>
public sealed record TemplateBurden(
    string TemplateId,
    string Title,
    string Department,
    int Columns,
    int FieldsAsked,
    int ColumnsPrefilled,
    int ColumnsServedFromHeldData);

/// <summary>The entries behind <see cref="BurdenFigures"/> for some villages; they add up over disjoint sets of villages.</summary>
public sealed record BurdenCounts(int Villages, int VillagesCounted, long EntriesTyped, long EntriesPrefilled)
{
    public static readonly BurdenCounts None = new(0, 0, 0, 0);

    public static BurdenCounts operator +(BurdenCounts a, BurdenCounts b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return new(a.Villages + b.Villages, a.VillagesCounted + b.VillagesCounted, a.EntriesTyped + b.EntriesTyped, a.EntriesPrefilled + b.EntriesPrefilled);
    }

    public static BurdenCounts Add(BurdenCounts a, BurdenCounts b) => a + b;
}
