using ReportPipeline.Domain.Templates;

namespace ReportPipeline.Domain.Catalog;

/// <summary>The one table and the department templates generated from it, as loaded from one catalog version.</summary>
public sealed record CatalogBundle(FieldCatalog Catalog, IReadOnlyList<ReportTemplate> Templates)
{
    public ReportTemplate? FindTemplate(string id) => Templates.FirstOrDefault(t => string.Equals(t.Id, id, StringComparison.Ordinal));
}

/// <summary>One thing wrong in the catalog files: which file, which item (field, rule, template or column id) and what.</summary>
public sealed record CatalogProblem(string File, string? Item, string Message)
{
    public override string ToString() => Item is null ? $"{File}: {Message}" : $"{File} [{Item}]: {Message}";
}

/// <summary>Thrown when the catalog cannot be used; <see cref="Problems"/> lists every problem found, not the first only.</summary>
public sealed class CatalogLoadException : Exception
{
    public CatalogLoadException(IReadOnlyList<CatalogProblem> problems)
        : base(BuildMessage(problems))
    {
        Problems = problems;
    }

    public CatalogLoadException()
        : this([])
    {
    }

    public CatalogLoadException(string message)
        : base(message)
    {
        Problems = [new CatalogProblem("", null, message)];
    }

    public CatalogLoadException(string message, Exception innerException)
        : base(message, innerException)
    {
        Problems = [new CatalogProblem("", null, message)];
    }

    public IReadOnlyList<CatalogProblem> Problems { get; } = [];

    private static string BuildMessage(IReadOnlyList<CatalogProblem> problems) =>
        $"一表通目录有 {problems.Count} 处问题 (catalog has {problems.Count} problem(s)):{Environment.NewLine}" +
        string.Join(Environment.NewLine, problems.Select(p => "  - " + p));
}
