namespace ReportPipeline.Application.Governance;

/// <summary>Data-governance routes (without the <c>api/</c> prefix both hosts add).</summary>
public static class GovernanceRoutes
{
    /// <summary><c>POST /api/templates/check</c>: the design check of a proposed department report.</summary>
    public const string TemplateCheck = "templates/check";
}
