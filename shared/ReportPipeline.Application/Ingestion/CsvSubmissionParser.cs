using System.Runtime.CompilerServices;
using System.Text;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Application.Ingestion;

/// <summary>
/// Reads CSV as Chinese Excel and WPS save it: UTF-8 with or without BOM, or GB18030 (the "CSV (逗号分隔)" default on
/// Chinese Windows); comma or tab separated; RFC 4180 quoting. Two layouts are accepted:
/// wide (a header row of field ids or Chinese names, then one row of values) and
/// long (rows of 编号/指标 and 数值, as copied from the form workbook).
/// Every value's cell is reported as <c>第R行第C列</c> so that errors point at the line.
/// </summary>
public sealed class CsvSubmissionParser(FieldCatalog catalog)
{
    private static readonly string[] KeyHeaders = ["编号", "指标编号", "字段", "field", "fieldid", "id", "指标", "指标名称", "项目"];
    private static readonly string[] ValueHeaders = ["本期数值", "数值", "值", "本期", "value"];

    static CsvSubmissionParser() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public ParsedUpload Parse(ReadOnlyMemory<byte> body)
    {
        var text = Decode(body.Span);
        var split = SplitRows(text, out var unterminatedLine);
        if (unterminatedLine is { } openedAt)
        {
            // An open quote would swallow every following line into one value; the file cannot be trusted from there on.
            return new ParsedUpload([], [new ValidationError(null, "csv_unterminated_quote",
                $"第{openedAt}行有一个双引号（\"）没有配对的结束引号，之后的内容都会被当作同一个值。请检查该行的引号后重新上传。", $"第{openedAt}行")]);
        }

        // Blank lines are dropped, but every row keeps the line it had in the file, so cells point where the clerk looks.
        var rows = split.Select((cells, index) => new CsvRow(index + 1, cells)).Where(r => !r.Cells.All(string.IsNullOrWhiteSpace)).ToList();
        if (rows.Count < 2)
        {
            return new ParsedUpload([], [new ValidationError(null, "csv_empty", "CSV 文件至少需要一行表头和一行数据。", "第1行")]);
        }

        var header = rows[0].Cells.Select(h => h.Trim()).ToList();
        var keyColumn = header.FindIndex(h => KeyHeaders.Contains(h, StringComparer.OrdinalIgnoreCase));
        var valueColumn = header.FindIndex(h => ValueHeaders.Contains(h, StringComparer.OrdinalIgnoreCase));
        return keyColumn >= 0 && valueColumn >= 0 && keyColumn != valueColumn
            ? ParseLong(rows, keyColumn, valueColumn)
            : ParseWide(rows);
    }

    private sealed record CsvRow(int Line, List<string> Cells);

    private ParsedUpload ParseLong(List<CsvRow> rows, int keyColumn, int valueColumn)
    {
        var values = new List<RawValue>();
        var errors = new List<ValidationError>();
        foreach (var (line, row) in rows.Skip(1))
        {
            var key = keyColumn < row.Count ? row[keyColumn].Trim() : "";
            if (key.Length == 0)
            {
                continue;
            }

            var cell = $"第{line}行第{valueColumn + 1}列";
            var fieldId = Resolve(key);
            if (fieldId is null)
            {
                errors.Add(new ValidationError(UploadText.Name(key), "unknown_field", $"第{line}行的指标“{UserText.Excerpt(key)}”不在一表通指标目录中。", $"第{line}行第{keyColumn + 1}列"));
                continue;
            }

            values.Add(new RawValue(fieldId, valueColumn < row.Count ? row[valueColumn] : null, cell));
        }

        return new ParsedUpload(values, errors);
    }

    private ParsedUpload ParseWide(List<CsvRow> rows)
    {
        var (headerLine, header) = rows[0];
        var values = new List<RawValue>();
        var errors = new List<ValidationError>();
        if (rows.Count > 2)
        {
            errors.Add(new ValidationError(null, "csv_too_many_rows", $"一个 CSV 文件只能填报一个单位：表头下应只有一行数据，实际有 {rows.Count - 1} 行。", $"第{rows[2].Line}行"));
        }

        var (dataLine, data) = rows[1];
        for (var c = 0; c < header.Count; c++)
        {
            var name = header[c].Trim();
            if (name.Length == 0)
            {
                continue;
            }

            var fieldId = Resolve(name);
            if (fieldId is null)
            {
                errors.Add(new ValidationError(UploadText.Name(name), "unknown_field", $"表头第{c + 1}列“{UserText.Excerpt(name)}”不是一表通中的指标编号或名称。", $"第{headerLine}行第{c + 1}列"));
                continue;
            }

            values.Add(new RawValue(fieldId, c < data.Count ? data[c] : null, $"第{dataLine}行第{c + 1}列"));
        }

        return new ParsedUpload(values, errors);
    }

