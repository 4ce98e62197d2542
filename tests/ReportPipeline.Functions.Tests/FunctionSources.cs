using System.Text.RegularExpressions;

namespace ReportPipeline.Functions.Tests;

/// <summary>One <c>[Function]</c> of the Functions app as read from its source.</summary>
internal sealed record FunctionSource(
    string Name,
    string File,
    IReadOnlyList<string> Routes,
    IReadOnlyList<string> TriggerBindings,
    IReadOnlyList<string> HttpVerbs,
    IReadOnlyList<string> CalledMethods);

/// <summary>
/// Reads the Functions app's sources (it cannot be built here) and splits them into functions: everything from one
/// <c>[Function(...)]</c> attribute to the next belongs to that function.
/// </summary>
internal static partial class FunctionSources
{
    public const string ProjectFolder = "functions/ReportPipeline.Functions";

    public static IReadOnlyList<FunctionSource> Read()
    {
        var functions = new List<FunctionSource>();
        foreach (var file in RepositoryFiles.SourceFiles(ProjectFolder, "*.cs"))
        {
            var source = RepositoryFiles.WithoutComments(File.ReadAllText(file));
            var starts = FunctionAttribute().Matches(source);
            for (var i = 0; i < starts.Count; i++)
            {
                var end = i + 1 < starts.Count ? starts[i + 1].Index : source.Length;
                var body = source[starts[i].Index..end];
                functions.Add(new FunctionSource(
                    Name: starts[i].Groups["name"].Value,
                    File: Path.GetRelativePath(RepositoryFiles.Root, file),
                    Routes: Values(RouteConstant().Matches(body)),
                    TriggerBindings: Values(TriggerConstant().Matches(body)),
                    HttpVerbs: Values(HttpVerb().Matches(body)).Select(verb => verb.ToUpperInvariant()).ToList(),
                    CalledMethods: Values(AsyncCall().Matches(body))));
            }
        }

        return functions;
    }

    private static List<string> Values(MatchCollection matches) =>
        matches.Select(match => match.Groups["value"].Value).ToList();

    [GeneratedRegex(@"\[Function\(\s*(?:nameof\(\s*(?<name>\w+)\s*\)|""(?<name>[^""]+)"")\s*\)\]")]
    private static partial Regex FunctionAttribute();

    [GeneratedRegex(@"\bApiRoutes\.(?<value>\w+)")]
    private static partial Regex RouteConstant();

    [GeneratedRegex(@"\bTriggerBindings\.(?<value>\w+)")]
    private static partial Regex TriggerConstant();

    [GeneratedRegex(@"HttpTrigger\(\s*AuthorizationLevel\.\w+\s*,\s*""(?<value>\w+)""")]
    private static partial Regex HttpVerb();

    [GeneratedRegex(@"\.(?<value>\w+Async)\s*\(")]
    private static partial Regex AsyncCall();
}
