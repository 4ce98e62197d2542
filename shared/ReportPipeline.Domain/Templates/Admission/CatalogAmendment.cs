using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Domain.Templates.Admission;

/// <summary>
/// Builds the next catalog version from the one in force and an admitted proposal: the base version's documents, the
/// template as <c>templates/{id}.json</c> (replacing a changed one), the new fields as one document of their own, and a
/// manifest with the new declared version. The result is parsed by <see cref="CatalogLoader"/> like any version, so a
/// proposal the loader would refuse is never published.
/// </summary>
public static class CatalogAmendment
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>What a proposal may not do to the version it builds on, in Chinese; empty when nothing.</summary>
    /// <remarks>
    /// A field keeps its meaning for every period already collected: a proposal may not redefine an existing id with
    /// another type or unit (that is a new field, with a new id), nor take over another department's report.
    /// </remarks>
    public static IReadOnlyList<string> Conflicts(AdmissionRequest request, CatalogBundle current, string department)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(current);
        var problems = new List<string>();
        foreach (var field in request.Fields)
        {
            var id = AdmissionRequest.Text(field, "id") ?? "";
            if (current.Catalog.Find(id) is not { } existing)
            {
                continue;
            }

            var type = AdmissionRequest.Text(field, "type") ?? "";
            var unit = AdmissionRequest.Text(field, "unit") ?? "";
            problems.Add(!string.Equals(type, existing.Type.ToString(), StringComparison.OrdinalIgnoreCase) || !string.Equals(unit, existing.Unit ?? "", StringComparison.Ordinal)
                ? $"指标 {existing.Name}（{existing.Id}）已按“{existing.Type.ToString().ToLowerInvariant()}，{existing.Unit}”采集，不能改变其类型或单位：含义不同的数据请用新的编号建立新指标。"
                : $"指标 {existing.Name}（{existing.Id}）一表中已有，请在报表中直接引用，不要重复申请。");
        }

        if (current.FindTemplate(request.TemplateId) is { } template && !string.Equals(template.Department, department, StringComparison.Ordinal))
        {
            problems.Add($"报表编号 {request.TemplateId} 已是{template.Department}的“{template.Title}”：只有该部门可以申请修改，新报表请另取编号。");
        }

        return problems;
    }

    /// <summary>The documents of the next version.</summary>
    /// <param name="declaredVersion">The version the new <c>catalog.json</c> declares (年.月.序号).</param>
    public static IReadOnlyList<CatalogDocument> Apply(CatalogDocumentSet current, AdmissionRequest request, string department, string proposalId, string declaredVersion)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(request);
        var templateName = $"{CatalogLayout.TemplatesFolder}/{request.TemplateId}.json";
        var fieldsName = $"{CatalogLayout.FieldsFolder}/90-{request.TemplateId}-{proposalId}.json";
        var documents = current.Documents
            .Where(d => d.Name != CatalogLayout.Manifest && d.Name != templateName)
            .ToList();

        var manifest = current.Documents.Single(d => d.Name == CatalogLayout.Manifest);
        var manifestNode = JsonNode.Parse(manifest.Json.Span) as JsonObject ?? [];
        manifestNode["version"] = declaredVersion;
        documents.Add(new CatalogDocument(CatalogLayout.Manifest, Serialize(manifestNode)));

        var template = (JsonObject)request.Template.DeepClone();
        template["department"] = department;
        documents.Add(new CatalogDocument(templateName, Serialize(template)));

        if (request.Fields.Count > 0)
        {
            var fields = new JsonArray();
            foreach (var proposed in request.Fields)
            {
                var field = (JsonObject)proposed.DeepClone();
                field["source"] ??= "typed";
                var departments = field["departments"] as JsonArray ?? [];
                if (!departments.Any(d => d is JsonValue v && v.TryGetValue<string>(out var s) && s == department))
                {
                    departments.Add(department);
                }

                field["departments"] = departments.DeepClone();
                fields.Add(field);
            }

            documents.Add(new CatalogDocument(fieldsName, Serialize(new JsonObject
            {
                ["group"] = $"{department}新增指标",
                ["fields"] = fields,
            })));
        }

        return documents;
    }

    /// <summary>The declared version of the <paramref name="sequence"/>-th version in force from <paramref name="effectiveFrom"/>: 年.月.序号.</summary>
    public static string DeclaredVersion(Periods.Period effectiveFrom, int sequence) =>
        string.Create(CultureInfo.InvariantCulture, $"{effectiveFrom.Start.Year}.{effectiveFrom.Start.Month}.{sequence}");

    /// <summary>Parses the next version as every host will, so that what the loader refuses is refused here with its reasons.</summary>
    public static (CatalogBundle? Bundle, IReadOnlyList<string> Problems) Verify(IReadOnlyList<CatalogDocument> documents, string version)
    {
        try
        {
            return (CatalogLoader.Load(new CatalogDocumentSet(version, documents)), []);
        }
        catch (CatalogLoadException ex)
        {
            return (null, [.. ex.Problems.Take(50).Select(p => UserText.Excerpt(p.ToString(), 300))]);
        }
    }

    private static byte[] Serialize(JsonNode node) => Encoding.UTF8.GetBytes(node.ToJsonString(s_indented));
}
