using System.Text.RegularExpressions;

namespace ReportPipeline.Functions.Tests;

/// <summary>
/// Settings follow <c>Section__Key</c> names, identical in the code, <c>local.settings.json</c> and <c>infra/</c>: every
/// setting the code binds is deployed and documented for local runs, and nothing stale lingers in either.
/// </summary>
public sealed partial class SettingsTests
{
    [Fact]
    public void The_options_classes_are_found()
    {
        var types = BoundSettings.OptionsClasses().Select(type => type.Name).ToList();

        Assert.Contains("PipelineOptions", types);
        Assert.Contains("ConsolidationOptions", types);
        Assert.Contains("Pipeline__MaxUploadBytes", BoundSettings.FromOptionsClasses());
        Assert.Contains("ConsolidationSchedule", BoundSettings.FromOptionsClasses());
    }

    [Fact]
    public void Every_setting_bound_by_the_code_is_in_the_bicep_app_settings()
    {
        var deployed = DeployedSettings.FromBicep().ToHashSet(StringComparer.Ordinal);

        var missing = BoundSettings.FromOptionsClasses()
            .Concat(BoundSettings.StorageConnectionSettingsForAzure)
            .Where(setting => !deployed.Contains(setting))
            .ToList();

        Assert.True(missing.Count == 0, $"Missing from {DeployedSettings.BicepFile}: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Every_setting_bound_by_the_code_is_in_the_local_settings_example()
    {
        var local = DeployedSettings.FromLocalSettings().ToHashSet(StringComparer.Ordinal);

        var missing = BoundSettings.FromOptionsClasses()
            .Append(BoundSettings.StorageConnection)
            .Where(setting => !local.Contains(setting))
            .ToList();

        Assert.True(missing.Count == 0, $"Missing from {DeployedSettings.LocalSettingsFile}: {string.Join(", ", missing)}");
    }

    [Fact]
    public void The_bicep_app_settings_hold_nothing_stale()
    {
        var stale = Stale(DeployedSettings.FromBicep());

        Assert.True(stale.Count == 0, $"Not bound by the code nor a platform setting, in {DeployedSettings.BicepFile}: {string.Join(", ", stale)}");
    }

    [Fact]
    public void The_local_settings_example_holds_nothing_stale()
    {
        var stale = Stale(DeployedSettings.FromLocalSettings());

        Assert.True(stale.Count == 0, $"Not bound by the code nor a platform setting, in {DeployedSettings.LocalSettingsFile}: {string.Join(", ", stale)}");
    }

    [Fact]
    public void The_bicep_app_settings_are_unique_and_named_Section__Key()
    {
        var settings = DeployedSettings.FromBicep();

        Assert.Equal(settings.Count, settings.Distinct(StringComparer.Ordinal).Count());
        var badNames = settings
            .Where(name => !BoundSettings.IsPlatformSetting(name) && !SectionKeyName().IsMatch(name))
            .ToList();
        Assert.True(badNames.Count == 0, "Not Section__Key names: " + string.Join(", ", badNames));
    }

    [Fact]
    public void Flex_Consumption_app_settings_leave_the_runtime_to_the_site_configuration()
    {
        // The Flex Consumption plan rejects these as app settings; the runtime is set in functionAppConfig.
        var settings = DeployedSettings.FromBicep();

        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", settings);
        Assert.DoesNotContain("FUNCTIONS_EXTENSION_VERSION", settings);
        Assert.DoesNotContain("AzureWebJobsStorage", settings);
    }

    [Fact]
    public void The_storage_client_and_the_blob_trigger_read_the_same_connection()
    {
        Assert.Equal(ReportPipeline.Storage.Configuration.ReportStorageSettings.DefaultName, BoundSettings.StorageConnection);
    }

    private static List<string> Stale(IEnumerable<string> settings)
    {
        var bound = BoundSettings.FromOptionsClasses().ToHashSet(StringComparer.Ordinal);
        return settings
            .Where(setting => !bound.Contains(setting)
                              && !BoundSettings.IsStorageConnectionSetting(setting)
                              && !BoundSettings.IsPlatformSetting(setting))
            .ToList();
    }

    // A top-level name (ConsolidationSchedule) or Section__Key, each part a C# identifier.
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9]*(__[A-Za-z][A-Za-z0-9]*)*$")]
    private static partial Regex SectionKeyName();
}
