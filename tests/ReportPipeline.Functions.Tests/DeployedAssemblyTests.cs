using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace ReportPipeline.Functions.Tests;

/// <summary>
/// What is deployed to Azure is the Functions app's build output: the synthetic city, seeding, the benches and the
/// embedded emulator launcher live in ReportPipeline.Development, which only the local host and the tests reference.
/// The assemblies are read as metadata (not loaded), so a type that slipped back into a deployed library is found
/// whichever assembly it sits in.
/// </summary>
public sealed class DeployedAssemblyTests
{
    private const string DevelopmentAssembly = "ReportPipeline.Development";

    /// <summary>The development-only namespaces, with the names they had before they left the deployed libraries.</summary>
    private static readonly string[] s_developmentNamespaces =
    [
        "ReportPipeline.Development",
        "ReportPipeline.Domain.Synthetic",
        "ReportPipeline.Application.Seeding",
        "ReportPipeline.Storage.Bench",
        "ReportPipeline.Storage.Emulator",
    ];

    private static IEnumerable<string> ProjectAssemblies =>
        Directory.EnumerateFiles(BuildOutput.FunctionsAppDirectory, "ReportPipeline.*.dll", SearchOption.AllDirectories);

    [Fact]
    public void The_functions_output_holds_the_project_assemblies()
    {
        var names = ProjectAssemblies.Select(Path.GetFileNameWithoutExtension).ToHashSet(StringComparer.Ordinal);

        // Guards the scan below against an empty or wrong folder.
        Assert.Contains("ReportPipeline.Functions", names);
        Assert.Contains("ReportPipeline.Domain", names);
        Assert.Contains("ReportPipeline.Storage", names);
        Assert.Contains("ReportPipeline.Application", names);
    }

    [Fact]
    public void No_development_assembly_is_deployed()
    {
        var found = Directory.EnumerateFiles(BuildOutput.FunctionsAppDirectory, DevelopmentAssembly + ".*", SearchOption.AllDirectories);
        Assert.Empty(found);

        var dependencyFiles = Directory.EnumerateFiles(BuildOutput.FunctionsAppDirectory, "*.deps.json", SearchOption.AllDirectories);
        Assert.All(dependencyFiles, file => Assert.DoesNotContain(DevelopmentAssembly, File.ReadAllText(file), StringComparison.Ordinal));
    }

    [Fact]
    public void No_deployed_assembly_defines_a_development_type()
    {
        var offending = ProjectAssemblies
            .SelectMany(path => NamespacesOf(path).Select(ns => $"{Path.GetFileName(path)}: {ns}"))
            .Where(entry => s_developmentNamespaces.Any(dev => InNamespace(entry[(entry.IndexOf(": ", StringComparison.Ordinal) + 2)..], dev)))
            .Distinct()
            .ToList();

        Assert.Empty(offending);
    }

    private static bool InNamespace(string ns, string root) =>
        ns == root || ns.StartsWith(root + ".", StringComparison.Ordinal);

    private static IEnumerable<string> NamespacesOf(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        if (!pe.HasMetadata)
        {
            return [];
        }

        var reader = pe.GetMetadataReader();
        return [.. reader.TypeDefinitions
            .Select(handle => reader.GetString(reader.GetTypeDefinition(handle).Namespace))
            .Where(ns => ns.Length > 0)
            .Distinct(StringComparer.Ordinal)];
    }
}
