namespace ReportPipeline.Application.Hosting;

/// <summary>
/// The contract's HTTP routes (without the <c>api/</c> prefix, which both hosts add), shared by the
/// Functions app and the local host so that the two cannot drift.
/// </summary>
public static class ApiRoutes
{
    public const string Prefix = "api";

    public const string Health = "health";
    public const string Catalog = "catalog";
    public const string Form = "orgs/{org}/form/{period}";
    public const string Submissions = "orgs/{org}/submissions/{period}";
    public const string Values = "orgs/{org}/values/{period}";
    public const string Status = "orgs/{org}/status/{period}";
    public const string Report = "orgs/{org}/reports/{period}/{template}";
    public const string BuildReport = "orgs/{org}/reports/{period}/{template}/build";
    public const string Burden = "orgs/{org}/burden/{period}";
    public const string Feedback = "orgs/{org}/feedback/{period}";
    /// <summary>The design check of a proposed department report (admin).</summary>
    public const string TemplateCheck = "templates/check";
}

/// <summary>Trigger bindings that are not HTTP routes; the Functions app binds each exactly once.</summary>
public static class TriggerBindings
{
    /// <summary>Blob trigger path: <c>submissions/{period}/{org}/{name}</c> arrives as <c>submissions/{name}</c>.</summary>
    public const string SubmissionBlobPath = "submissions/{name}";
    /// <summary>Name of the connection (settings <c>ReportStorage</c> or <c>ReportStorage__*</c>).</summary>
    public const string StorageConnection = "ReportStorage";
    /// <summary>Timer schedule expression resolved from the app setting <c>ConsolidationSchedule</c>.</summary>
    public const string ConsolidationSchedule = "%ConsolidationSchedule%";
    /// <summary>The queue of consolidation units (<c>StorageNames.ConsolidationQueue</c>); failed units go to <c>consolidation-poison</c>.</summary>
    public const string ConsolidationQueue = "consolidation";
}
