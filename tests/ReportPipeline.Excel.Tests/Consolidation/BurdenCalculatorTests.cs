using System.Text.Json;
using ReportPipeline.Domain.Burden;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Templates;

namespace ReportPipeline.Excel.Tests.Consolidation;

public sealed class BurdenCalculatorTests
{
    private readonly ConsolidationScenario _scenario = new();

    private static readonly string[] Villages =
        [.. TestData.Orgs().Where(o => o.Level == OrgLevel.Village).Select(o => o.Code)];

    /// <summary>A second template asking two fields the first one asks as well, plus one it does not.</summary>
    private static ReportTemplate Second() => TestData.Template() with
    {
        Id = "party_monthly",
        Department = "组织部",
        Title = "党员情况月报",
        Columns =
        [
            new() { Id = "p_pop", Headers = ["户籍人口"], FieldId = "population_registered" },
            new() { Id = "p_party", Headers = ["党员数"], FieldId = "party_members" },
            new() { Id = "p_secretary", Headers = ["书记"], FieldId = "secretary_name" },
        ],
    };

    private BurdenFigures Compute() => BurdenCalculator.Compute(
        TestData.Catalog(), [TestData.Template(), Second()], "500000000000", TestData.November, Villages, _scenario.Values);

    [Fact]
    public void Entries_asked_separately_add_up_over_templates_while_the_one_table_asks_each_field_once()
    {
        var figures = Compute();

        // First template reads 6 fields (pop, elderly, party, dibao, amount, road); the second 3, two of them shared.
        Assert.Equal(9, figures.EntriesAskedSeparatelyPerVillage);
        Assert.Equal(7, figures.DistinctFields);
        Assert.Equal(6, figures.VillagesCounted);
        Assert.Equal(9 * 6, figures.EntriesAskedSeparately);
    }

    [Fact]
    public void Typed_and_prefilled_entries_are_counted_from_the_stored_origins()
    {
        var figures = Compute();

        // Five reporting villages typed five fields each and hold one pre-filled value; one more holds only a pre-filled value.
        Assert.Equal(25, figures.EntriesTyped);
        Assert.Equal(6, figures.EntriesPrefilled);
        Assert.Equal(Math.Round(1 - 25m / 54m, 4), figures.ReductionRatio);
        Assert.Equal(Math.Round(6m / 31m, 4), figures.PrefilledShare);
    }

    [Fact]
    public void Per_template_columns_served_from_held_data_count_prefilled_and_shared_fields()
    {
        var perTemplate = Compute().PerTemplate.ToDictionary(t => t.TemplateId);

        // Second template: population is pre-filled, party members also asked by the first; only the secretary is new.
        Assert.Equal(1, perTemplate["party_monthly"].ColumnsPrefilled);
        Assert.Equal(2, perTemplate["party_monthly"].ColumnsServedFromHeldData);
        Assert.Equal(3, perTemplate["party_monthly"].FieldsAsked);
    }

    [Fact]
    public void Templates_of_another_frequency_are_left_out_and_the_figures_serialise_to_json()
    {
        var yearly = Second() with { Id = "yearly", PeriodKind = Domain.Periods.PeriodKind.Year };

        var figures = BurdenCalculator.Compute(TestData.Catalog(), [TestData.Template(), yearly], "500000000000", TestData.November, Villages, _scenario.Values);
        var json = JsonSerializer.Serialize(figures);

        Assert.Equal(1, figures.Templates);
        Assert.Contains("\"EntriesTyped\":25", json, StringComparison.Ordinal);
        Assert.Equal(figures.ReductionRatio, JsonSerializer.Deserialize<BurdenFigures>(json)!.ReductionRatio);
    }
}
