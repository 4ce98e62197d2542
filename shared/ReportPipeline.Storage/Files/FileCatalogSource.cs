using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Storage.Files;

/// <summary>
/// The catalog as a folder (<see cref="CatalogLayout"/>): the one copied beside the binaries (<see cref="Shipped"/>),
/// or the one <c>Pipeline__CatalogPath</c> or <c>catalog check --path</c> names. A folder holds one version, in force
/// for every period; its name is the folder's full path.
/// </summary>
public sealed class FileCatalogSource : ICatalogSource
{
    /// <summary>Where the build copies <c>catalog/</c> (the fields, rules, templates and the sample city).</summary>
    public static string ShippedFolder { get; } = Path.Combine(AppContext.BaseDirectory, "catalog");

    /// <summary>The catalog shipped beside the binaries.</summary>
    public static FileCatalogSource Shipped { get; } = new(ShippedFolder);

    private readonly string _version;

    public FileCatalogSource(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        Folder = Path.GetFullPath(folder);
        _version = "file:" + Folder;
    }

    public string Folder { get; }

    public Task<string> GetVersionAsync(Period? period, CancellationToken cancellationToken) => Task.FromResult(_version);

    public Task<CatalogDocumentSet> LoadAsync(string version, CancellationToken cancellationToken)
    {
        if (!string.Equals(version, _version, StringComparison.Ordinal))
        {
            throw new CatalogLoadException([new CatalogProblem(version, null, $"目录版本不存在，此处只有 {_version} (no such catalog version)")]);
        }

        // A few dozen small files read once per process: reading them synchronously costs less than the async machinery.
        return Task.FromResult(Read());
    }

    /// <summary>Parses the folder's catalog; for the command line and tests, which have no host to ask.</summary>
    /// <exception cref="CatalogLoadException">With every problem found.</exception>
    public CatalogBundle LoadBundle() => CatalogLoader.Load(Read());

    /// <summary>Every document of the layout that exists; what is missing or malformed is the loader's to report.</summary>
    public CatalogDocumentSet Read()
    {
        if (!Directory.Exists(Folder))
        {
            throw new CatalogLoadException([new CatalogProblem(Folder, null, "目录不存在 (catalog folder not found)")]);
        }

        var documents = new List<CatalogDocument>();
        foreach (var name in new[] { CatalogLayout.Manifest, CatalogLayout.Departments, CatalogLayout.Rules })
        {
            var path = Path.Combine(Folder, name);
            if (File.Exists(path))
            {
                documents.Add(new CatalogDocument(name, File.ReadAllBytes(path)));
            }
        }

        foreach (var folder in new[] { CatalogLayout.FieldsFolder, CatalogLayout.TemplatesFolder })
        {
            var directory = Path.Combine(Folder, folder);
            if (!Directory.Exists(directory))
            {
                continue;
            }

            foreach (var path in Directory.GetFiles(directory, "*.json").Order(StringComparer.Ordinal))
            {
                documents.Add(new CatalogDocument(folder + "/" + Path.GetFileName(path), File.ReadAllBytes(path)));
            }
        }

        return new CatalogDocumentSet(_version, documents);
    }
}
