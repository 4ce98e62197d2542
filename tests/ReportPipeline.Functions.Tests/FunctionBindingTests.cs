using System.Reflection;
using ReportPipeline.Application.Hosting;

namespace ReportPipeline.Functions.Tests;

/// <summary>
/// The built Functions app, as the host will index it (<c>functions.metadata</c>), against the shared constants: every
/// route of <see cref="ApiRoutes"/> with the contract's method and every trigger of <see cref="TriggerBindings"/> is bound
/// exactly once, and nothing else is bound.
/// </summary>
public sealed class FunctionBindingTests
{
    /// <summary>The contract's method per route (ONE-TABLE.md, "The contract").</summary>
    private static readonly Dictionary<string, string> s_contractMethods = new(StringComparer.Ordinal)
    {
        [nameof(ApiRoutes.Health)] = "GET",
        [nameof(ApiRoutes.OpenApi)] = "GET",
        [nameof(ApiRoutes.Catalog)] = "GET",
        [nameof(ApiRoutes.Form)] = "GET",
        [nameof(ApiRoutes.Submissions)] = "POST",
        [nameof(ApiRoutes.Values)] = "GET",
        [nameof(ApiRoutes.Status)] = "GET",
        [nameof(ApiRoutes.StatusMissing)] = "GET",
        [nameof(ApiRoutes.Reports)] = "GET",
        [nameof(ApiRoutes.Report)] = "GET",
        [nameof(ApiRoutes.BuildReport)] = "POST",
        [nameof(ApiRoutes.Burden)] = "GET",
        [nameof(ApiRoutes.Feedback)] = "POST",
        [nameof(ApiRoutes.TemplateCheck)] = "POST",
        [nameof(ApiRoutes.TemplateProposals)] = "GET",
        [nameof(ApiRoutes.TemplateProposalCreate)] = "POST",
        [nameof(ApiRoutes.TemplateProposal)] = "GET",
        [nameof(ApiRoutes.TemplateProposalDecision)] = "POST",
        [nameof(ApiRoutes.Templates)] = "GET",
        [nameof(ApiRoutes.TemplateHistory)] = "GET",
        [nameof(ApiRoutes.Quality)] = "GET",
        [nameof(ApiRoutes.Approval)] = "GET",
        [nameof(ApiRoutes.ApprovalStep)] = "POST",
        [nameof(ApiRoutes.History)] = "GET",
        [nameof(ApiRoutes.Series)] = "GET",
        [nameof(ApiRoutes.Prefill)] = "POST",
        [nameof(ApiRoutes.AccessLog)] = "GET",
        [nameof(ApiRoutes.Periods)] = "GET",
    };

    /// <summary>The trigger property that names what a non-HTTP trigger listens to.</summary>
    private static readonly Dictionary<string, string> s_triggerTargets = new(StringComparer.Ordinal)
    {
        ["blobTrigger"] = "path",
        ["queueTrigger"] = "queueName",
        ["timerTrigger"] = "schedule",
    };

    private static IReadOnlyList<FunctionMetadata> Functions => FunctionsMetadata.Read();

    [Fact]
    public void Every_route_constant_has_its_contract_method()
    {
        Assert.Equal(RouteConstants().Keys.Order(StringComparer.Ordinal), s_contractMethods.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_function_has_exactly_one_trigger_and_a_unique_name()
    {
        Assert.NotEmpty(Functions);
        Assert.All(Functions, function => Assert.Single(function.Triggers));
        Assert.Equal(Functions.Count, Functions.Select(function => function.Name).Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Every_route_and_method_of_the_contract_is_bound_exactly_once_and_no_other()
    {
        var expected = RouteConstants()
            .Select(route => $"{s_contractMethods[route.Key]} {route.Value}")
            .Order(StringComparer.Ordinal);

        var bound = Functions
            .SelectMany(function => function.Triggers.Where(trigger => trigger.Type == "httpTrigger"))
            .SelectMany(trigger => trigger.Methods.DefaultIfEmpty("ANY").Select(method => $"{method} {trigger.Text("route")}"))
            .Order(StringComparer.Ordinal);

        Assert.Equal(expected, bound);
    }

    [Fact]
    public void Http_functions_are_anonymous_because_the_handlers_check_the_bearer_token_on_both_hosts()
    {
        var httpTriggers = Functions.SelectMany(function => function.Triggers).Where(trigger => trigger.Type == "httpTrigger").ToList();

        Assert.NotEmpty(httpTriggers);
        Assert.All(httpTriggers, trigger => Assert.Equal("Anonymous", trigger.Text("authLevel")));
    }

    [Fact]
    public void Every_trigger_constant_is_bound_exactly_once_and_no_other_trigger_is_bound()
    {
        var expected = TriggerConstants().Values.Order(StringComparer.Ordinal);

        var bound = Functions
            .SelectMany(function => function.Triggers)
            .Where(trigger => trigger.Type != "httpTrigger")
            .Select(trigger => s_triggerTargets.TryGetValue(trigger.Type, out var property)
                ? trigger.Text(property) ?? $"({trigger.Type} without {property})"
                : $"(unexpected {trigger.Type})")
            .Order(StringComparer.Ordinal);

        Assert.Equal(expected, bound);
    }

    [Fact]
    public void Every_storage_trigger_reads_the_pipelines_storage_connection()
    {
        var storageTriggers = Functions.SelectMany(function => function.Triggers)
            .Where(trigger => trigger.Type is "blobTrigger" or "queueTrigger")
            .ToList();

        Assert.NotEmpty(storageTriggers);
        Assert.All(storageTriggers, trigger => Assert.Equal(TriggerBindings.StorageConnection, trigger.Text("connection")));
    }

    [Fact]
    public void The_submission_blob_trigger_is_delivered_by_Event_Grid_as_Flex_Consumption_requires()
    {
        var trigger = Assert.Single(Functions.SelectMany(function => function.Triggers), trigger => trigger.Text("path") == TriggerBindings.SubmissionBlobPath);

        Assert.Equal("blobTrigger", trigger.Type);
        Assert.Equal("EventGrid", trigger.Text("source"));
    }

    /// <summary>Route constants by name (without the prefix, which is not a route).</summary>
    private static Dictionary<string, string> RouteConstants() =>
        Constants(typeof(ApiRoutes)).Where(constant => constant.Key != nameof(ApiRoutes.Prefix)).ToDictionary(StringComparer.Ordinal);

    /// <summary>Trigger constants by name; the storage connection is a property of storage triggers, not a trigger.</summary>
    private static Dictionary<string, string> TriggerConstants() =>
        Constants(typeof(TriggerBindings)).Where(constant => constant.Key != nameof(TriggerBindings.StorageConnection)).ToDictionary(StringComparer.Ordinal);

    private static IEnumerable<KeyValuePair<string, string>> Constants(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.IsLiteral && field.FieldType == typeof(string))
            .Select(field => KeyValuePair.Create(field.Name, (string)field.GetRawConstantValue()!));
}
