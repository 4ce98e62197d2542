using ReportPipeline.Domain.Orgs;

namespace ReportPipeline.Storage.Files;

/// <summary>An org list as a file: the sample city shipped with the catalog, or the file <c>Pipeline__OrgsPath</c> names.</summary>
public static class FileOrgRegistry
{
    /// <summary><c>catalog/orgs/sample-city.json</c> beside the binaries (重庆市 → 城口县 → 3 乡镇街道 → 30 村社区).</summary>
    public static string SampleCityPath { get; } = Path.Combine(FileCatalogSource.ShippedFolder, "orgs", "sample-city.json");

    public static OrgRegistry LoadSampleCity() => Load(SampleCityPath);

    /// <exception cref="OrgRegistryException">When the JSON is malformed or the tree is invalid, with every problem.</exception>
    public static OrgRegistry Load(string path)
    {
        using var stream = File.OpenRead(path);
        return OrgRegistryLoader.Load(stream, Path.GetFileName(path));
    }
}
