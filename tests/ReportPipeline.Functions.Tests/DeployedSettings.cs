using System.Text.Json;

namespace ReportPipeline.Functions.Tests;

/// <summary>The app settings written down outside the code: in the compiled Bicep and in local.settings.example.json.</summary>
internal static class DeployedSettings
{
    public const string BicepFile = "infra/app/function-app.bicep";
    public const string FunctionAppModule = "function-app";
    public const string LocalSettingsFile = "functions/ReportPipeline.Functions/local.settings.example.json";

    /// <summary>
    /// The app settings of the compiled template: the properties of the function app's <c>appsettings</c> config resource
    /// (written in Bicep as <c>var appSettings = { … }</c>, the single place in infra/ where app settings are listed).
    /// </summary>
    public static IReadOnlyList<string> FromBicep()
    {
        var template = Bicep.Template.Module(FunctionAppModule);
        var config = Assert.Single(CompiledTemplate.OfType(template, "Microsoft.Web/sites/config"));
        var properties = CompiledTemplate.Resolve(template, config.GetProperty("properties"));
        return properties.EnumerateObject().Select(property => property.Name).ToList();
    }

    public static IReadOnlyList<string> FromLocalSettings()
    {
        using var document = JsonDocument.Parse(RepositoryFiles.Read(LocalSettingsFile));
        return document.RootElement.GetProperty("Values").EnumerateObject().Select(property => property.Name).ToList();
    }
}
