using System.Reflection;
using System.Text.Json;
using ReportPipeline.Application.Hosting;

namespace ReportPipeline.Functions.Tests;

/// <summary>The files next to the code that `azd up` and the Functions host read: they parse and say what the code needs.</summary>
public sealed class InfraFileTests
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
    public void Host_json_sets_every_queue_setting_the_operations_page_explains()
    {
        using var host = JsonDocument.Parse(RepositoryFiles.Read("host.json"));
        var queues = host.RootElement.GetProperty("extensions").GetProperty("queues");
        var operations = RepositoryFiles.Read("docs", "operations.md");

        string[] settings = ["batchSize", "newBatchThreshold", "maxDequeueCount", "visibilityTimeout", "maxPollingInterval"];
        Assert.All(settings, setting =>
        {
            Assert.True(queues.TryGetProperty(setting, out _), $"host.json extensions.queues.{setting} is not set");
            Assert.Contains($"`{setting}`", operations, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void The_compiled_storage_module_creates_every_container_table_and_queue_the_code_names_and_no_other()
    {
        var storage = Bicep.Template.Module("storage");
        var provisioned = CompiledTemplate.StringArray(CompiledTemplate.Variable(storage, "containerNames"))
            .Concat(CompiledTemplate.StringArray(CompiledTemplate.Variable(storage, "tableNames")))
            .Concat(CompiledTemplate.StringArray(CompiledTemplate.Variable(storage, "queueNames")))
            .Order(StringComparer.Ordinal);

        var named = typeof(ReportPipeline.Storage.StorageNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.IsLiteral)
            .Select(field => (string)field.GetRawConstantValue()!)
            .Order(StringComparer.Ordinal);

        Assert.Equal(named, provisioned);
    }

    [Fact]
    public void The_compiled_storage_account_refuses_shared_keys()
    {
        var account = Assert.Single(CompiledTemplate.OfType(Bicep.Template.Module("storage"), "Microsoft.Storage/storageAccounts"));

        Assert.False(account.GetProperty("properties").GetProperty("allowSharedKeyAccess").GetBoolean());
    }

    [Fact]
    public void Every_queue_has_its_poison_queue_and_every_queue_trigger_has_its_queue()
    {
        var queues = CompiledTemplate.StringArray(CompiledTemplate.Variable(Bicep.Template.Module("storage"), "queueNames"));

        Assert.Contains("consolidation", queues);
        Assert.All(queues.Where(queue => !queue.EndsWith(PoisonSuffix, StringComparison.Ordinal)),
            queue => Assert.Contains(queue + PoisonSuffix, queues));

        var triggered = FunctionsMetadata.Read().SelectMany(function => function.Triggers)
            .Where(trigger => trigger.Type == "queueTrigger")
            .Select(trigger => trigger.Text("queueName"));
        Assert.All(triggered, queue => Assert.Contains(queue, queues));
    }

    [Fact]
    public void A_message_in_a_poison_queue_fires_an_alert_and_shows_in_the_workbook()
    {
        var poisonQueues = CompiledTemplate.StringArray(CompiledTemplate.Variable(Bicep.Template.Module("storage"), "queueNames"))
            .Where(queue => queue.EndsWith(PoisonSuffix, StringComparison.Ordinal))
            .ToList();
        var alerts = CompiledTemplate.OfType(Bicep.Template.Module("alerts"), "Microsoft.Insights/scheduledQueryRules")
            .Select(rule => rule.GetProperty("properties").GetProperty("criteria").ToString())
            .ToList();
        var workbook = RepositoryFiles.Read("infra", "app", "workbook.json");

        Assert.NotEmpty(poisonQueues);
        // The poison queue's name reaches the alert and the workbook as the storage module's output.
        Assert.Contains(alerts, query => query.Contains("StorageQueueLogs", StringComparison.Ordinal)
                                         && query.Contains("poisonQueueName", StringComparison.Ordinal));
        Assert.Contains("__POISON_QUEUE__", workbook, StringComparison.Ordinal);
        Assert.Contains("StorageQueueLogs", workbook, StringComparison.Ordinal);
    }

    [Fact]
    public void The_web_app_is_a_static_web_app_with_the_function_app_as_its_backend()
    {
        var web = Bicep.Template.Module("web");
        var site = Assert.Single(CompiledTemplate.OfType(web, "Microsoft.Web/staticSites"));
        Assert.Contains(site.GetProperty("sku").GetProperty("name").GetString(), new[] { "Free", "Standard" });
        Assert.Single(CompiledTemplate.OfType(web, "Microsoft.Web/staticSites/linkedBackends"));

        var azureYaml = RepositoryFiles.Read("azure.yaml");
        Assert.Matches(@"(?m)^  web:\n    project: web\n    dist: dist\n(    \w+: .+\n)*?    host: staticwebapp$", azureYaml);
    }

    [Theory]
    [InlineData("b7e6dc6d-f1e8-4753-8033-0f276bb0955b", "Storage Blob Data Owner")]
    [InlineData("0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", "Storage Table Data Contributor")]
    [InlineData("974c5e8b-45b9-4653-ba55-5f855dd0fb88", "Storage Queue Data Contributor")]
    [InlineData("3913510d-42f4-4e42-8a64-420c390055eb", "Monitoring Metrics Publisher")]
    public void The_identity_gets_each_role_named_beside_its_guid(string roleId, string roleName)
    {
        // The name is a comment, so only the Bicep text has it; the compiled template shows the role is assigned.
        var rbac = RepositoryFiles.Read("infra", "app", "rbac.bicep");
        var compiled = Bicep.Template.Module("rbac");

        Assert.Contains($"'{roleId}' // {roleName}", rbac, StringComparison.Ordinal);
        Assert.Contains(roleId, compiled.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_event_subscription_targets_the_blob_trigger_function_under_submissions()
    {
        var eventGrid = Bicep.Template.Module("eventgrid");
        var blobTrigger = Assert.Single(FunctionsMetadata.Read(),
            function => function.Triggers.Any(trigger => trigger.Text("path") == TriggerBindings.SubmissionBlobPath));

        Assert.Equal(blobTrigger.Name, CompiledTemplate.Variable(eventGrid, "blobTriggerFunctionName").GetString());
        Assert.Contains($"/blobServices/default/containers/{ReportPipeline.Storage.StorageNames.SubmissionsContainer}/", eventGrid.ToString(), StringComparison.Ordinal);
        Assert.Contains("Microsoft.Storage.BlobCreated", eventGrid.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_prefill_event_subscription_targets_the_prefill_blob_trigger_under_prefill()
    {
        var eventGrid = Bicep.Template.Module("eventgrid");
        var blobTrigger = Assert.Single(FunctionsMetadata.Read(),
            function => function.Triggers.Any(trigger => trigger.Text("path") == TriggerBindings.PrefillBlobPath));

        Assert.Equal(blobTrigger.Name, CompiledTemplate.Variable(eventGrid, "prefillTriggerFunctionName").GetString());
        Assert.Contains($"/blobServices/default/containers/{ReportPipeline.Storage.StorageNames.PrefillContainer}/", eventGrid.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Azure_yaml_deploys_the_functions_project()
    {
        var azureYaml = RepositoryFiles.Read("azure.yaml");

        Assert.Contains("project: ./functions/ReportPipeline.Functions/", azureYaml, StringComparison.Ordinal);
        Assert.Contains("host: function", azureYaml, StringComparison.Ordinal);
        Assert.True(File.Exists(RepositoryFiles.PathOf("functions", "ReportPipeline.Functions", "ReportPipeline.Functions.csproj")));
    }

    private const string PoisonSuffix = "-poison";
}
