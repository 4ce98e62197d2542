using ReportPipeline.Domain.Consolidation;
using ReportPipeline.Domain.Governance;
using ReportPipeline.Domain.Orgs;
using static ReportPipeline.Excel.Tests.TestData;

namespace ReportPipeline.Excel.Tests.Consolidation;

/// <summary>审核状态: the review state of each unit row and of each village in 填报情况, and in the watermark.</summary>
public sealed class ApprovalColumnTests
{
    private const string District = "500103000000";
    private const string Township = "500103001000";
    private readonly ConsolidationScenario _scenario = new();

    private static ApprovalRecord Record(string org, ApprovalStatus status, int day = 7, string? reason = null) =>
        new(org, November, status, "审核员", "500103001000", new DateTimeOffset(2026, 12, day, 10, 0, 0, TimeSpan.FromHours(8)), reason);

    private readonly Dictionary<string, ApprovalRecord> _approvals = new(StringComparer.Ordinal)
    {
        ["500103001001"] = Record("500103001001", ApprovalStatus.Approved),
        ["500103001002"] = Record("500103001002", ApprovalStatus.Returned, reason: "数字有误"),
        [Township] = Record(Township, ApprovalStatus.Returned, reason: "有村未审核"),
    };

    private ConsolidatedReport Build(string org, IReadOnlyDictionary<string, ApprovalRecord> approvals) => _scenario.Build(org, approvals);

    [Fact]
    public void Each_village_row_and_each_village_of_the_completeness_list_shows_its_review_state()
    {
        var report = Build(Township, _approvals);

        var byOrg = report.Main.Rows.Where(r => r.Kind == ReportRowKind.Unit).ToDictionary(r => r.OrgCode!, r => r.Approval);
        Assert.Equal(ApprovalNames.Approved, byOrg["500103001001"]);
        Assert.Equal(ApprovalNames.Returned, byOrg["500103001002"]);
        Assert.Equal(ApprovalNames.NotReported, byOrg["500103001003"]);
        // The 合计 row is the township's own: it shows the township's state (here returned; 本级审核通过 once approved).
        Assert.Equal(ReportRowKind.Total, report.Main.Rows[^1].Kind);
        Assert.Equal(ApprovalNames.Returned, report.Main.Rows[^1].Approval);
        Assert.Equal(byOrg, report.Completeness.ToDictionary(c => c.OrgCode, c => c.Approval));
    }

    [Fact]
    public void Office_rows_show_the_offices_own_state_on_every_sheet_and_after_a_rollup()
    {
        var district = Build(District, _approvals);
        var city = ConsolidationBuilder.BuildFromRollups(Template(), Catalog(), Orgs(), "500000000000", November,
            Orgs().Where(o => o.Level == OrgLevel.District).ToDictionary(d => d.Code, d => Build(d.Code, _approvals).Rollup!),
            _approvals, ProductionInputs.Calendar(Template()), Build("500000000000", _approvals).Watermark, Generated, null);

        Assert.Equal(ApprovalNames.Returned, district.Main.Rows.Single(r => r.OrgCode == Township).Approval);
        Assert.Equal(ApprovalNames.Pending, district.Main.Rows.Single(r => r.OrgCode == "500103002000").Approval);
        Assert.Equal(ApprovalNames.Approved, district.Details[0].Rows.Single(r => r.OrgCode == "500103001001").Approval);
        Assert.Equal(ApprovalNames.Returned, district.Details[0].Rows.Single(r => r.Kind == ReportRowKind.Subtotal && r.OrgCode == Township).Approval);
        Assert.Equal(ApprovalNames.Pending, district.Details[0].Rows[^1].Approval);
        Assert.Equal(ApprovalNames.Returned, city.Details[0].Rows.Single(r => r.OrgCode == Township).Approval);
        Assert.Equal(ApprovalNames.Pending, city.Main.Rows.Single(r => r.OrgCode == District).Approval);
        Assert.Equal(ApprovalNames.Approved, city.Completeness.Single(c => c.OrgCode == "500103001001").Approval);
    }

    [Fact]
    public void An_approval_return_or_unlock_in_the_subtree_changes_the_watermark_and_one_elsewhere_does_not()
    {
        var before = Build(District, _approvals).Watermark;
        var unchanged = Build(District, new Dictionary<string, ApprovalRecord>(_approvals)).Watermark;
        var unlocked = Build(District, new Dictionary<string, ApprovalRecord>(_approvals) { ["500103001001"] = Record("500103001001", ApprovalStatus.Unlocked, day: 8) }).Watermark;
        var township = Build(District, new Dictionary<string, ApprovalRecord>(_approvals) { ["500103002000"] = Record("500103002000", ApprovalStatus.Approved) }).Watermark;
        var elsewhere = Build(District, new Dictionary<string, ApprovalRecord>(_approvals) { ["500104001001"] = Record("500104001001", ApprovalStatus.Approved) }).Watermark;

        Assert.Equal(before, unchanged);
        Assert.NotEqual(before.Hash, unlocked.Hash);
        Assert.NotEqual(before.Hash, township.Hash);
        Assert.Equal(before, elsewhere);
    }

    [Fact]
    public void The_workbook_has_a_review_state_column_on_unit_rows_and_in_the_completeness_sheet()
    {
        var with = new ReportWorkbookWriter().Write(Build(Township, _approvals));

        using var book = new OpenXmlWorkbook(with);
        var main = book.Cells(ReportWorkbookWriter.MainSheet);
        var header = main.Single(c => c.Value.Text == ReportWorkbookWriter.ApprovalHeader).Key;
        var column = new string([.. header.TakeWhile(char.IsLetter)]);
        var rowOf = main.Where(c => c.Value.Text == "500103001001").Select(c => new string([.. c.Key.SkipWhile(char.IsLetter)])).Single();
        Assert.Equal(ApprovalNames.Approved, main[column + rowOf].Text);
        var completeness = book.Cells(ReportWorkbookWriter.CompletenessSheet);
        Assert.Contains(completeness, c => c.Value.Text == ReportWorkbookWriter.ApprovalHeader);
        Assert.Contains(completeness, c => c.Value.Text == ApprovalNames.Returned);
    }
}
