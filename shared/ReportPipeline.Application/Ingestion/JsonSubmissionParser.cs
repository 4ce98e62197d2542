using System.Globalization;
using System.Text.Json;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Application.Ingestion;

/// <summary>Reads <c>{"values": {"fieldId": value, …}}</c>. Numbers keep their literal text so that precision checks see what was sent.</summary>
public static class JsonSubmissionParser
{
    public static ParsedUpload Parse(ReadOnlyMemory<byte> body)
    {
        // Notepad and PowerShell 5 save UTF-8 with a byte order mark, which the JSON reader does not skip.
        if (body.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            body = body[3..];
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException ex)
        {
            throw new MalformedUploadException($"请求体不是有效的 JSON（第 {ex.LineNumber + 1} 行附近）：{ex.Message}", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.EnumerateObject().Count(p => p.NameEquals("values")) > 1)
            {
                // The reader keeps the last of two equal keys silently; which one the sender meant is unknowable.
                throw new MalformedUploadException("请求体中出现了两个 \"values\"，请只提供一个 {\"values\": {…}} 对象。");
            }

            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("values", out var values)
                || values.ValueKind != JsonValueKind.Object)
            {
                throw new MalformedUploadException("请求体应为 {\"values\": {\"指标编号\": 数值, …}} 形式的 JSON 对象。");
            }

            var raw = new List<RawValue>();
            var errors = new List<ValidationError>();
            foreach (var property in values.EnumerateObject())
            {
                var path = $"values.{property.Name}";
                switch (property.Value.ValueKind)
                {
                    case JsonValueKind.Null:
                        raw.Add(new RawValue(property.Name, null, path));
                        break;
                    case JsonValueKind.String:
                        raw.Add(new RawValue(property.Name, property.Value.GetString(), path));
                        break;
                    case JsonValueKind.Number:
                        raw.Add(new RawValue(property.Name, property.Value.GetRawText(), path));
                        break;
                    case JsonValueKind.True or JsonValueKind.False:
                        raw.Add(new RawValue(property.Name, property.Value.GetBoolean().ToString(CultureInfo.InvariantCulture).ToLowerInvariant(), path));
                        break;
                    default:
                        errors.Add(new ValidationError(property.Name, "not_a_scalar", $"指标“{property.Name}”的值应为数字、文字或布尔值，不能是对象或数组。", path));
                        break;
                }
            }

            return new ParsedUpload(raw, errors);
        }
    }
}
