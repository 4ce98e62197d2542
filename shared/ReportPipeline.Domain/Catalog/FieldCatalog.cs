namespace ReportPipeline.Domain.Catalog;

/// <summary>The one table (一表): every data item once, plus its cross-field rules. Built by the catalog loader only.</summary>
public sealed class FieldCatalog
{
    private readonly Dictionary<string, FieldDefinition> _byId;

    public FieldCatalog(string version, IReadOnlyList<FieldDefinition> fields, IReadOnlyList<CrossFieldRule> rules, DepartmentDirectory? departments = null)
    {
        Version = version;
        Departments = departments ?? DepartmentDirectory.Empty;
        Fields = fields;
        Rules = rules;
        _byId = fields.ToDictionary(f => f.Id, StringComparer.Ordinal);
    }

    /// <summary>Catalog version, recorded in every form workbook so that stale uploads are caught.</summary>
    public string Version { get; }
    public IReadOnlyList<FieldDefinition> Fields { get; }
    public IReadOnlyList<CrossFieldRule> Rules { get; }
    /// <summary>The departments that own fields and ask for templates, by code.</summary>
    public DepartmentDirectory Departments { get; }

    public FieldDefinition? Find(string id) => _byId.GetValueOrDefault(id);
    public FieldDefinition this[string id] => _byId[id];
    public bool Contains(string id) => _byId.ContainsKey(id);

    /// <summary>A rule whose fields are collected at different frequencies: it compares values of different periods (期末数).</summary>
    public bool SpansFrequencies(CrossFieldRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return rule.Others.Prepend(rule.Field).Select(id => Find(id)?.Frequency).Distinct().Count() > 1;
    }
}
