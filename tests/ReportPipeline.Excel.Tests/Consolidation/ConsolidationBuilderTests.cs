using ReportPipeline.Domain.Consolidation;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Excel.Tests.Consolidation;

public sealed class ConsolidationBuilderTests
{
    private readonly ConsolidationScenario _scenario = new();

    private static int Column(string id) => TestData.Template().Columns.ToList().FindIndex(c => c.Id == id);

    [Theory]
    [InlineData("500103001000")]
    [InlineData("500103000000")]
    [InlineData("500000000000")]
    public void Every_row_at_every_level_equals_an_independent_sum_of_the_reported_villages(string orgCode)
    {
        var report = _scenario.Build(orgCode);

        var rows = new[] { report.Main }.Concat(report.Details).SelectMany(s => s.Rows).Where(r => r.IsReported).ToList();
        Assert.NotEmpty(rows);
        foreach (var row in rows)
        {
            var under = row.OrgCode!;
            Assert.Equal(_scenario.SumUnder(under, "party_members"), row.Cells[Column("c_party")].Number);
            Assert.Equal(_scenario.SumUnder(under, "elderly_65"), row.Cells[Column("c_elderly")].Number);
            Assert.Equal(_scenario.SumUnder(under, "dibao_amount"), row.Cells[Column("c_amount")].Number);
            Assert.Equal(
                _scenario.SumUnder(under, "population_registered") - _scenario.SumUnder(under, "elderly_65"),
                row.Cells[Column("c_non_elderly")].Number);
        }
    }

    [Fact]
    public void A_township_report_has_one_row_per_village_and_a_total_that_counts_the_missing()
    {
        var report = _scenario.Build("500103001000");

        Assert.Equal(["金汤街社区", "领事巷社区", "双钢路社区", "合计（应报3，已报2，未报1）"], report.Main.Rows.Select(r => r.Label));
        Assert.Empty(report.Details);
        Assert.Equal(3, report.ExpectedUnits);
        Assert.Equal(1, report.MissingUnits);
    }

    [Fact]
    public void A_village_that_has_not_reported_is_empty_not_zero_even_with_a_prefilled_value()
    {
        var report = _scenario.Build("500103001000");

        var missing = report.Main.Rows.Single(r => r.OrgCode == "500103001003");
        Assert.False(missing.IsReported);
        Assert.All(missing.Cells, c => Assert.True(c.IsEmpty));
        var total = report.Main.Rows[^1];
        Assert.Equal(_scenario.SumUnder("500103001000", "population_registered"), total.Cells[Column("c_pop")].Number);
        Assert.DoesNotContain(999m, report.Main.Rows.Select(r => r.Cells[Column("c_pop")].Number));
        Assert.Equal(ReportingStatus.Missing, report.Completeness.Single(c => c.OrgCode == "500103001003").Status);
    }

    [Fact]
    public void A_ratio_column_is_recomputed_from_the_summed_parts_not_summed()
    {
        var report = _scenario.Build("500103000000");

        var total = report.Main.Rows[^1];
        var expected = _scenario.SumUnder("500103000000", "party_members") / _scenario.SumUnder("500103000000", "population_registered") * 100;
        var sumOfRatios = report.Main.Rows.Where(r => r.Kind == ReportRowKind.Unit && r.IsReported).Sum(r => r.Cells[Column("c_share")].Number!.Value);
        Assert.Equal(expected, total.Cells[Column("c_share")].Number);
        Assert.NotEqual(sumOfRatios, total.Cells[Column("c_share")].Number);
    }

    [Fact]
    public void A_ratio_uses_only_the_units_that_have_both_of_its_parts()
    {
        // One reporting village leaves the denominator blank: its numerator must not enter the ratio either.
        var gap = ConsolidationScenario.Reporting[0].Code;
        var stored = _scenario.Values[gap];
        _scenario.Values[gap] = stored with { Values = stored.Values.Where(kv => kv.Key != "population_registered").ToDictionary(kv => kv.Key, kv => kv.Value) };

        var report = _scenario.Build("500103000000");

        var complete = _scenario.ReportedUnder("500103000000").Where(v => v.Values.ContainsKey("population_registered")).ToList();
        var expected = complete.Sum(v => v.Values["party_members"].Value.Number!.Value) / complete.Sum(v => v.Values["population_registered"].Value.Number!.Value) * 100;
        Assert.Equal(expected, report.Main.Rows[^1].Cells[Column("c_share")].Number);
    }

