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
    /// <summary>The village's form: the workbook, or with <c>Accept: application/json</c> each field's treatment and starting value.</summary>
    public const string Form = "orgs/{org}/form/{period}";
    /// <summary>The org's recent periods with their deadlines and states, and the one that is due.</summary>
    public const string Periods = "orgs/{org}/periods";
    public const string Submissions = "orgs/{org}/submissions/{period}";
    public const string Values = "orgs/{org}/values/{period}";
    public const string Status = "orgs/{org}/status/{period}";
    /// <summary>The org's consolidated workbooks for the period: built time, size, whether a rebuild is pending (viewer).</summary>
    public const string Reports = "orgs/{org}/reports/{period}";
    public const string Report = "orgs/{org}/reports/{period}/{template}";
    public const string BuildReport = "orgs/{org}/reports/{period}/{template}/build";
    public const string Burden = "orgs/{org}/burden/{period}";
    public const string Feedback = "orgs/{org}/feedback/{period}";
    /// <summary>The 数据质量 list of an office's subtree (viewer).</summary>
    public const string Quality = "orgs/{org}/quality/{period}";
    /// <summary>The design check of a proposed department report (admin).</summary>
    public const string TemplateCheck = "templates/check";
    /// <summary>GET the review state of the subtree; POST approve, return or unlock.</summary>
    public const string Approval = "orgs/{org}/approval/{period}";
    /// <summary>The approval route's POST (the same path; the Functions app binds each method once).</summary>
    public const string ApprovalStep = "orgs/{org}/approval/{period}";
    /// <summary>Every version of a village's values, newest first and paged.</summary>
    public const string History = "orgs/{org}/history/{period}";
    /// <summary>A field for the org and each direct child over the periods ending at <c>?to=</c> (<c>&amp;periods=</c>, at most 24): the office's chart.</summary>
    public const string Series = "orgs/{org}/series/{field}";
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
