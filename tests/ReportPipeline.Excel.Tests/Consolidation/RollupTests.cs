using ReportPipeline.Domain.Consolidation;
using ReportPipeline.Domain.Orgs;
using static ReportPipeline.Excel.Tests.TestData;

namespace ReportPipeline.Excel.Tests.Consolidation;

/// <summary>A city workbook assembled from its districts' roll-ups must be the one built from every village.</summary>
public sealed class RollupTests
{
    private const string City = "500000000000";
    private readonly ConsolidationScenario _scenario = new();

    private Dictionary<string, OrgRollup> DistrictRollups() => Orgs()
        .Where(o => o.Level == OrgLevel.District)
        .ToDictionary(d => d.Code, d => _scenario.Build(d.Code).Rollup!, StringComparer.Ordinal);

    private ConsolidatedReport FromRollups(IReadOnlyDictionary<string, OrgRollup> rollups, InputWatermark watermark) =>
        ConsolidationBuilder.BuildFromRollups(Template(), Catalog(), Orgs(), City, November, rollups,
            new Dictionary<string, Domain.Governance.ApprovalRecord>(), ProductionInputs.Calendar(Template()), watermark, Generated, null);

    [Fact]
    public void A_city_report_from_district_rollups_has_every_row_cell_and_count_of_the_one_built_from_the_villages()
    {
        var direct = _scenario.Build(City);

        var rolled = FromRollups(DistrictRollups(), direct.Watermark);

        var directRows = new[] { direct.Main }.Concat(direct.Details).SelectMany(s => s.Rows).ToList();
        var rolledRows = new[] { rolled.Main }.Concat(rolled.Details).SelectMany(s => s.Rows).ToList();
        Assert.Equal(directRows.Count, rolledRows.Count);
        Assert.Contains(directRows, r => r.Cells.Any(c => c.Number is not null));
        for (var i = 0; i < directRows.Count; i++)
        {
            var (a, b) = (directRows[i], rolledRows[i]);
            Assert.Equal((a.Kind, a.OrgCode, a.Label, a.GroupName, a.Expected, a.ReportedCount, a.LateCount, a.LatestReceivedAt), (b.Kind, b.OrgCode, b.Label, b.GroupName, b.Expected, b.ReportedCount, b.LateCount, b.LatestReceivedAt));
            Assert.Equal(a.Cells, b.Cells);
            Assert.Equal(a.SubmissionIds, b.SubmissionIds);
        }

        Assert.Equal(direct.Main.UnitHeader, rolled.Main.UnitHeader);
        Assert.Equal(direct.Details.Select(d => (d.Title, d.UnitHeader)), rolled.Details.Select(d => (d.Title, d.UnitHeader)));
        Assert.Equal(direct.Completeness, rolled.Completeness);
        Assert.Equal(direct.Definitions, rolled.Definitions);
        Assert.Equal(direct.Deadline, rolled.Deadline);
    }

    [Fact]
    public void A_ratio_total_from_rollups_is_the_ratio_of_the_summed_parts()
    {
        var share = Template().Columns.ToList().FindIndex(c => c.Id == "c_share");

        var total = FromRollups(DistrictRollups(), _scenario.Build(City).Watermark).Main.Rows[^1];

        Assert.Equal(_scenario.SumUnder(City, "party_members") / _scenario.SumUnder(City, "population_registered") * 100, total.Cells[share].Number);
    }

    [Fact]
    public void A_missing_or_foreign_rollup_is_refused_rather_than_counted_as_nothing()
    {
        var rollups = DistrictRollups();
        var watermark = _scenario.Build(City).Watermark;
        var first = rollups.Keys.Order(StringComparer.Ordinal).First();

        var missing = new Dictionary<string, OrgRollup>(rollups);
        missing.Remove(first);
        Assert.Throws<ArgumentException>(() => FromRollups(missing, watermark));

        var otherPeriod = new Dictionary<string, OrgRollup>(rollups) { [first] = rollups[first] with { Period = "2026-10" } };
        Assert.Throws<ArgumentException>(() => FromRollups(otherPeriod, watermark));

        var otherShape = new Dictionary<string, OrgRollup>(rollups) { [first] = rollups[first] with { Columns = [.. rollups[first].Columns.Skip(1)] } };
        Assert.Throws<ArgumentException>(() => FromRollups(otherShape, watermark));
    }

    [Fact]
    public void A_district_rollup_carries_the_district_workbooks_watermark_and_its_townships()
    {
        var district = _scenario.Build("500103000000");

        var rollup = district.Rollup!;

        Assert.Equal(district.Watermark.ToString(), rollup.Watermark);
        Assert.Equal(["500103001000", "500103002000"], rollup.Children.Select(c => c.OrgCode));
        Assert.Equal(district.ExpectedUnits, rollup.Self.Expected);
        Assert.Equal(district.Completeness, rollup.Completeness);
    }
}
