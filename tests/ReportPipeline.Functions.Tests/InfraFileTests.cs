using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using ReportPipeline.Application.Hosting;

namespace ReportPipeline.Functions.Tests;

/// <summary>The files next to the code that `azd up` and the Functions host read: they parse and say what the code needs.</summary>
public sealed partial class InfraFileTests
{
    [Fact]
    public void Every_json_file_in_infra_parses()
    {
        var files = RepositoryFiles.SourceFiles("infra", "*.json");

        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var exception = Record.Exception(() => JsonDocument.Parse(File.ReadAllText(file)).Dispose());
            Assert.True(exception is null, $"{file}: {exception?.Message}");
        }
    }

    [Fact]
    public void The_local_settings_example_parses_and_is_not_encrypted()
    {
        using var document = JsonDocument.Parse(RepositoryFiles.Read(DeployedSettings.LocalSettingsFile));

        Assert.False(document.RootElement.GetProperty("IsEncrypted").GetBoolean());
        Assert.Equal("dotnet-isolated", document.RootElement.GetProperty("Values").GetProperty("FUNCTIONS_WORKER_RUNTIME").GetString());
    }

    [Fact]
    public void Host_json_is_version_2_with_the_api_route_prefix()
    {
        using var host = JsonDocument.Parse(RepositoryFiles.Read("host.json"));

        Assert.Equal("2.0", host.RootElement.GetProperty("version").GetString());
        Assert.Equal(ApiRoutes.Prefix, host.RootElement.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
        Assert.True(host.RootElement.TryGetProperty("functionTimeout", out _));
        Assert.True(host.RootElement.GetProperty("extensions").TryGetProperty("blobs", out _));
    }

    [Fact]
    public void Host_json_keeps_every_request_and_exception_out_of_sampling()
    {
        using var host = JsonDocument.Parse(RepositoryFiles.Read("host.json"));
        var sampling = host.RootElement.GetProperty("logging").GetProperty("applicationInsights").GetProperty("samplingSettings");

        var excluded = sampling.GetProperty("excludedTypes").GetString()!.Split(';', StringSplitOptions.TrimEntries);

        Assert.Contains("Request", excluded);
        Assert.Contains("Exception", excluded);
    }

    [Fact]
    public void The_storage_bicep_creates_every_container_and_table_the_code_uses()
    {
        var bicep = RepositoryFiles.Read("infra", "app", "storage.bicep");
        var quoted = QuotedString().Matches(bicep).Select(match => match.Groups["value"].Value).ToHashSet(StringComparer.Ordinal);

        var names = typeof(ReportPipeline.Storage.StorageNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.IsLiteral)
            .Select(field => (string)field.GetRawConstantValue()!)
            .ToList();

        Assert.NotEmpty(names);
        Assert.All(names, name => Assert.Contains(name, quoted));
        Assert.Matches(@"allowSharedKeyAccess:\s*false", bicep);
    }

    [Theory]
    [InlineData("b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "Storage Blob Data Owner")]
    [InlineData("0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", "Storage Table Data Contributor")]
    [InlineData("974c5e8b-45b9-4653-ba55-5f855dd0fb88", "Storage Queue Data Contributor")]
    [InlineData("3913510d-42f4-4e42-8a64-420c390055eb", "Monitoring Metrics Publisher")]
    public void The_identity_gets_each_role_named_beside_its_guid(string roleId, string roleName)
    {
        var rbac = RepositoryFiles.Read("infra", "app", "rbac.bicep");

        Assert.Contains($"'{roleId}' // {roleName}", rbac, StringComparison.Ordinal);
    }

    [Fact]
    public void The_event_subscription_targets_the_blob_trigger_function_under_submissions()
    {
        var eventGrid = RepositoryFiles.Read("infra", "app", "eventgrid.bicep");
        var blobTrigger = Assert.Single(FunctionSources.Read(), f => f.TriggerBindings.Contains(nameof(TriggerBindings.SubmissionBlobPath)));

        Assert.Contains($"var blobTriggerFunctionName = '{blobTrigger.Name}'", eventGrid, StringComparison.Ordinal);
        Assert.Contains($"/blobServices/default/containers/{ReportPipeline.Storage.StorageNames.SubmissionsContainer}/", eventGrid, StringComparison.Ordinal);
        Assert.Contains("Microsoft.Storage.BlobCreated", eventGrid, StringComparison.Ordinal);
    }

    [Fact]
    public void Azure_yaml_deploys_the_functions_project()
    {
        var azureYaml = RepositoryFiles.Read("azure.yaml");

        Assert.Contains("project: ./functions/ReportPipeline.Functions/", azureYaml, StringComparison.Ordinal);
        Assert.Contains("host: function", azureYaml, StringComparison.Ordinal);
        Assert.True(File.Exists(RepositoryFiles.PathOf("functions", "ReportPipeline.Functions", "ReportPipeline.Functions.csproj")));
    }

    [GeneratedRegex(@"'(?<value>[^'\r\n]*)'")]
    private static partial Regex QuotedString();
}
