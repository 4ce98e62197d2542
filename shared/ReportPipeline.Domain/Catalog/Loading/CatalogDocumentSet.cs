namespace ReportPipeline.Domain.Catalog;

/// <summary>
/// One source document of a catalog version: its name inside the version, with '/' between folders
/// (<c>catalog.json</c>, <c>rules.json</c>, <c>fields/01-population.json</c>, <c>templates/mz_dibao_monthly.json</c>),
/// and its JSON as stored (UTF-8, a byte order mark allowed).
/// </summary>
public sealed record CatalogDocument(string Name, ReadOnlyMemory<byte> Json);

/// <summary>
/// A catalog version's documents as a <see cref="Ports.ICatalogSource"/> hands them over. <see cref="Version"/> is the
/// source's name for the version (what <see cref="Ports.ICatalogSource.LoadAsync"/> took); the version the catalog
/// declares is in <c>catalog.json</c> and becomes <see cref="FieldCatalog.Version"/>.
/// </summary>
public sealed record CatalogDocumentSet(string Version, IReadOnlyList<CatalogDocument> Documents);

/// <summary>Where each part of a catalog version sits, for the loader and for every source that stores one.</summary>
public static class CatalogLayout
{
    /// <summary>The manifest with the declared version; required.</summary>
    public const string Manifest = "catalog.json";

    /// <summary>
    /// The departments, each a stable code and a name; optional, but every department a field or template names must be in it.
    /// </summary>
    public const string Departments = "departments.json";

    /// <summary>The cross-field rules; optional.</summary>
    public const string Rules = "rules.json";

    /// <summary>One document per domain group (<c>fields/*.json</c>); at least one.</summary>
    public const string FieldsFolder = "fields";

    /// <summary>One document per department template (<c>templates/*.json</c>).</summary>
    public const string TemplatesFolder = "templates";

    /// <summary>The JSON documents directly in <paramref name="folder"/>, by name, in ordinal order.</summary>
    public static IReadOnlyList<CatalogDocument> In(IEnumerable<CatalogDocument> documents, string folder)
    {
        var prefix = folder + "/";
        return [.. documents
            .Where(d => d.Name.StartsWith(prefix, StringComparison.Ordinal)
                && d.Name.IndexOf('/', prefix.Length) < 0
                && d.Name.EndsWith(".json", StringComparison.Ordinal))
            .OrderBy(d => d.Name, StringComparer.Ordinal)];
    }
}
