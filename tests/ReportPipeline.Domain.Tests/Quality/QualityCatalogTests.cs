using System.Text;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Storage.Files;

namespace ReportPipeline.Domain.Tests.Quality;

public sealed class QualityCatalogTests
{
    private readonly List<CatalogDocument> _documents = [new(CatalogLayout.Manifest, """{ "version": "2026.11.1" }"""u8.ToArray())];

    [Fact]
    public void Soft_ranges_and_change_thresholds_load_into_the_field_definition()
    {
        Write("fields/a.json", """
            { "group": "人口", "fields": [
              { "id": "pop", "name": "户籍人口", "type": "integer", "min": 0, "max": 50000, "expectedMin": 100, "expectedMax": 20000, "maxChange": { "relative": 0.1 } },
              { "id": "births", "name": "出生人口", "type": "integer", "maxChange": { "absolute": 30 } }
            ] }
            """);

        var catalog = Load().Catalog;

        Assert.Equal(100m, catalog["pop"].ExpectedMin);
        Assert.Equal(20000m, catalog["pop"].ExpectedMax);
        Assert.Equal(ChangeThreshold.OfRelative(0.1m), catalog["pop"].MaxChange);
        Assert.Equal(ChangeThreshold.OfAbsolute(30m), catalog["births"].MaxChange);
    }

    [Fact]
    public void Every_bad_quality_setting_is_listed_with_its_field()
    {
        Write("fields/a.json", """
            { "group": "人口", "fields": [
              { "id": "inverted", "name": "甲", "type": "integer", "expectedMin": 10, "expectedMax": 5 },
              { "id": "outside", "name": "乙", "type": "integer", "min": 0, "max": 100, "expectedMax": 500 },
              { "id": "both", "name": "丙", "type": "integer", "maxChange": { "relative": 0.5, "absolute": 10 } },
              { "id": "neither", "name": "丁", "type": "integer", "maxChange": { } },
              { "id": "negative", "name": "戊", "type": "integer", "maxChange": { "relative": -1 } },
              { "id": "text", "name": "己", "type": "text", "expectedMin": 1 }
            ] }
            """);

        var error = Assert.Throws<CatalogLoadException>(() => Load());

        Assert.Contains(error.Problems, p => p.Item == "inverted" && p.Message.Contains("expectedMin > expectedMax", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Item == "outside" && p.Message.Contains("outside min/max", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Item == "both" && p.Message.Contains("exactly one", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Item == "neither" && p.Message.Contains("exactly one", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Item == "negative" && p.Message.Contains("must be > 0", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Item == "text" && p.Message.Contains("non-numeric", StringComparison.Ordinal));
    }

    [Fact]
    public void The_shipped_catalog_sets_quality_checks_on_population_households_and_money()
    {
        var catalog = FileCatalogSource.Shipped.LoadBundle().Catalog;

        Assert.NotNull(catalog["pop_registered"].MaxChange);
        Assert.NotNull(catalog["pop_registered"].ExpectedMax);
        Assert.NotNull(catalog["households_registered"].MaxChange);
        Assert.NotNull(catalog["dibao_funds"].MaxChange);
        Assert.NotNull(catalog["funeral_reform_rate"].ExpectedMin);
    }

    private void Write(string name, string content) => _documents.Add(new CatalogDocument(name, Encoding.UTF8.GetBytes(content)));

    private CatalogBundle Load() => CatalogLoader.Load(new CatalogDocumentSet("test", _documents));
}