    /// <summary>A header may be the field id, its Chinese name (with or without its unit), or a name departments use for it.</summary>
    private string? Resolve(string key)
    {
        if (catalog.Find(key) is { } byId)
        {
            return byId.Id;
        }

        var stripped = key.Replace(" ", "", StringComparison.Ordinal).Replace("　", "", StringComparison.Ordinal);
        return HeaderIndex.GetValue(catalog, Build).TryGetValue(stripped, out var id) ? id : null;
    }

    // Built once per catalog: a wide CSV of 1,000 Chinese headers would otherwise scan 1,000 fields per header.
    private static readonly ConditionalWeakTable<FieldCatalog, Dictionary<string, string>> HeaderIndex = new();

    private static Dictionary<string, string> Build(FieldCatalog catalog)
    {
        var index = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var field in catalog.Fields)
        {
            // Earlier fields win a shared alias, as the scan in catalog order did.
            index.TryAdd(field.Id, field.Id);
            index.TryAdd(field.Name, field.Id);
            if (field.Unit is { } unit)
            {
                index.TryAdd($"{field.Name}（{unit}）", field.Id);
                index.TryAdd($"{field.Name}({unit})", field.Id);
            }

            foreach (var alias in field.Aliases)
            {
                index.TryAdd(alias, field.Id);
            }
        }

        return index;
    }

    internal static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return Encoding.UTF8.GetString(bytes[3..]);
        }

        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return Encoding.Unicode.GetString(bytes[2..]);
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            // Chinese Windows Excel saves "CSV (逗号分隔)" in the ANSI code page, which is GBK; GB18030 is its superset.
            return Encoding.GetEncoding("GB18030").GetString(bytes);
        }
    }

    internal static List<List<string>> SplitRows(string text) => SplitRows(text, out _);

    /// <param name="unterminatedLine">The line whose opening quote is never closed, or null.</param>
    internal static List<List<string>> SplitRows(string text, out int? unterminatedLine)
    {
        var reader = new CsvRowReader(text);
        var rows = reader.Rows().Select(r => r.Cells).ToList();
        unterminatedLine = reader.UnterminatedLine;
        return rows;
    }

    /// <summary>A header may be the field id, its Chinese name (with or without its unit), or a name departments use for it.</summary>
    public string? ResolveHeader(string key) => Resolve(key);
}

/// <summary>
/// RFC 4180 rows of a CSV text, one at a time, so that a file of ten thousand rows is never held as rows: comma or tab
/// separated (whichever the first line has more of), quotes doubled inside quoted values, CR, LF or CRLF line ends.
/// <see cref="UnterminatedLine"/> is set once the rows are read when a quote opened and never closed.
/// </summary>
internal sealed class CsvRowReader(string text)
{
    public int? UnterminatedLine { get; private set; }

    /// <summary>Every row with its number (1-based, counting rows rather than physical lines), blank ones included.</summary>
    public IEnumerable<(int Line, List<string> Cells)> Rows()
    {
        UnterminatedLine = null;
        var quoteOpenedOnLine = 0;
        var firstLineEnd = text.IndexOfAny(['\r', '\n']);
        var firstLine = firstLineEnd < 0 ? text : text[..firstLineEnd];
        var separator = firstLine.Count(ch => ch == '\t') > firstLine.Count(ch => ch == ',') ? '\t' : ',';

        var line = 0;
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            if (quoted)
            {
                if (ch == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (ch == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(ch);
                }
            }
            else if (ch == '"' && field.Length == 0)
            {
                quoted = true;
                quoteOpenedOnLine = line + 1;
            }
            else if (ch == separator)
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (ch is '\r' or '\n')
            {
                if (ch == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
                {
                    i++;
                }

                row.Add(field.ToString());
                field.Clear();
                yield return (++line, row);
                row = [];
            }
            else
            {
                field.Append(ch);
            }
        }

        if (quoted)
        {
            UnterminatedLine = quoteOpenedOnLine;
        }

        if (field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            yield return (++line, row);
        }
    }
}