    [Fact]
    public void A_district_report_has_township_rows_and_a_village_detail_with_subtotals()
    {
        var report = _scenario.Build("500103000000");

        Assert.Equal(["七星岗街道（应报3，已报2，未报1）", "解放碑街道", "合计（应报5，已报4，未报1）"], report.Main.Rows.Select(r => r.Label));
        var detail = Assert.Single(report.Details);
        Assert.Equal(
            [ReportRowKind.Unit, ReportRowKind.Unit, ReportRowKind.Unit, ReportRowKind.Subtotal, ReportRowKind.Unit, ReportRowKind.Unit, ReportRowKind.Subtotal, ReportRowKind.Total],
            detail.Rows.Select(r => r.Kind));
        Assert.Equal("七星岗街道小计（应报3，已报2，未报1）", detail.Rows[3].Label);
    }

    [Fact]
    public void A_city_report_has_district_rows_and_a_township_detail()
    {
        var report = _scenario.Build("500000000000");

        Assert.Equal(["渝中区（应报5，已报4，未报1）", "大渡口区（应报2，已报1，未报1）", "合计（应报7，已报5，未报2）"], report.Main.Rows.Select(r => r.Label));
        Assert.Equal("分乡镇（街道）明细", Assert.Single(report.Details).Title);
        Assert.Equal(7, report.Completeness.Count);
    }

    [Fact]
    public void A_report_received_after_the_deadline_day_is_late_and_still_counted()
    {
        var report = _scenario.Build("500103002000");

        var late = report.Completeness.Single(c => c.OrgCode == "500103002001");
        Assert.Equal(ReportingStatus.Late, late.Status);
        Assert.Equal(ReportingStatus.Reported, report.Completeness.Single(c => c.OrgCode == "500103002002").Status);
        Assert.Equal(_scenario.SumUnder("500103002000", "party_members"), report.Main.Rows[^1].Cells[Column("c_party")].Number);
    }

    [Fact]
    public void The_watermark_changes_only_when_an_input_changes()
    {
        var before = _scenario.Build("500103000000").Watermark;
        var again = _scenario.Build("500103000000").Watermark;
        var otherDistrict = _scenario.Build("500104000000").Watermark;
        _scenario.Receipts["500103001003"] = TestData.Receipt("500103001003", "sub-new", ConsolidationScenario.OnTime.AddDays(3));
        var after = _scenario.Build("500103000000").Watermark;

        Assert.Equal(before, again);
        Assert.NotEqual(before.Hash, after.Hash);
        Assert.Equal(before.ReceiptCount + 1, after.ReceiptCount);
        Assert.Equal(otherDistrict, _scenario.Build("500104000000").Watermark);
    }

    [Fact]
    public void Definitions_name_the_field_or_expression_and_how_each_column_is_totalled()
    {
        var report = _scenario.Build("500103001000");

        var share = report.Definitions.Single(d => d.ColumnId == "c_share");
        Assert.Contains("percent(party_members, population_registered)", share.Source, StringComparison.Ordinal);
        Assert.Contains("重新计算", share.Aggregation, StringComparison.Ordinal);
        var pop = report.Definitions.Single(d => d.ColumnId == "c_pop");
        Assert.Contains("公安局", pop.Departments, StringComparison.Ordinal);
        Assert.Equal("人口情况／户籍人口", pop.Header);
    }

    [Fact]
    public void A_village_cannot_be_consolidated()
    {
        Assert.Throws<ArgumentException>(() => _scenario.Build("500103001001"));
    }

    [Fact]
    public void Only_a_receipt_for_the_workbooks_own_period_makes_a_village_reported_typed_values_alone_do_not()
    {
        // 500103001001 holds typed values but no receipt; 500103001002's latest receipt is for another period (as a
        // quarter's last month is not the quarter).
        _scenario.Receipts.Remove("500103001001");
        _scenario.Receipts["500103001002"] = _scenario.Receipts["500103001002"] with { Period = TestData.November.Previous() };

        var report = _scenario.Build("500103001000");

        Assert.Equal(ReportingStatus.Missing, report.Completeness.Single(c => c.OrgCode == "500103001001").Status);
        Assert.Equal(ReportingStatus.Missing, report.Completeness.Single(c => c.OrgCode == "500103001002").Status);
        Assert.Equal(ReportingStatus.Missing, report.Completeness.Single(c => c.OrgCode == "500103001003").Status);
        Assert.Equal(0, report.Main.Rows[^1].ReportedCount);
        Assert.All(report.Main.Rows[^1].Cells, c => Assert.True(c.IsEmpty));
    }
}
