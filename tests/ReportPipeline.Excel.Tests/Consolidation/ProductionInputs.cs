using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Consolidation;
using ReportPipeline.Domain.Governance;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Templates;

namespace ReportPipeline.Excel.Tests.Consolidation;

/// <summary>
/// The builder's inputs made the way <c>ConsolidationService</c> makes them, so that tests take the production path: the
/// receipts of the workbook's own period decide who reported, the calendar of the templates in China time, the period's
/// review states (none unless given), and the watermark over the root's subtree from the receipts given (each village's
/// latest over the periods the workbook reads).
/// </summary>
internal static class ProductionInputs
{
    private static readonly IReadOnlyDictionary<string, ApprovalRecord> NoApprovals = new Dictionary<string, ApprovalRecord>();

    public static ConsolidatedReport Build(
        ReportTemplate template,
        FieldCatalog catalog,
        OrgRegistry orgs,
        string orgCode,
        Period period,
        IReadOnlyDictionary<string, OrgValues> values,
        IReadOnlyDictionary<string, MergeReceipt> receipts,
        DateTimeOffset generatedAt,
        DateTimeOffset? dataAsOf = null,
        IReadOnlyDictionary<string, ApprovalRecord>? approvals = null)
    {
        approvals ??= NoApprovals;
        var subtree = orgs.Subtree(orgCode, includeSelf: true).ToList();
        var periodReceipts = receipts.Values.Where(r => r.Period == period).ToDictionary(r => r.OrgCode, StringComparer.Ordinal);
        return ConsolidationBuilder.Build(
            template, catalog, subtree, orgCode, period, values, periodReceipts, approvals, Calendar(template),
            Watermark(template, catalog, orgs, orgCode, receipts, approvals), generatedAt, dataAsOf);
    }

    public static InputWatermark Watermark(
        ReportTemplate template, FieldCatalog catalog, OrgRegistry orgs, string orgCode, IReadOnlyDictionary<string, MergeReceipt> receipts, IReadOnlyDictionary<string, ApprovalRecord>? approvals = null)
        => ConsolidationBuilder.ComputeWatermark(template, catalog.Version, orgs.Subtree(orgCode, includeSelf: true), receipts, approvals ?? NoApprovals);

    public static ReportingCalendar Calendar(ReportTemplate template) => new([template], ReportingCalendar.China);
}
