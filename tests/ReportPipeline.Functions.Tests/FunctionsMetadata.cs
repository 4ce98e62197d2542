using System.Text.Json;

namespace ReportPipeline.Functions.Tests;

/// <summary>One binding of a function as the worker SDK wrote it into <c>functions.metadata</c>.</summary>
internal sealed record FunctionBinding(string Name, string Type, string Direction, JsonElement Json)
{
    public bool IsTrigger => Type.EndsWith("Trigger", StringComparison.Ordinal);

    public string? Text(string property) =>
        Json.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public IReadOnlyList<string> Methods =>
        Json.TryGetProperty("methods", out var methods) && methods.ValueKind == JsonValueKind.Array
            ? methods.EnumerateArray().Select(method => method.GetString()!.ToUpperInvariant()).ToList()
            : [];
}

/// <summary>One function of the built Functions app.</summary>
internal sealed record FunctionMetadata(string Name, string EntryPoint, IReadOnlyList<FunctionBinding> Bindings)
{
    public IReadOnlyList<FunctionBinding> Triggers => Bindings.Where(binding => binding.IsTrigger).ToList();
}

/// <summary>
/// Reads the <c>functions.metadata</c> the worker SDK generated in the Functions app's build output: what the Functions
/// host will index, so what Azure will actually bind.
/// </summary>
internal static class FunctionsMetadata
{
    private static readonly Lazy<IReadOnlyList<FunctionMetadata>> s_functions = new(() => Parse(File.ReadAllText(BuildOutput.FunctionsMetadataFile)));

    public static IReadOnlyList<FunctionMetadata> Read() => s_functions.Value;

    public static IReadOnlyList<FunctionMetadata> Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.EnumerateArray()
            .Select(function => new FunctionMetadata(
                function.GetProperty("name").GetString()!,
                function.GetProperty("entryPoint").GetString()!,
                function.GetProperty("bindings").EnumerateArray()
                    .Select(binding => new FunctionBinding(
                        binding.GetProperty("name").GetString()!,
                        binding.GetProperty("type").GetString()!,
                        binding.GetProperty("direction").GetString()!,
                        binding.Clone()))
                    .ToList()))
            .ToList();
    }
}
