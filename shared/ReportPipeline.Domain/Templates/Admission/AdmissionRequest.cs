using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Domain.Templates.Admission;

/// <summary>
/// A department's proposal as sent: the template in the catalog's JSON shape, the new fields it needs (catalog field
/// JSON: id, name, unit, type, min/max, frequency, departments…), the period it should start and the reason.
/// <see cref="Check"/> is what the design check classifies: a column whose field is one of the proposed new fields is
/// judged by its headers, as a department's own column.
/// </summary>
public sealed record AdmissionRequest(
    string TemplateId,
    string Title,
    PeriodKind PeriodKind,
    JsonObject Template,
    IReadOnlyList<JsonObject> Fields,
    Period EffectiveFrom,
    string Reason,
    TemplateProposal Check)
{
    /// <summary>New fields one proposal may bring (a report with more new items than this is not one report).</summary>
    public const int MaxNewFields = 200;

    /// <summary>Nesting the catalog's JSON never needs more of; deeper input is refused before anything is built.</summary>
    public const int MaxDepth = 16;

    public const int MaxReasonLength = 2000;

    private static readonly JsonDocumentOptions s_options = new() { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <exception cref="MalformedProposalException">With a Chinese message naming what is wrong.</exception>
    public static AdmissionRequest Parse(ReadOnlySpan<byte> json)
    {
        JsonNode? root;
        try
        {
            using var document = JsonDocument.Parse(json.ToArray(), s_options);
            CheckText(document.RootElement, "$");
            root = JsonNode.Parse(document.RootElement.GetRawText(), documentOptions: s_options);
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line ? string.Create(CultureInfo.InvariantCulture, $"（第 {line + 1} 行附近）") : "";
            throw new MalformedProposalException($"报表申请不是有效的 JSON{where}，或嵌套超过 {MaxDepth} 层：请提交 {{\"template\": 报表模板, \"fields\": [新增指标], \"effectiveFrom\": \"2027-01\", \"reason\": 理由}}。", ex);
        }

        if (root is not JsonObject body)
        {
            throw new MalformedProposalException("报表申请应为 JSON 对象：{\"template\": 报表模板, \"fields\": [新增指标], \"effectiveFrom\": \"2027-01\", \"reason\": 理由}。");
        }

        if (body["template"] is not JsonObject template)
        {
            throw new MalformedProposalException("缺少报表模板 template（一表通报表模板 JSON：id、title、department、periodKind、audienceLevels、columns）。");
        }

        var id = Text(template, "id");
        if (id is null || !IdShape(id))
        {
            throw new MalformedProposalException($"报表编号 template.id“{UserText.Excerpt(id ?? "")}”不合规：应为小写字母开头的英文、数字和下划线，最长 64 个字符。");
        }

        var fields = new List<JsonObject>();
        if (body["fields"] is { } fieldsNode)
        {
            if (fieldsNode is not JsonArray array)
            {
                throw new MalformedProposalException("新增指标 fields 应为数组。");
            }

            if (array.Count > MaxNewFields)
            {
                throw new MalformedProposalException(string.Create(CultureInfo.InvariantCulture, $"新增指标有 {array.Count} 项，超过上限 {MaxNewFields} 项。"));
            }

            foreach (var node in array)
            {
                fields.Add(node as JsonObject ?? throw new MalformedProposalException("新增指标 fields 的每一项应为指标对象（id、name、unit、type、frequency…）。"));
            }
        }

        var effectiveText = Text(body, "effectiveFrom") ?? "";
        if (!Period.TryParse(effectiveText, out var effectiveFrom) || !effectiveFrom.IsSupported)
        {
            throw new MalformedProposalException($"生效期 effectiveFrom“{UserText.Excerpt(effectiveText)}”不是报告期：应为 2027-01（月）、2027-Q1（季度）或 2027（年）。");
        }

        var reason = Text(body, "reason")?.Trim() ?? "";
        if (reason.Length == 0)
        {
            throw new MalformedProposalException("请写明申请理由 reason（为什么需要这张报表，不能从一表中取得的是哪些数据）。");
        }

        if (reason.Length > MaxReasonLength)
        {
            throw new MalformedProposalException(string.Create(CultureInfo.InvariantCulture, $"申请理由超过 {MaxReasonLength} 个字符，请精简。"));
        }

        // The design check reads the same template JSON; the proposed fields' columns are judged by their headers.
        var check = TemplateProposalJson.Parse(Encoding.UTF8.GetBytes(template.ToJsonString()));
        var proposed = fields.Select(f => Text(f, "id")).OfType<string>().ToHashSet(StringComparer.Ordinal);
        check = check with
        {
            Columns = [.. check.Columns.Select(c => c.FieldId is { } f && proposed.Contains(f) ? c with { FieldId = null } : c)],
        };

        return new AdmissionRequest(id, Text(template, "title") ?? id, check.PeriodKind, template, fields, effectiveFrom, reason, check);
    }

    /// <summary>The field ids the proposal brings.</summary>
    public IReadOnlyList<string> NewFieldIds => [.. Fields.Select(f => Text(f, "id") ?? "")];

    internal static string? Text(JsonObject node, string name) =>
        node.TryGetPropertyValue(name, out var value) && value is JsonValue v && v.TryGetValue<string>(out var text) ? text : null;

    internal static bool IdShape(string id) =>
        id.Length is > 0 and <= 64 && id[0] is >= 'a' and <= 'z' && id.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_');

    /// <summary>Every string (names and values) must be valid text: a lone surrogate cannot be stored in a workbook or shown.</summary>
    private static void CheckText(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    CheckString(property.Name, path);
                    CheckText(property.Value, path + "." + property.Name);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    CheckText(item, path);
                }

                break;
            case JsonValueKind.String:
                string text;
                try
                {
                    text = element.GetString()!;
                }
                catch (InvalidOperationException ex)
                {
                    throw new MalformedProposalException($"{UserText.Excerpt(path, 80)} 含有无效的字符（如孤立的代理项 \\ud800），请改正后重新提交。", ex);
                }

                CheckString(text, path);
                break;
        }
    }

    private static void CheckString(string text, string path)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]) || (char.IsControl(text[i]) && text[i] is not ('\t' or '\n' or '\r')))
            {
                throw new MalformedProposalException($"{UserText.Excerpt(path, 80)} 含有无效的字符（孤立的代理项或控制字符），请改正后重新提交。");
            }
        }
    }
}
