using System.Text.Json;
using System.Text.RegularExpressions;

namespace ReportPipeline.Functions.Tests;

/// <summary>The app settings written down outside the code: in the Bicep and in local.settings.example.json.</summary>
internal static partial class DeployedSettings
{
    public const string BicepFile = "infra/app/function-app.bicep";
    public const string LocalSettingsFile = "functions/ReportPipeline.Functions/local.settings.example.json";

    /// <summary>
    /// The keys of the function app's <c>var appSettings = { … }</c> object: the single place in infra/ where app
    /// settings are listed (modules pass values in as parameters).
    /// </summary>
    public static IReadOnlyList<string> FromBicep()
    {
        var bicep = RepositoryFiles.Read(BicepFile);
        var start = AppSettingsStart().Match(bicep);
        if (!start.Success)
        {
            throw new InvalidOperationException($"{BicepFile} has no 'var appSettings = {{' object");
        }

        var keys = new List<string>();
        var depth = 1;
        var index = start.Index + start.Length;
        var lineStart = index;
        for (; index < bicep.Length && depth > 0; index++)
        {
            switch (bicep[index])
            {
                case '{' or '[' or '(':
                    depth++;
                    break;
                case '}' or ']' or ')':
                    depth--;
                    break;
                case '\n':
                    lineStart = index + 1;
                    break;
                case ':' when depth == 1:
                    var key = BicepKey().Match(bicep[lineStart..index]);
                    if (key.Success)
                    {
                        keys.Add(key.Groups["key"].Value);
                    }

                    break;
            }
        }

        return keys;
    }

    public static IReadOnlyList<string> FromLocalSettings()
    {
        using var document = JsonDocument.Parse(RepositoryFiles.Read(LocalSettingsFile));
        return document.RootElement.GetProperty("Values").EnumerateObject().Select(property => property.Name).ToList();
    }

    [GeneratedRegex(@"var\s+appSettings\s*=\s*\{")]
    private static partial Regex AppSettingsStart();

    [GeneratedRegex(@"^\s*'?(?<key>[A-Za-z_][A-Za-z0-9_]*)'?\s*$")]
    private static partial Regex BicepKey();
}
