using System.Reflection;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Application.Http;

namespace ReportPipeline.Functions.Tests;

/// <summary>
/// The Functions app cannot be built here, so its sources are checked against the constants and handler contracts in
/// shared/: every route and trigger is bound exactly once, every function binds one, and each calls its own handler.
/// </summary>
public sealed class FunctionBindingTests
{
    /// <summary>The contract's method per route (ONE-TABLE.md, "The contract").</summary>
    private static readonly Dictionary<string, string> s_contractVerbs = new(StringComparer.Ordinal)
    {
        [nameof(ApiRoutes.Health)] = "GET",
        [nameof(ApiRoutes.Catalog)] = "GET",
        [nameof(ApiRoutes.Form)] = "GET",
        [nameof(ApiRoutes.Submissions)] = "POST",
        [nameof(ApiRoutes.Values)] = "GET",
        [nameof(ApiRoutes.Status)] = "GET",
        [nameof(ApiRoutes.Report)] = "GET",
        [nameof(ApiRoutes.BuildReport)] = "POST",
        [nameof(ApiRoutes.Burden)] = "GET",
        [nameof(ApiRoutes.Feedback)] = "POST",
    };

    private static readonly IReadOnlyList<FunctionSource> s_functions = FunctionSources.Read();

    [Fact]
    public void The_functions_project_has_functions_to_check()
    {
        Assert.NotEmpty(s_functions);
    }

    [Fact]
    public void Every_route_constant_is_bound_by_exactly_one_function()
    {
        var unbalanced = RouteConstants()
            .Select(route => (route, functions: s_functions.Where(f => f.Routes.Contains(route)).Select(f => f.Name).ToList()))
            .Where(entry => entry.functions.Count != 1)
            .Select(entry => $"{entry.route}: [{string.Join(", ", entry.functions)}]")
            .ToList();

        Assert.True(unbalanced.Count == 0, "Routes not bound exactly once: " + string.Join("; ", unbalanced));
    }

    [Fact]
    public void Every_trigger_binding_constant_is_used_by_exactly_one_function()
    {
        var unbalanced = TriggerConstants()
            .Select(binding => (binding, functions: s_functions.Where(f => f.TriggerBindings.Contains(binding)).Select(f => f.Name).ToList()))
            .Where(entry => entry.functions.Count != 1)
            .Select(entry => $"{entry.binding}: [{string.Join(", ", entry.functions)}]")
            .ToList();

        Assert.True(unbalanced.Count == 0, "Trigger bindings not used exactly once: " + string.Join("; ", unbalanced));
    }

    [Fact]
    public void Every_function_binds_exactly_one_route_or_a_trigger_constant()
    {
        var routes = RouteConstants().ToHashSet(StringComparer.Ordinal);
        var triggers = TriggerConstants().ToHashSet(StringComparer.Ordinal);

        var offenders = s_functions
            .Where(f => !(f.Routes.Count == 1 && routes.Contains(f.Routes[0]) && f.TriggerBindings.Count == 0)
                     && !(f.Routes.Count == 0 && f.TriggerBindings.Count > 0 && f.TriggerBindings.All(triggers.Contains)))
            .Select(f => $"{f.Name} ({f.File}): routes [{string.Join(", ", f.Routes)}], triggers [{string.Join(", ", f.TriggerBindings)}]")
            .ToList();

        Assert.True(offenders.Count == 0, "Functions without exactly one shared binding: " + string.Join("; ", offenders));
    }

    [Fact]
    public void Function_names_are_unique()
    {
        var duplicates = s_functions.GroupBy(f => f.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToList();

        Assert.Empty(duplicates);
    }

    [Fact]
    public void Every_http_api_method_is_called_by_exactly_one_function()
    {
        var unbalanced = HandlerMethods(typeof(IPipelineHttpApi))
            .Select(method => (method, functions: s_functions.Where(f => f.CalledMethods.Contains(method)).Select(f => f.Name).ToList()))
            .Where(entry => entry.functions.Count != 1)
            .Select(entry => $"{entry.method}: [{string.Join(", ", entry.functions)}]")
            .ToList();

        Assert.True(unbalanced.Count == 0, "IPipelineHttpApi methods not called exactly once: " + string.Join("; ", unbalanced));
    }

    [Fact]
    public void Every_http_function_calls_exactly_one_handler_method()
    {
        var handlerMethods = HandlerMethods(typeof(IPipelineHttpApi)).ToHashSet(StringComparer.Ordinal);

        var offenders = s_functions
            .Where(f => f.Routes.Count > 0)
            .Where(f => f.CalledMethods.Count(handlerMethods.Contains) != 1)
            .Select(f => $"{f.Name}: [{string.Join(", ", f.CalledMethods)}]")
            .ToList();

        Assert.True(offenders.Count == 0, "HTTP functions that do not call exactly one handler: " + string.Join("; ", offenders));
    }

    [Fact]
    public void Every_http_function_uses_the_contract_verb_of_its_route()
    {
        Assert.Equal(RouteConstants().Order(StringComparer.Ordinal), s_contractVerbs.Keys.Order(StringComparer.Ordinal));

        var offenders = s_functions
            .Where(f => f.Routes.Count == 1)
            .Where(f => f.HttpVerbs.Count != 1 || f.HttpVerbs[0] != s_contractVerbs[f.Routes[0]])
            .Select(f => $"{f.Name} ({f.Routes[0]}): [{string.Join(", ", f.HttpVerbs)}], contract {s_contractVerbs[f.Routes[0]]}")
            .ToList();

        Assert.True(offenders.Count == 0, "Verbs differing from the contract: " + string.Join("; ", offenders));
    }

    [Fact]
    public void The_blob_trigger_hands_the_name_to_the_ingestion_handler_and_the_timer_to_the_consolidation()
    {
        var blob = Assert.Single(s_functions, f => f.TriggerBindings.Contains(nameof(TriggerBindings.SubmissionBlobPath)));
        Assert.Contains(nameof(TriggerBindings.StorageConnection), blob.TriggerBindings);
        Assert.Contains(nameof(IBlobIngestionHandler.IngestAsync), blob.CalledMethods);

        var timer = Assert.Single(s_functions, f => f.TriggerBindings.Contains(nameof(TriggerBindings.ConsolidationSchedule)));
        Assert.Contains(nameof(IScheduledConsolidation.RunAsync), timer.CalledMethods);

        var timerSource = RepositoryFiles.Read(timer.File);
        Assert.Contains("IsPastDue", timerSource, StringComparison.Ordinal);
        var blobSource = RepositoryFiles.Read(blob.File);
        Assert.Contains("BlobTriggerSource.EventGrid", blobSource, StringComparison.Ordinal);
    }

    private static IEnumerable<string> RouteConstants() =>
        Constants(typeof(ApiRoutes)).Where(name => name != nameof(ApiRoutes.Prefix));

    private static IEnumerable<string> TriggerConstants() => Constants(typeof(TriggerBindings));

    private static IEnumerable<string> Constants(Type type) =>
        type.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.IsLiteral && field.FieldType == typeof(string))
            .Select(field => field.Name);

    private static IEnumerable<string> HandlerMethods(Type type) =>
        type.GetMethods().Select(method => method.Name).Distinct(StringComparer.Ordinal);
}
