using System.Reflection;

namespace ReportPipeline.Functions.Tests;

/// <summary>
/// Locations recorded in this assembly at build time (see the project file): the Functions app's output folder, built
/// before these tests through the project reference, and the Bicep CLI package restored into the NuGet packages folder.
/// </summary>
internal static class BuildOutput
{
    public static string FunctionsAppDirectory => Recorded("FunctionsAppDirectory");

    public static string FunctionsMetadataFile => Path.Combine(FunctionsAppDirectory, "functions.metadata");

    /// <summary>The Bicep CLI from the Azure.Bicep.CommandLine.linux-x64 package (nothing is downloaded at run time).</summary>
    public static string BicepExecutable => Path.Combine(Recorded("BicepPackageDirectory"), "tools", "bicep");

    private static string Recorded(string key) =>
        typeof(BuildOutput).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(attribute => attribute.Key == key)?.Value
        ?? throw new InvalidOperationException($"The test assembly records no '{key}'; build it with its project file.");
}
