using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ReportPipeline.Functions.Tests;

/// <summary>The outcome of one Bicep CLI run.</summary>
internal sealed record BicepRun(int ExitCode, string Output, string Errors)
{
    public string Diagnostics => (Output + Errors).Trim();
}

/// <summary>
/// Runs the Bicep CLI restored from its NuGet package over <c>infra/main.bicep</c>: <c>build</c> (the ARM template the
/// settings and infra tests read) and <c>lint</c> (with the rules of <c>infra/bicepconfig.json</c>). Each runs once per
/// test run; the CLI works offline.
/// </summary>
internal static partial class Bicep
{
    public const string MainFile = "infra/main.bicep";

    private static readonly Lazy<BicepRun> s_build = new(() => Run("build", MainFile, "--stdout"));
    private static readonly Lazy<BicepRun> s_lint = new(() => Run("lint", MainFile));
    private static readonly Lazy<CompiledTemplate> s_template = new(() =>
    {
        var build = s_build.Value;
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"bicep build {MainFile} failed ({build.ExitCode}): {build.Errors}");
        }

        return new CompiledTemplate(JsonDocument.Parse(build.Output).RootElement.Clone());
    });

    public static BicepRun Build => s_build.Value;

    public static BicepRun Lint => s_lint.Value;

    public static CompiledTemplate Template => s_template.Value;

    /// <summary>Bicep's diagnostics lines: <c>path(line,col) : Warning|Error code: message</c>.</summary>
    public static IReadOnlyList<string> DiagnosticLines(string text) =>
        DiagnosticLine().Matches(text).Select(match => match.Value.Trim()).ToList();

    private static BicepRun Run(params string[] arguments)
    {
        var executable = BuildOutput.BicepExecutable;
        if (!File.Exists(executable))
        {
            throw new FileNotFoundException("The Bicep CLI package is not restored (PackageDownload in the test project).", executable);
        }

        // NuGet extracts with the package's file modes; make sure the binary can run wherever the package was restored.
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(executable);
            if (!mode.HasFlag(UnixFileMode.UserExecute))
            {
                File.SetUnixFileMode(executable, mode | UnixFileMode.UserExecute);
            }
        }

        var start = new ProcessStartInfo(executable)
        {
            WorkingDirectory = RepositoryFiles.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // No telemetry and no version check from a test run.
        start.Environment["BICEP_TELEMETRY_ENABLED"] = "false";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{executable} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return new BicepRun(process.ExitCode, output.GetAwaiter().GetResult(), errors.GetAwaiter().GetResult());
    }

    [GeneratedRegex(@"^.*\(\d+,\d+\) : (Warning|Error|Info) .*$", RegexOptions.Multiline)]
    private static partial Regex DiagnosticLine();
}

/// <summary>The ARM template compiled from <c>infra/main.bicep</c>, with its modules as nested deployments.</summary>
internal sealed partial class CompiledTemplate(JsonElement root)
{
    public JsonElement Root => root;

    /// <summary>The inner template of the module deployed as <paramref name="moduleName"/> (its deployment name).</summary>
    public JsonElement Module(string moduleName)
    {
        var deployment = Resources(root).SingleOrDefault(resource =>
            resource.GetProperty("type").GetString() == "Microsoft.Resources/deployments"
            && resource.TryGetProperty("name", out var name) && name.ToString() == moduleName);

        return deployment.ValueKind == JsonValueKind.Undefined
            ? throw new InvalidOperationException($"{Bicep.MainFile} deploys no module named '{moduleName}'")
            : deployment.GetProperty("properties").GetProperty("template");
    }

    /// <summary>A variable of a module's template; a string array or object, as compiled.</summary>
    public static JsonElement Variable(JsonElement template, string name) =>
        template.GetProperty("variables").TryGetProperty(name, out var value)
            ? value
            : throw new InvalidOperationException($"The template has no variable '{name}'");

    public static IReadOnlyList<string> StringArray(JsonElement array) =>
        array.EnumerateArray().Select(item => item.ValueKind == JsonValueKind.String ? item.GetString()! : item.ToString()).ToList();

    /// <summary>Resolves <c>[variables('x')]</c> within the template; other values are returned as they are.</summary>
    public static JsonElement Resolve(JsonElement template, JsonElement value) =>
        value.ValueKind == JsonValueKind.String && VariableReference().Match(value.GetString()!) is { Success: true } match
            ? Variable(template, match.Groups["name"].Value)
            : value;

    /// <summary>Resources of a template, whether compiled as an array or (language version 2) as an object.</summary>
    public static IEnumerable<JsonElement> Resources(JsonElement template)
    {
        if (!template.TryGetProperty("resources", out var resources))
        {
            return [];
        }

        return resources.ValueKind == JsonValueKind.Array
            ? resources.EnumerateArray().ToList()
            : resources.EnumerateObject().Select(property => property.Value).ToList();
    }

    /// <summary>Resources of one type in a template.</summary>
    public static IReadOnlyList<JsonElement> OfType(JsonElement template, string type) =>
        Resources(template).Where(resource => resource.GetProperty("type").GetString() == type).ToList();

    [GeneratedRegex(@"^\[variables\('(?<name>[^']+)'\)\]$")]
    private static partial Regex VariableReference();
}
