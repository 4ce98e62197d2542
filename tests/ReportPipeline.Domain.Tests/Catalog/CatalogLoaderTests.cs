using System.Text;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Storage.Files;

namespace ReportPipeline.Domain.Tests.Catalog;

public sealed class CatalogLoaderTests
{
    private readonly List<CatalogDocument> _documents = [];

    [Fact]
    public void The_real_catalog_loads_cleanly_from_beside_the_binaries()
    {
        var bundle = FileCatalogSource.Shipped.LoadBundle();

        Assert.Equal("2026.11.1", bundle.Catalog.Version);
        Assert.True(bundle.Catalog.Fields.Count >= 300, $"only {bundle.Catalog.Fields.Count} fields");
        Assert.True(bundle.Templates.Count >= 12);
        Assert.True(bundle.Catalog.Fields.Select(f => f.Group).Distinct().Count() >= 10);
        Assert.NotEmpty(bundle.Catalog.Rules);
        Assert.Equal("户籍人口", bundle.Catalog["pop_registered"].Name);
        Assert.Contains("户籍总人口", bundle.Catalog["pop_registered"].Aliases);
    }

    [Fact]
    public void Template_columns_resolve_to_fields_or_parsed_expressions()
    {
        var template = FileCatalogSource.Shipped.LoadBundle().FindTemplate("mz_dibao_monthly")!;

        Assert.Equal("mz", template.Department);
        Assert.Equal("民政局", template.DepartmentName);
        Assert.Equal(PeriodKind.Month, template.PeriodKind);
        Assert.Equal(2, template.HeaderRowCount);
        var coverage = Assert.Single(template.Columns, c => c.Expression is not null && c.Headers[^1] == "保障面（%）");
        Assert.Equal("percent(dibao_persons, pop_registered)", coverage.Expression!.ToString());
        Assert.Equal("%", coverage.Unit);
        Assert.Equal("户", template.Columns.Single(c => c.FieldId == "dibao_households").Unit);
    }

