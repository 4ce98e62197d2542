using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Catalog.Loading;
using ReportPipeline.Domain.Templates;

namespace ReportPipeline.Web.Tests;

/// <summary>
/// Every expression of the shipped catalog — derived fields and template columns — evaluated by the domain
/// (<see cref="ColumnExpression.Evaluate"/>) and by the web app's evaluator (web/src/validate.js, run with node) from the
/// tree the catalog route ships: the same number or none, and a derived field shown with the same rounding.
/// </summary>
public sealed class ExpressionParityTests
{
    private const int CasesPerExpression = 150;

    [Fact]
    public async Task Every_catalog_expression_gives_the_web_app_the_servers_value()
    {
        var bundle = ReportPipeline.Storage.Files.FileCatalogSource.Shipped.LoadBundle();
        var shipped = JsonNode.Parse(JsonSerializer.Serialize(CatalogView.Create(bundle, OverlapAnalyzer.Analyze(bundle)), JsonSerializerOptions.Web))!;
        var expressions = new List<(string Name, ColumnExpression Expression, JsonNode Formula, JsonNode? Field, FieldDefinition? Definition)>();
        foreach (var field in shipped["fields"]!.AsArray().Select(f => f!).Where(f => f["formula"] is not null))
        {
            var definition = bundle.Catalog[field["id"]!.GetValue<string>()];
            expressions.Add((definition.Id, ColumnExpression.Parse(definition.Expression!), field["formula"]!, field, definition));
        }

        foreach (var template in bundle.Templates)
        {
            var columns = shipped["templates"]!.AsArray().Single(t => t!["id"]!.GetValue<string>() == template.Id)!["columns"]!.AsArray();
            foreach (var column in template.Columns.Where(c => c.Expression is not null))
            {
                var formula = columns.Single(c => c!["id"]!.GetValue<string>() == column.Id)!["formula"]!;
                expressions.Add(($"{template.Id}.{column.Id}", column.Expression!, formula, null, null));
            }
        }

        Assert.Contains(expressions, e => e.Name == "compulsory_enrolment_rate");
        Assert.True(expressions.Count > 40, $"only {expressions.Count} expressions in the catalog");

        var random = new Random(20261);
        var cases = new List<(string Name, ColumnExpression Expression, FieldDefinition? Definition, Dictionary<string, decimal?> Values)>();
        var fixture = new JsonArray();
        foreach (var (name, expression, formula, field, definition) in expressions)
        {
            for (var i = 0; i < CasesPerExpression; i++)
            {
                var values = expression.FieldIds().ToDictionary(id => id, id => Pick(random, bundle.Catalog.Find(id)), StringComparer.Ordinal);
                cases.Add((name, expression, definition, values));
                var valueNode = new JsonObject();
                foreach (var (id, value) in values)
                {
                    valueNode[id] = value?.ToString(CultureInfo.InvariantCulture);
                }

                fixture.Add(new JsonObject { ["formula"] = formula.DeepClone(), ["field"] = field?.DeepClone(), ["values"] = valueNode });
            }
        }

        var results = await ParityScript.RunAsync("expression-parity.mjs", "validate.js", fixture.ToJsonString());
        Assert.Equal(cases.Count, results.Count);
        var mismatches = new List<string>();
        var noNumber = 0;
        for (var i = 0; i < cases.Count; i++)
        {
            var (name, expression, definition, values) = cases[i];
            var server = expression.Evaluate(id => values.GetValueOrDefault(id));
            var raw = results[i]!["raw"]?.GetValue<double>();
            var inputs = string.Join(", ", values.Select(kv => $"{kv.Key}={kv.Value?.ToString(CultureInfo.InvariantCulture) ?? "空"}"));
            noNumber += server is null ? 1 : 0;
            if ((server is null) != (raw is null) || (server is { } s && Math.Abs((double)s - raw!.Value) > 1e-9 * Math.Max(1, Math.Abs((double)s))))
            {
                mismatches.Add($"{name}({inputs}): server {server}, web {raw}");
                continue;
            }

            if (definition is not null)
            {
                var serverShown = server is { } v ? Shown(Math.Round(v, definition.ShownDecimals, MidpointRounding.AwayFromZero)) : null;
                var webShown = results[i]!["shown"]?.GetValue<string>();
                if (serverShown != webShown)
                {
                    mismatches.Add($"{name}({inputs}) shown: server {serverShown}, web {webShown}");
                }
            }
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {cases.Count} cases differ:\n{string.Join("\n", mismatches.Take(20))}");
        // The cases reach both answers: numbers and no number (a missing input or a zero denominator).
        Assert.InRange(noNumber, 1, cases.Count - 1);
    }

    /// <summary>Inputs that reach the edges: zeros (denominators), powers of two and five (midpoints when rounding), decimals, missing.</summary>
    private static decimal? Pick(Random random, FieldDefinition? field)
    {
        decimal[] edges = [0, 1, 3, 7, 8, 16, 32, 40, 64, 125, 200, 400, 1600, 3200];
        var roll = random.Next(100);
        if (roll < 4)
        {
            return null;
        }

        if (roll < 50)
        {
            return edges[random.Next(edges.Length)];
        }

        var precision = field is { Type: FieldType.Decimal } ? field.Precision : 0;
        var scale = (decimal)Math.Pow(10, precision);
        return Math.Round(random.Next(0, 500_000) / scale, precision);
    }

    private static string Shown(decimal value) => value == 0 ? "0" : value.ToString("0.############################", CultureInfo.InvariantCulture);
}
