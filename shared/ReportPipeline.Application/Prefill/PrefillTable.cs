using System.Globalization;
using ReportPipeline.Application.Ingestion;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Application.Prefill;

/// <summary>One village's row of a pre-fill file: its code as written, where, and its values with their cells.</summary>
public sealed record PrefillRow(int Line, string? OrgCode, string OrgCell, IReadOnlyList<RawValue> Values);

/// <summary>
/// The layout of a department's pre-fill file, read from its header row: which column holds the 行政区划代码, which field
/// each other column is (by id, Chinese name or alias, as a village's CSV header is resolved), and that every one of them
/// is a field the department owns. <see cref="Rows"/> reads the file again each time it is enumerated, a row at a time.
/// </summary>
public sealed class PrefillTable
{
    private readonly Func<IEnumerable<TableRow>> _rows;
    private readonly int _orgColumn;
    private readonly IReadOnlyList<(int Column, string FieldId)> _columns;

    private PrefillTable(Func<IEnumerable<TableRow>> rows, int orgColumn, IReadOnlyList<(int Column, string FieldId)> columns)
    {
        _rows = rows;
        _orgColumn = orgColumn;
        _columns = columns;
    }

    /// <summary>The fields the file pushes, in column order.</summary>
    public IReadOnlyList<string> FieldIds => [.. _columns.Select(c => c.FieldId)];

    /// <summary>The table, or null with every problem of the file as a whole (format, header, columns).</summary>
    public static PrefillTable? Open(PrefillInput input, ISheetTableReader sheets, FieldCatalog catalog, Department department, out IReadOnlyList<ValidationError> errors)
    {
        Func<IEnumerable<TableRow>> rows;
        switch (input.Format)
        {
            case UploadFormat.Csv:
                var text = CsvSubmissionParser.Decode(input.Content.Span);
                // One pass over the text to find a quote that never closes, before any row is trusted.
                var scan = new CsvRowReader(text);
                _ = scan.Rows().Count();
                if (scan.UnterminatedLine is { } line)
                {
                    errors = [new ValidationError(null, "csv_unterminated_quote", $"第{line}行有一个双引号（\"）没有配对的结束引号，之后的内容都会被当作同一个值。请检查该行的引号后重新上传。", $"第{line}行")];
                    return null;
                }

                rows = () => new CsvRowReader(text).Rows()
                    .Where(r => !r.Cells.All(string.IsNullOrWhiteSpace))
                    .Select(r => new TableRow(r.Line, [.. r.Cells]));
                break;
            case UploadFormat.Workbook:
                if (sheets.Check(input.Content) is { } unreadable)
                {
                    errors = [unreadable];
                    return null;
                }

                rows = () => sheets.ReadRows(input.Content);
                break;
            default:
                errors = [new ValidationError(null, "unsupported_format", "带数下发请上传 CSV（UTF-8 或 GB18030 编码）或 .xlsx 文件：第一行为表头（行政区划代码和各指标），以下每行一个村（社区）。")];
                return null;
        }

        var header = rows().FirstOrDefault();
        var problems = new List<ValidationError>();
        if (header is null)
        {
            errors = [new ValidationError(null, "empty_file", "文件是空的：第一行应为表头（行政区划代码和各指标），以下每行一个村（社区）。", "第1行")];
            return null;
        }

        var resolver = new CsvSubmissionParser(catalog);
        var orgColumn = -1;
        var columns = new List<(int Column, string FieldId)>();
        var firstColumn = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var c = 0; c < header.Cells.Count; c++)
        {
            var name = header.Cells[c]?.Trim() ?? "";
            var cell = Cell(header.Line, c);
            if (name.Length == 0 || PrefillService.IgnoredHeaders.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            if (PrefillService.OrgHeaders.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                if (orgColumn >= 0)
                {
                    problems.Add(new ValidationError(null, "duplicate_org_column", $"表头第{orgColumn + 1}列和第{c + 1}列都是行政区划代码，只能有一列。", cell));
                }

                orgColumn = orgColumn < 0 ? c : orgColumn;
                continue;
            }

            var fieldId = resolver.ResolveHeader(name);
            if (fieldId is null)
            {
                problems.Add(new ValidationError(UploadText.Name(name), "unknown_field", $"表头第{c + 1}列“{UserText.Excerpt(name)}”不是一表通中的指标编号、名称或别名。", cell));
                continue;
            }

            var field = catalog[fieldId];
            if (!field.Departments.Contains(department.Code, StringComparer.Ordinal))
            {
                var owners = field.Departments.Count == 0 ? "没有指定归属部门" : $"归属{catalog.Departments.NamesOf(field.Departments)}";
                problems.Add(new ValidationError(fieldId, "not_owned",
                    $"表头第{c + 1}列“{field.Name}”{owners}，不是{department.Name}的指标，{department.Name}不能下发。", cell));
                continue;
            }

            if (!firstColumn.TryAdd(fieldId, c))
            {
                problems.Add(new ValidationError(fieldId, "duplicate_field", $"表头第{c + 1}列“{field.Name}”与第{firstColumn[fieldId] + 1}列是同一个指标，只能有一列。", cell));
                continue;
            }

            columns.Add((c, fieldId));
        }

        if (orgColumn < 0)
        {
            problems.Add(new ValidationError(null, "missing_org_column", $"表头中没有“行政区划代码”列：每行用12位行政区划代码指明下发给哪个村（社区）。", $"第{header.Line}行"));
        }

        if (columns.Count == 0 && problems.Count == 0)
        {
            problems.Add(new ValidationError(null, "no_fields", "表头中没有任何指标列。", $"第{header.Line}行"));
        }

        errors = problems;
        return problems.Count > 0 ? null : new PrefillTable(rows, orgColumn, columns);
    }

    /// <summary>The rows below the header, read afresh.</summary>
    public IEnumerable<PrefillRow> Rows()
    {
        var first = true;
        foreach (var row in _rows())
        {
            if (first)
            {
                first = false;
                continue;
            }

            var code = _orgColumn < row.Cells.Count ? ValueNormaliser.Clean(row.Cells[_orgColumn]) : null;
            var values = new List<RawValue>(_columns.Count);
            foreach (var (column, fieldId) in _columns)
            {
                values.Add(new RawValue(fieldId, column < row.Cells.Count ? row.Cells[column] : null, Cell(row.Line, column)));
            }

            yield return new PrefillRow(row.Line, code, Cell(row.Line, _orgColumn), values);
        }
    }

    private static string Cell(int line, int column) => string.Create(CultureInfo.InvariantCulture, $"第{line}行第{column + 1}列");
}
