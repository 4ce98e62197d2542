using System.Text;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Storage.Files;

namespace ReportPipeline.Storage.Tests.Files;

public sealed class FileCatalogSourceTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "catalog-source-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task A_folder_hands_over_the_documents_of_the_layout_by_name_and_nothing_else()
    {
        Write("catalog.json", """{ "version": "2026.1.1" }""");
        Write("rules.json", """{ "rules": [] }""");
        Write("departments.json", """{ "departments": [] }""");
        Write("fields/b.json", """{ "group": "乙", "fields": [ { "id": "b", "name": "乙", "type": "integer" } ] }""");
        Write("fields/a.json", """{ "group": "甲", "fields": [ { "id": "a", "name": "甲", "type": "integer" } ] }""");
        Write("fields/notes.txt", "not a catalog document");
        Write("fields/old/c.json", """{ "group": "丙", "fields": [] }""");
        Write("templates/t.json", """{ "id": "t" }""");
        Write("orgs/sample-city.json", """{ "orgs": [] }""");
        var source = new FileCatalogSource(_root);

        var version = await source.GetVersionAsync(period: null, CancellationToken.None);
        var documents = await source.LoadAsync(version, CancellationToken.None);

        Assert.Equal("file:" + Path.GetFullPath(_root), documents.Version);
        Assert.Equal(["catalog.json", "departments.json", "rules.json", "fields/a.json", "fields/b.json", "templates/t.json"], documents.Documents.Select(d => d.Name));
        Assert.Equal("""{ "rules": [] }""", Encoding.UTF8.GetString(documents.Documents[2].Json.Span));
    }

    [Fact]
    public async Task The_shipped_folder_through_the_port_parses_to_the_shipped_catalog()
    {
        var bundle = await CatalogLoader.LoadAsync(FileCatalogSource.Shipped, period: null, CancellationToken.None);

        Assert.Equal("2026.11.1", bundle.Catalog.Version);
        Assert.Equal(FileCatalogSource.Shipped.LoadBundle().Catalog.Fields.Count, bundle.Catalog.Fields.Count);
        Assert.Equal(Directory.GetFiles(Path.Combine(FileCatalogSource.ShippedFolder, "templates"), "*.json").Length, bundle.Templates.Count);
    }

    [Fact]
    public void A_missing_folder_is_one_problem_naming_it()
    {
        var error = Assert.Throws<CatalogLoadException>(() => new FileCatalogSource(_root).LoadBundle());

        var problem = Assert.Single(error.Problems);
        Assert.Equal(Path.GetFullPath(_root), problem.File);
        Assert.Contains("目录不存在", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_without_manifest_or_fields_lists_both_by_file()
    {
        Write("templates/t.json", """{ "id": "t", "department": "部", "title": "表", "periodKind": "month", "audienceLevels": ["township"], "columns": [ { "headers": ["甲"], "field": "a" } ] }""");

        var error = Assert.Throws<CatalogLoadException>(() => new FileCatalogSource(_root).LoadBundle());

        Assert.Contains(error.Problems, p => p.File == "catalog.json" && p.Message.Contains("file not found", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.File == "fields/" && p.Message.Contains("no field files", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.File == "templates/t.json" && p.Message.Contains("unknown field 'a'", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_version_the_folder_does_not_hold_is_refused()
    {
        Write("catalog.json", """{ "version": "2026.1.1" }""");

        var error = await Assert.ThrowsAsync<CatalogLoadException>(() => new FileCatalogSource(_root).LoadAsync("2025.1.1", CancellationToken.None));

        Assert.Contains("no such catalog version", Assert.Single(error.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_sample_city_file_loads_as_one_tree()
    {
        var city = FileOrgRegistry.LoadSampleCity();

        Assert.Equal(30, city.ByLevel(OrgLevel.Village).Count);
        Assert.Single(city.ByLevel(OrgLevel.City));
    }

    private void Write(string relativePath, string content)
    {
        var path = Path.Combine(_root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
