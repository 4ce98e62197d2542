using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Development.Synthetic;
using ReportPipeline.Domain.Templates;
using ReportPipeline.Domain.Validation;
using ReportPipeline.Domain.Values;
using ReportPipeline.Storage.Files;

namespace ReportPipeline.Domain.Tests.Synthetic;

public sealed class SyntheticTests
{
    private static readonly CatalogBundle Bundle = FileCatalogSource.Shipped.LoadBundle();

    [Fact]
    public void A_small_city_has_valid_codes_and_the_requested_shape()
    {
        var city = SyntheticCity.Generate(districts: 2, townshipsPerDistrict: 4, villagesPerTownship: 5, seed: 7);

        Assert.Equal(SyntheticCity.RootCode, city.Root.Code);
        Assert.Equal(2, city.ByLevel(OrgLevel.District).Count);
        Assert.Equal(8, city.ByLevel(OrgLevel.Township).Count);
        Assert.Equal(40, city.ByLevel(OrgLevel.Village).Count);
        Assert.All(city.ByLevel(OrgLevel.Village), v => Assert.True(v.Name.EndsWith('村') || v.Name.EndsWith("社区", StringComparison.Ordinal)));
    }

    [Fact]
    public void The_same_seed_gives_the_same_city_and_another_seed_other_names()
    {
        var first = SyntheticCity.Generate(3, 5, 6, seed: 42).All.ToList();
        var again = SyntheticCity.Generate(3, 5, 6, seed: 42).All.ToList();
        var other = SyntheticCity.Generate(3, 5, 6, seed: 43).All.ToList();

        Assert.Equal(first, again);
        Assert.Equal(first.Select(o => o.Code), other.Select(o => o.Code));
        Assert.NotEqual(first.Select(o => o.Name), other.Select(o => o.Name));
    }

    [Fact]
    public void A_full_size_city_builds()
    {
        var city = SyntheticCity.Generate(41, 25, 11);

        Assert.Equal(1025, city.ByLevel(OrgLevel.Township).Count);
        Assert.Equal(11_275, city.ByLevel(OrgLevel.Village).Count);
    }

    [Theory]
    [InlineData("2026-11")]
    [InlineData("2026-Q4")]
    [InlineData("2026")]
    public void Generated_values_pass_validation_against_the_real_catalog(string periodText)
    {
        var period = Period.Parse(periodText);
        var validator = new SubmissionValidator(Bundle.Catalog);
        var city = FileOrgRegistry.LoadSampleCity();

        foreach (var village in city.Villages(city.Root.Code))
        {
            var raw = SyntheticValues.Generate(Bundle.Catalog, village, period, seed: 3);
            var outcome = validator.Validate([.. raw.Select(r => new RawValue(r.Key, r.Value))], new Dictionary<string, FieldValue>(), period.Kind);

            Assert.True(outcome.IsValid, $"{village.Code} {period}: " + string.Join("; ", outcome.Errors.Select(e => e.Message)));
            // Quality warnings (soft ranges) are plausibility hints the generator does not aim for; rule warnings it must avoid.
            Assert.DoesNotContain(outcome.Warnings, w => !ReportPipeline.Domain.Quality.QualityExplanations.IsQualityWarning(w.Code));
            Assert.Equal(raw.Count, outcome.Values.Count);
        }
    }

    [Fact]
    public void Generated_values_are_deterministic_and_prefilled_ones_agree()
    {
        var village = FileOrgRegistry.LoadSampleCity().ByLevel(OrgLevel.Village)[0];
        var period = Period.Month(2026, 11);

        var first = SyntheticValues.Generate(Bundle.Catalog, village, period, seed: 1);
        var again = SyntheticValues.Generate(Bundle.Catalog, village, period, seed: 1);
        var prefilled = SyntheticValues.GeneratePrefilled(Bundle.Catalog, village, period, seed: 1);

        Assert.Equal(first, again);
        Assert.NotEmpty(prefilled);
        Assert.All(prefilled, p => Assert.Equal(FieldSource.Prefilled, Bundle.Catalog[p.Key].Source));
        Assert.All(prefilled, p => Assert.Equal(first[p.Key], p.Value));
    }

    [Fact]
    public void A_lower_fill_ratio_leaves_optional_fields_out()
    {
        var village = FileOrgRegistry.LoadSampleCity().ByLevel(OrgLevel.Village)[0];
        var period = Period.Month(2026, 11);

        var full = SyntheticValues.Generate(Bundle.Catalog, village, period, seed: 1);
        var half = SyntheticValues.Generate(Bundle.Catalog, village, period, seed: 1, fillRatio: 0.5);

        Assert.True(half.Count < full.Count);
        Assert.All(Bundle.Catalog.Fields.Where(f => f.Required && f.Frequency == PeriodKind.Month && f.Source is not FieldSource.Derived), f => Assert.True(half.ContainsKey(f.Id)));
    }

    [Fact]
    public void A_synthetic_catalog_of_a_thousand_fields_generates_valid_values()
    {
        var bundle = SyntheticCatalog.Generate(fieldCount: 1000, templateCount: 40, seed: 5);
        var village = SyntheticCity.Generate(1, 1, 1).ByLevel(OrgLevel.Village)[0];

        var raw = SyntheticValues.Generate(bundle.Catalog, village, Period.Month(2026, 11), seed: 5);
        var outcome = new SubmissionValidator(bundle.Catalog).Validate([.. raw.Select(r => new RawValue(r.Key, r.Value))], new Dictionary<string, FieldValue>());

        Assert.Equal(1000, bundle.Catalog.Fields.Count);
        Assert.Equal(40, bundle.Templates.Count);
        Assert.True(outcome.IsValid, string.Join("; ", outcome.Errors.Select(e => e.Message)));
    }

    [Fact]
    public void The_overlap_report_shows_the_real_catalog_asks_each_item_about_three_times()
    {
        var report = OverlapAnalyzer.Analyze(Bundle);

        Assert.True(report.OverlapRatio >= 3m, $"ratio {report.OverlapRatio}");
        Assert.Equal(report.TotalColumns, report.Templates.Sum(t => t.Held + t.Derivable + t.New));
        var dibao = report.Templates.Single(t => t.TemplateId == "mz_dibao_monthly");
        Assert.Equal(ColumnOverlap.Held, dibao.Columns.Single(c => c.FieldIds.SequenceEqual(["pop_registered"])).Kind);
        Assert.Equal(ColumnOverlap.Derivable, dibao.Columns.Single(c => c.ColumnId == "calc_1").Kind);
        Assert.Contains(report.Templates, t => t.New > 0);
    }
}
