using System.Text.Json;
using System.Text.RegularExpressions;
using ReportPipeline.Application.Http;

namespace ReportPipeline.Functions.Tests;

/// <summary>
/// The committed contract (<c>docs/openapi.json</c>) against what is deployed and what calls it: every HTTP function of
/// the built Functions app and every call the web app makes is described, and the Functions app serves exactly the
/// committed document. (That the local host generates the same document is checked against a running host in the API
/// tests.)
/// </summary>
public sealed partial class ApiContractTests
{
    private static readonly Lazy<JsonElement> s_paths = new(() =>
        JsonDocument.Parse(RepositoryFiles.Read("docs", "openapi.json")).RootElement.GetProperty("paths").Clone());

    [Fact]
    public void Every_http_function_of_the_functions_app_is_in_the_contract_with_its_method()
    {
        var missing = new List<string>();
        foreach (var function in FunctionsMetadata.Read())
        {
            var trigger = function.Triggers.Single();
            if (trigger.Type != "httpTrigger")
            {
                continue;
            }

            var path = "/api/" + trigger.Text("route");
            foreach (var method in trigger.Methods)
            {
                if (!s_paths.Value.TryGetProperty(path, out var item) || !item.TryGetProperty(method.ToLowerInvariant(), out _))
                {
                    missing.Add($"{method} {path} ({function.Name})");
                }
            }
        }

        Assert.True(missing.Count == 0, "Not in docs/openapi.json (run `dotnet run --project functions/ReportPipeline.LocalHost -- openapi`): " + string.Join("; ", missing));
    }

    [Fact]
    public void Every_call_the_web_app_makes_is_in_the_contract()
    {
        var templates = s_paths.Value.EnumerateObject()
            .Select(p => new Regex("^" + ParameterPattern().Replace(Regex.Escape(p.Name).Replace(@"\{", "{", StringComparison.Ordinal), "[^/]+") + "$", RegexOptions.CultureInvariant))
            .ToList();
        var calls = RepositoryFiles.SourceFiles(Path.Combine("web", "src"), "*.js")
            .SelectMany(file => WebCall().Matches(File.ReadAllText(file)).Select(m => (File: Path.GetFileName(file), Path: m.Groups["path"].Value)))
            .Select(call => call with { Path = Interpolation().Replace(call.Path, "x").TrimEnd('/') })
            .Where(call => call.Path.Length > "/api".Length)
            .ToList();

        Assert.NotEmpty(calls);
        var missing = calls.Where(call => !templates.Any(t => t.IsMatch(call.Path))).Select(call => $"{call.Path} ({call.File})").Distinct().ToList();
        Assert.True(missing.Count == 0, "The web app calls routes the contract does not describe: " + string.Join("; ", missing));
    }

    [Fact]
    public void The_functions_app_serves_the_committed_document()
    {
        Assert.Equal(File.ReadAllBytes(RepositoryFiles.PathOf("docs", "openapi.json")), ApiContractDocument.Bytes.ToArray());
    }

    /// <summary>A literal or template string starting with /api/ (up to its end or its query string).</summary>
    [GeneratedRegex(@"[`'""](?<path>/api/[^`'""?#\s]*)")]
    private static partial Regex WebCall();

    [GeneratedRegex(@"\$\{[^}]*\}")]
    private static partial Regex Interpolation();

    [GeneratedRegex(@"\{[^/}]+\\?\}")]
    private static partial Regex ParameterPattern();
}
