using System.Globalization;
using System.Text.Json;
using ReportPipeline.Application.Http;
using ReportPipeline.Domain.Quality;
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
            // The reader's own message is English and may quote the body; the line is what the sender needs.
            throw new MalformedUploadException($"请求体不是有效的 JSON（第 {(ex.LineNumber ?? 0) + 1} 行附近有语法错误）。", ex);
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
            var index = 0;
            foreach (var property in values.EnumerateObject())
            {
                index++;
                if (!JsonText.TryRead(() => property.Name, out var rawName))
                {
                    // A name that is not text (a lone surrogate such as "\ud800", or bytes that are not UTF-8) cannot
                    // be quoted, looked up or stored: the body is malformed, and its position is all we can name.
                    throw new MalformedUploadException($"请求体 values 中第 {index} 个指标编号含有无效字符（不成对的 \\uD800–\\uDFFF 转义或非 UTF-8 字节），请检查文件编码后重新上传。");
                }

                var name = UploadText.Name(rawName);
                var path = $"values.{name}";
                switch (property.Value.ValueKind)
                {
                    case JsonValueKind.Null:
                        raw.Add(new RawValue(name, null, path));
                        break;
                    case JsonValueKind.String when JsonText.TryRead(property.Value.GetString, out var text):
                        raw.Add(new RawValue(name, text, path));
                        break;
                    case JsonValueKind.String:
                        errors.Add(new ValidationError(name, "invalid_text",
                            $"指标“{UserText.Excerpt(name)}”的值含有无效字符（不成对的 \\uD800–\\uDFFF 转义或非 UTF-8 字节），请检查文件编码后重新填写。", path));
                        break;
                    case JsonValueKind.Number:
                        raw.Add(new RawValue(name, property.Value.GetRawText(), path));
                        break;
                    case JsonValueKind.True or JsonValueKind.False:
                        raw.Add(new RawValue(name, property.Value.GetBoolean().ToString(CultureInfo.InvariantCulture).ToLowerInvariant(), path));
                        break;
                    default:
                        errors.Add(new ValidationError(name, "not_a_scalar", $"指标“{UserText.Excerpt(name)}”的值应为数字、文字或布尔值，不能是对象或数组。", path));
                        break;
                }
            }

            return new ParsedUpload(raw, errors)
            {
                Explanations = Explanations(document.RootElement, errors),
            };
        }
    }

    /// <summary>
    /// The optional <c>"explanations": {"fieldId": "…"}</c>: the clerk's confirmations of warned values, each text of at
    /// most <see cref="QualityExplanations.MaxLength"/> characters (a longer one is an error naming the field, never stored cut).
    /// </summary>
    private static IReadOnlyDictionary<string, string> Explanations(JsonElement root, List<ValidationError> errors)
    {
        var explanations = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!root.TryGetProperty("explanations", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return explanations;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new ValidationError(null, QualityExplanations.NotText, "explanations 应为 {\"指标编号\": \"说明\", …} 形式的对象。", "explanations"));
            return explanations;
        }

        foreach (var property in element.EnumerateObject())
        {
            if (!JsonText.TryRead(() => property.Name, out var rawName))
            {
                throw new MalformedUploadException("请求体 explanations 中的指标编号含有无效字符（不成对的 \\uD800–\\uDFFF 转义或非 UTF-8 字节），请检查文件编码后重新上传。");
            }

            var name = UploadText.Name(rawName);
            var path = $"explanations.{name}";
            if (property.Value.ValueKind != JsonValueKind.String || !JsonText.TryRead(property.Value.GetString, out var text) || text is null)
            {
                errors.Add(new ValidationError(name, QualityExplanations.NotText, $"指标“{UserText.Excerpt(name)}”的说明应为一段文字。", path));
                continue;
            }

            text = text.Trim();
            if (text.Length > QualityExplanations.MaxLength)
            {
                errors.Add(new ValidationError(name, QualityExplanations.TooLong,
                    $"指标“{UserText.Excerpt(name)}”的说明最多 {QualityExplanations.MaxLength} 个字，收到 {text.Length} 个字：“{UserText.Excerpt(text)}”。", path));
                continue;
            }

            if (text.Length > 0)
            {
                explanations[name] = text;
            }
        }

        return explanations;
    }
}
