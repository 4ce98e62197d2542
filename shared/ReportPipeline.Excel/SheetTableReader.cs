using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Excel;

/// <summary>
/// The first worksheet of an .xlsx as rows of cell texts, with the form reader's package checks (zip bombs, forged sizes)
/// and its cell rules (cached formula values, dates, percentages), so that a value reads the same from either workbook.
/// </summary>
public sealed class SheetTableReader(long maxUncompressedBytes = FormWorkbookReader.DefaultMaxUncompressedBytes) : ISheetTableReader
{
    public ValidationError? Check(ReadOnlyMemory<byte> workbook)
    {
        using var buffer = new MemoryStream(workbook.ToArray(), 0, workbook.Length, writable: false, publiclyVisible: true);
        if (new FormWorkbookReader(maxUncompressedBytes).CheckPackage(buffer) is { } problem)
        {
            return problem;
        }

        try
        {
            buffer.Position = 0;
            using var package = InMemoryPackages.Open(buffer);
            return package.Workbook.Worksheets.Count == 0
                ? new ValidationError(null, "not_xlsx", "工作簿中没有工作表。")
                : null;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return new ValidationError(null, "not_xlsx", "文件无法作为 Excel 工作簿读取（可能已损坏或设置了打开密码），请用 Excel 或 WPS 另存为 .xlsx 后重新上传。");
        }
    }

    public IEnumerable<TableRow> ReadRows(ReadOnlyMemory<byte> workbook)
    {
        using var buffer = new MemoryStream(workbook.ToArray(), writable: false);
        using var package = InMemoryPackages.Open(buffer);
        var ws = package.Workbook.Worksheets[0];
        if (ws.Dimension is not { } used)
        {
            yield break;
        }

        for (var row = used.Start.Row; row <= used.End.Row; row++)
        {
            var cells = new string?[used.End.Column];
            var any = false;
            for (var column = used.Start.Column; column <= used.End.Column; column++)
            {
                var text = FormWorkbookReader.CellText(ws, row, column, out var error);
                cells[column - 1] = error is null ? text : error;
                any |= !string.IsNullOrWhiteSpace(cells[column - 1]);
            }

            if (any)
            {
                yield return new TableRow(row, cells);
            }
        }
    }
}
