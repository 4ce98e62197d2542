namespace ReportPipeline.Domain.Catalog.Loading;

// The on-disk shape. Everything is optional and stringly typed here so that a bad file yields a list of
// problems from the loader rather than the first exception the serializer meets.

internal sealed class CatalogManifestDocument
{
    public string? Version { get; set; }
    public string? Name { get; set; }
    public string? Description { get; set; }
}

internal sealed class DepartmentFileDocument
{
    public List<DepartmentDocument?>? Departments { get; set; }
}

internal sealed class DepartmentDocument
{
    public string? Code { get; set; }
    public string? Name { get; set; }
}

internal sealed class FieldFileDocument
{
    public string? Group { get; set; }
    public List<FieldDocument?>? Fields { get; set; }
}

internal sealed class FieldDocument
{
    public string? Id { get; set; }
    public string? Name { get; set; }
    public string? Unit { get; set; }
    public string? Type { get; set; }
    public int? Precision { get; set; }
    public bool Required { get; set; }
    public decimal? Min { get; set; }
    public decimal? Max { get; set; }
    public int? MaxLength { get; set; }
    public List<EnumOptionDocument?>? Options { get; set; }
    public string? Group { get; set; }
    public List<string>? Departments { get; set; }
    public string? Source { get; set; }
    public string? Frequency { get; set; }
    public bool CarryForward { get; set; }
    public List<string>? Aliases { get; set; }
    public string? Description { get; set; }
    public string? Expression { get; set; }
    public decimal? ExpectedMin { get; set; }
    public decimal? ExpectedMax { get; set; }
    public ChangeThresholdDocument? MaxChange { get; set; }
}

internal sealed class ChangeThresholdDocument
{
    public decimal? Relative { get; set; }
    public decimal? Absolute { get; set; }
}

internal sealed class EnumOptionDocument
{
    public string? Code { get; set; }
    public string? Label { get; set; }
}

internal sealed class RuleFileDocument
{
    public List<RuleDocument?>? Rules { get; set; }
}

internal sealed class RuleDocument
{
    public string? Id { get; set; }
    public string? Kind { get; set; }
    public string? Field { get; set; }
    public List<string>? Others { get; set; }
    public decimal? Min { get; set; }
    public decimal? Max { get; set; }
    public string? Message { get; set; }
}

internal sealed class TemplateDocument
{
    public string? Id { get; set; }
    public string? Department { get; set; }
    public string? Title { get; set; }
    public string? PeriodKind { get; set; }
    public List<string>? AudienceLevels { get; set; }
    public int? DeadlineDays { get; set; }
    public string? Description { get; set; }
    public List<ColumnDocument?>? Columns { get; set; }
}

internal sealed class ColumnDocument
{
    public string? Id { get; set; }
    public List<string>? Headers { get; set; }
    public string? NumberFormat { get; set; }
    public string? Field { get; set; }
    public string? Expression { get; set; }
    public string? Unit { get; set; }
}
