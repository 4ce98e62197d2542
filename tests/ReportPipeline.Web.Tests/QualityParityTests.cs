using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Quality;

namespace ReportPipeline.Web.Tests;

/// <summary>
/// The form's warnings while typing are the server's quality rules: every field with soft limits, from the catalog
/// shape the app loads, run through QualityRules and, with node, web/src/qualitycheck.js, gives the same warnings in
/// the same words.
/// </summary>
public sealed class QualityParityTests
{
    [Fact]
    public async Task Every_soft_limited_field_warns_in_the_web_form_as_the_server_does()
    {
        var bundle = ReportPipeline.Storage.Files.FileCatalogSource.Shipped.LoadBundle();
        var shipped = JsonNode.Parse(JsonSerializer.Serialize(CatalogView.ForForm(bundle), JsonSerializerOptions.Web))!;
        var fields = shipped["fields"]!.AsArray().Select(f => f!)
            .Where(f => f["expectedMin"] is not null || f["expectedMax"] is not null || f["maxChange"] is not null).ToList();
        Assert.True(fields.Count > 20, $"only {fields.Count} fields with soft limits");

        var random = new Random(20262);
        var cases = new List<(string Field, decimal Value, decimal? Previous)>();
        var fixture = new JsonArray();
        foreach (var field in fields)
        {
            var definition = bundle.Catalog[field["id"]!.GetValue<string>()];
            decimal[] anchors = [0, 1, definition.ExpectedMin ?? 10, definition.ExpectedMax ?? 100, 100, 1000];
            for (var i = 0; i < 60; i++)
            {
                var scale = definition.Type == Domain.Catalog.FieldType.Decimal ? 100m : 1m;
                var value = Math.Round((anchors[random.Next(anchors.Length)] * (decimal)(0.5 + random.NextDouble())) * scale) / scale;
                decimal? previous = random.Next(6) == 0 ? null : Math.Round((anchors[random.Next(anchors.Length)] * (decimal)(0.5 + random.NextDouble())) * scale) / scale;
                cases.Add((definition.Id, value, previous));
                fixture.Add(new JsonObject
                {
                    ["field"] = field.DeepClone(),
                    ["value"] = value.ToString(CultureInfo.InvariantCulture),
                    ["previous"] = previous?.ToString(CultureInfo.InvariantCulture),
                });
            }
        }

        var results = await ParityScript.RunAsync("quality-parity.mjs", "qualitycheck.js", fixture.ToJsonString());
        var mismatches = new List<string>();
        var warned = 0;
        for (var i = 0; i < cases.Count; i++)
        {
            var (id, value, previous) = cases[i];
            var server = QualityRules.Check(bundle.Catalog[id], value, previous).Select(f => $"{f.Code}: {f.Message}").ToList();
            var web = results[i]!.AsArray().Select(w => $"{w!["code"]!.GetValue<string>()}: {w["message"]!.GetValue<string>()}").ToList();
            warned += server.Count > 0 ? 1 : 0;
            if (!server.SequenceEqual(web))
            {
                mismatches.Add($"{id} {value} (上期 {previous}): server [{string.Join(" | ", server)}], web [{string.Join(" | ", web)}]");
            }
        }

        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {cases.Count} cases differ:\n{string.Join("\n", mismatches.Take(20))}");
        Assert.InRange(warned, 1, cases.Count - 1);
    }
}
