using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Values;

namespace ReportPipeline.Domain.Forms;

/// <summary>
/// Everything the form workbook shows. <see cref="Current"/> is what storage holds for this org and period (pre-filled by
/// upper-level sources, carried forward, or typed earlier); <see cref="Previous"/> is the previous period's values,
/// shown as 上期数值 and used to suggest carry-forward fields that have no current value.
/// </summary>
public sealed record FormWorkbookModel
{
    public required FieldCatalog Catalog { get; init; }
    public required Org Org { get; init; }
    /// <summary>Names from the root down to the org itself, e.g. 重庆市 / 渝中区 / 七星岗街道 / 金汤街社区.</summary>
    public IReadOnlyList<string> OrgPathNames { get; init; } = [];
    public required Period Period { get; init; }
    public IReadOnlyDictionary<string, StoredValue> Current { get; init; } = new Dictionary<string, StoredValue>();
    public IReadOnlyDictionary<string, StoredValue> Previous { get; init; } = new Dictionary<string, StoredValue>();
    /// <summary>The fields on the form, in catalog order; null means the catalog fields collected at the period's frequency.</summary>
    public IReadOnlyList<string>? FieldIds { get; init; }
    public required DateTimeOffset GeneratedAt { get; init; }
    /// <summary>The version of <see cref="Current"/> (<see cref="ReportPipeline.Domain.Values.ValuesVersion"/>), recorded so that the upload is checked against it.</summary>
    public string? ValuesVersion { get; init; }
    /// <summary>Days after the period end by which the form is due; shown on the form.</summary>
    public int DeadlineDays { get; init; } = 5;
    /// <summary>Contact lines for the instructions sheet (e.g. 镇街统计办 023-xxxxxxx).</summary>
    public IReadOnlyList<string> Contacts { get; init; } = [];
    /// <summary>Where to upload, shown on the instructions sheet (e.g. the HTTP address).</summary>
    public string? UploadAddress { get; init; }

    /// <summary>The fields the form asks for, resolved against the catalog.</summary>
    public IReadOnlyList<FieldDefinition> ResolveFields()
    {
        if (FieldIds is not null)
        {
            return [.. FieldIds.Select(Catalog.Find).OfType<FieldDefinition>()];
        }

        var atFrequency = Catalog.Fields.Where(f => f.Frequency == Period.Kind).ToList();
        return atFrequency.Count > 0 ? atFrequency : Catalog.Fields;
    }
}

/// <summary>Marker values the form workbook records so an upload can be checked and traced.</summary>
public static class FormMetadata
{
    public const string FormKind = "ReportPipeline.OneTableForm";
    public const int FormVersion = 1;
    public const string FormSheet = "填报表";
    public const string InstructionsSheet = "填报说明";
    public const string MetaSheet = "_meta";
    public const string ListsSheet = "_lists";
}
