using System.IO.Compression;
using OfficeOpenXml;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Templates;

namespace ReportPipeline.Excel;

/// <summary>
/// Reads the header block of a department's report workbook (first visible sheet). A title row merged across the whole
/// width is skipped; the header block then runs from the first non-empty row down to the lowest row any merged cell
/// starting in the block reaches (a 2-row group header over 男/女/合计 gives 2 rows), unless the caller says how many.
/// </summary>
/// <param name="maxUncompressedBytes">Above this the upload is refused before EPPlus parses it (zip bombs).</param>
public sealed class TemplateHeaderReader(long maxUncompressedBytes = 64L * 1024 * 1024) : ITemplateHeaderReader
{
    private const int MaxScanRows = 30;

    public IReadOnlyList<IReadOnlyList<string>> ReadHeaders(Stream workbook, int? headerRows, int maxColumns)
    {
        ArgumentNullException.ThrowIfNull(workbook);
        using var buffer = new MemoryStream();
        workbook.CopyTo(buffer);
        CheckPackage(buffer);
        buffer.Position = 0;

        ExcelWorksheet? sheet;
        try
        {
            var package = InMemoryPackages.Open(buffer);
            sheet = package.Workbook.Worksheets.FirstOrDefault(s => s.Hidden == eWorkSheetHidden.Visible && s.Dimension is not null);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // EPPlus reports a damaged or encrypted package with plain exceptions; for an upload that is a user error.
            throw new MalformedProposalException("文件无法作为 Excel 工作簿打开（可能已损坏或设置了打开密码），请用 Excel 或 WPS 另存为 .xlsx 后重新上传。", ex);
        }

        if (sheet is null)
        {
            throw new MalformedProposalException("工作簿中没有内容：请在第一张工作表上写出报表的表头。");
        }

        var lastColumn = sheet.Dimension.End.Column;
        if (lastColumn > maxColumns)
        {
            throw new MalformedProposalException($"表头有 {lastColumn} 列，超过上限 {maxColumns} 列：请分成几张报表检查。");
        }

        var merges = sheet.MergedCells.Select(address => new ExcelAddress(address)).ToList();
        var first = FirstHeaderRow(sheet, merges, lastColumn);
        if (first is null)
        {
            throw new MalformedProposalException("工作表前 30 行中找不到表头。");
        }

        var last = headerRows is { } rows ? first.Value + rows - 1 : LastHeaderRow(first.Value, merges);
        var columns = new List<IReadOnlyList<string>>();
        for (var column = 1; column <= lastColumn; column++)
        {
            var texts = new List<string>();
            for (var row = first.Value; row <= last; row++)
            {
                var text = TextAt(sheet, merges, row, column);
                if (text.Length > 0 && (texts.Count == 0 || texts[^1] != text))
                {
                    texts.Add(text.Length <= ProposalLimits.MaxHeaderLength ? text : text[..ProposalLimits.MaxHeaderLength]);
                }
            }

            if (texts.Count > 0)
            {
                columns.Add(texts);
            }
        }

        return columns;
    }

    private static int? FirstHeaderRow(ExcelWorksheet sheet, List<ExcelAddress> merges, int lastColumn)
    {
        var end = Math.Min(sheet.Dimension.End.Row, MaxScanRows);
        for (var row = sheet.Dimension.Start.Row; row <= end; row++)
        {
            var filled = Enumerable.Range(1, lastColumn).Count(c => TextAt(sheet, merges, row, c).Length > 0);
            if (filled == 0)
            {
                continue;
            }

            // A title (报表名称) merged across the whole width is not a header row.
            var isTitle = lastColumn > 1 && merges.Any(m => m.Start.Row == row && m.End.Row == row && m.Start.Column == 1 && m.End.Column >= lastColumn);
            if (!isTitle)
            {
                return row;
            }
        }

        return null;
    }

    private static int LastHeaderRow(int first, List<ExcelAddress> merges)
    {
        var last = first;
        bool grew;
        do
        {
            grew = false;
            foreach (var merge in merges)
            {
                if (merge.Start.Row >= first && merge.Start.Row <= last && merge.End.Row > last && merge.End.Row - first < ProposalLimits.MaxHeaderRows)
                {
                    last = merge.End.Row;
                    grew = true;
                }
            }

            // A group header merged across columns has its sub-headers on the next row.
            foreach (var merge in merges)
            {
                if (merge.Start.Row == last && merge.End.Row == last && merge.End.Column > merge.Start.Column && last + 1 - first < ProposalLimits.MaxHeaderRows)
                {
                    last++;
                    grew = true;
                    break;
                }
            }
        }
        while (grew);

        return last;
    }

    private static string TextAt(ExcelWorksheet sheet, List<ExcelAddress> merges, int row, int column)
    {
        foreach (var merge in merges)
        {
            if (row >= merge.Start.Row && row <= merge.End.Row && column >= merge.Start.Column && column <= merge.End.Column)
            {
                row = merge.Start.Row;
                column = merge.Start.Column;
                break;
            }
        }

        return (sheet.Cells[row, column].Text ?? "").Trim();
    }

    private void CheckPackage(MemoryStream buffer)
    {
        var bytes = buffer.GetBuffer();
        if (buffer.Length < 4 || bytes[0] != 'P' || bytes[1] != 'K')
        {
            throw new MalformedProposalException("上传的文件不是 .xlsx 工作簿（旧版 .xls 请用 Excel 或 WPS 另存为 .xlsx）。");
        }

        try
        {
            buffer.Position = 0;
            using var zip = new ZipArchive(buffer, ZipArchiveMode.Read, leaveOpen: true);
            long total = 0;
            foreach (var entry in zip.Entries)
            {
                total += entry.Length;
                if (total > maxUncompressedBytes)
                {
                    throw new MalformedProposalException("工作簿解压后过大，不像是一张报表的表头，请检查文件。");
                }
            }
        }
        catch (InvalidDataException ex)
        {
            throw new MalformedProposalException("上传的文件已损坏，无法作为 .xlsx 工作簿打开。", ex);
        }
    }
}