    [Fact]
    public void A_broken_catalog_lists_every_problem_with_file_and_item()
    {
        Write("catalog.json", """{ "version": "2026.11.1" }""");
        Write("fields/01-people.json", """
            { "group": "人口", "fields": [
              { "id": "pop", "name": "户籍人口", "type": "integer", "min": 10, "max": 5 },
              { "id": "pop", "name": "重复", "type": "integer" },
              { "id": "人口", "name": "非ASCII", "type": "integer" },
              { "id": "Bad-Id", "name": "格式", "type": "integer" },
              { "id": "village_type", "name": "村类型", "type": "enum" },
              { "id": "households", "name": "户数", "type": "integer", "precision": 2 },
              { "id": "yearly", "name": "年度项", "type": "integer", "frequency": "year" },
              { "id": "rate", "name": "比率", "type": "decimal", "precision": 2, "source": "derived", "expression": "percent(pop, nowhere)" },
              { "id": "kind_wrong", "name": "类型错", "type": "number" }
            ] }
            """);
        Write("rules.json", """{ "rules": [ { "id": "r1", "kind": "partsNotExceedTotal", "field": "pop", "others": ["ghost"] } ] }""");
        Write("templates/t1.json", """
            { "id": "t1", "department": "民政局", "title": "月报", "periodKind": "month", "audienceLevels": ["township"],
              "columns": [
                { "headers": ["户籍人口"], "field": "pop" },
                { "headers": ["不存在"], "field": "missing_field" },
                { "headers": ["年度"], "field": "yearly" },
                { "id": "calc", "headers": ["占比"], "expression": "ratio(pop," }
              ] }
            """);

        var error = Assert.Throws<CatalogLoadException>(() => Load());

        var messages = error.Problems.Select(p => p.ToString()).ToList();
        Assert.Contains(messages, m => m.Contains("[pop]", StringComparison.Ordinal) && m.Contains("min > max", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("duplicate field id", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("[人口]", StringComparison.Ordinal) && m.Contains("ASCII", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("[Bad-Id]", StringComparison.Ordinal) && m.Contains("malformed id", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("enum without options", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("[households]", StringComparison.Ordinal) && m.Contains("precision on a non-decimal", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("[rate]", StringComparison.Ordinal) && m.Contains("unknown field 'nowhere'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("[kind_wrong]", StringComparison.Ordinal) && m.Contains("invalid type", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("rules.json [r1]", StringComparison.Ordinal) && m.Contains("unknown field 'ghost'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("templates/t1.json [t1/missing_field]", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("[t1/yearly]", StringComparison.Ordinal) && m.Contains("finer than the field's frequency", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("[t1/calc]", StringComparison.Ordinal) && m.Contains("expression", StringComparison.Ordinal));
        Assert.All(error.Problems, p => Assert.False(string.IsNullOrEmpty(p.File)));
        Assert.Contains("处问题", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_json_and_a_missing_version_are_reported_together()
    {
        Write("catalog.json", """{ "name": "no version" }""");
        Write("fields/a.json", """{ "group": "人口", "fields": [ { "id": "a", "name": "甲", "type": "integer" }, ] ,,, """);
        Write("templates/t.json", """{ "id": "t", "department": "部", "title": "表", "periodKind": "fortnight", "audienceLevels": ["village"], "columns": [] }""");

        var error = Assert.Throws<CatalogLoadException>(() => Load());

        Assert.Contains(error.Problems, p => p.File == "catalog.json" && p.Message.Contains("version", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.File == "fields/a.json" && p.Message.Contains("invalid JSON", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.File == "templates/t.json" && p.Message.Contains("invalid periodKind", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.File == "templates/t.json" && p.Message.Contains("village cannot be an audience level", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.File == "templates/t.json" && p.Message.Contains("without columns", StringComparison.Ordinal));
    }

    [Fact]
    public void A_derived_field_that_depends_on_itself_is_rejected()
    {
        Write("catalog.json", """{ "version": "2026.1.1" }""");
        Write("fields/a.json", """
            { "group": "测试", "fields": [
              { "id": "a", "name": "甲", "type": "integer", "source": "derived", "expression": "sum(b, c)" },
              { "id": "b", "name": "乙", "type": "integer", "source": "derived", "expression": "diff(a, c)" },
              { "id": "c", "name": "丙", "type": "integer" }
            ] }
            """);

        var error = Assert.Throws<CatalogLoadException>(() => Load());

        Assert.Equal(2, error.Problems.Count(p => p.Message.Contains("depends on itself", StringComparison.Ordinal)));
    }

    [Fact]
    public void Departments_are_named_by_code_and_a_code_outside_the_list_is_refused_everywhere_it_is_used()
    {
        Write("catalog.json", """{ "version": "2026.1.1" }""");
        Write("departments.json", """
            { "departments": [
              { "code": "mz", "name": "民政局" },
              { "code": "mz", "name": "又一个民政局" },
              { "code": "公安", "name": "公安局" },
              { "code": "tjj" }
            ] }
            """);
        Write("fields/a.json", """
            { "group": "人口", "fields": [
              { "id": "pop", "name": "户籍人口", "type": "integer", "departments": ["mz", "gaj"] },
              { "id": "dibao", "name": "低保户数", "type": "integer", "departments": ["民政局"] }
            ] }
            """);
        Write("templates/t.json", """
            { "id": "t", "department": "zzb", "title": "月报", "periodKind": "month", "audienceLevels": ["township"],
              "columns": [ { "headers": ["户籍人口"], "field": "pop" } ] }
            """);

        var error = Assert.Throws<CatalogLoadException>(() => Load());

        var messages = error.Problems.Select(p => p.ToString()).ToList();
        Assert.Contains(messages, m => m.StartsWith("departments.json [mz]", StringComparison.Ordinal) && m.Contains("duplicate department code", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("departments.json [公安]", StringComparison.Ordinal) && m.Contains("ASCII", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("departments.json [tjj]", StringComparison.Ordinal) && m.Contains("missing name", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("fields/a.json [pop]", StringComparison.Ordinal) && m.Contains("unknown department code 'gaj'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("fields/a.json [dibao]", StringComparison.Ordinal) && m.Contains("unknown department code '民政局'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("templates/t.json [t]", StringComparison.Ordinal) && m.Contains("unknown department code 'zzb'", StringComparison.Ordinal));
        Assert.DoesNotContain(messages, m => m.Contains("unknown department code 'mz'", StringComparison.Ordinal));
    }

    [Fact]
    public void The_shipped_catalog_names_every_department_by_a_listed_code_and_resolves_its_name()
    {
        var bundle = FileCatalogSource.Shipped.LoadBundle();
        var departments = bundle.Catalog.Departments;

        Assert.Equal("公安局", departments.NameOf("gaj"));
        Assert.All(bundle.Templates, t => Assert.True(departments.Contains(t.Department), t.Id));
        Assert.All(bundle.Catalog.Fields.SelectMany(f => f.Departments), code => Assert.True(departments.Contains(code), code));
        Assert.Equal("公安局、统计局", departments.NamesOf(bundle.Catalog["pop_registered"].Departments));
    }

    private void Write(string name, string content) => _documents.Add(new CatalogDocument(name, Encoding.UTF8.GetBytes(content)));

    private CatalogBundle Load() => CatalogLoader.Load(new CatalogDocumentSet("test", _documents));
}
