using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace ReportPipeline.Excel.Tests;

/// <summary>
/// The independent reader: the Open XML SDK reads what is stored in the file, without calculating anything, the way
/// pandas, openpyxl and previewers do.
/// </summary>
internal sealed class OpenXmlWorkbook : IDisposable
{
    private readonly MemoryStream _stream;
    private readonly SpreadsheetDocument _document;
    private readonly string[] _sharedStrings;

    public OpenXmlWorkbook(byte[] bytes)
    {
        _stream = new MemoryStream(bytes);
        _document = SpreadsheetDocument.Open(_stream, false);
        _sharedStrings = _document.WorkbookPart!.SharedStringTablePart?.SharedStringTable
            .Elements<SharedStringItem>().Select(i => i.InnerText).ToArray() ?? [];
    }

    public IReadOnlyList<Sheet> Sheets => [.. _document.WorkbookPart!.Workbook.Sheets!.Elements<Sheet>()];

    public IReadOnlyList<DefinedName> DefinedNames =>
        _document.WorkbookPart!.Workbook.DefinedNames?.Elements<DefinedName>().ToList() ?? [];

    public Worksheet Worksheet(string name)
    {
        var sheet = Sheets.Single(s => s.Name == name);
        return ((WorksheetPart)_document.WorkbookPart!.GetPartById(sheet.Id!)).Worksheet;
    }

    /// <summary>Every stored cell of a sheet by address: (stored text, formula or null, is number).</summary>
    public Dictionary<string, (string? Text, string? Formula, bool IsNumber)> Cells(string sheetName)
    {
        var result = new Dictionary<string, (string?, string?, bool)>(StringComparer.Ordinal);
        foreach (var cell in Worksheet(sheetName).Descendants<Cell>())
        {
            var raw = cell.CellValue?.Text;
            var isShared = cell.DataType?.Value == CellValues.SharedString;
            var isInline = cell.DataType?.Value == CellValues.InlineString;
            var text = isShared && raw is not null ? _sharedStrings[int.Parse(raw, CultureInfo.InvariantCulture)]
                : isInline ? cell.InlineString?.InnerText
                : raw;
            var isNumber = !isShared && !isInline && (cell.DataType?.Value is not { } type || type == CellValues.Number) && raw is not null;
            result[cell.CellReference!.Value!] = (text, cell.CellFormula?.Text, isNumber);
        }

        return result;
    }

    public decimal? Number(string sheetName, string address) =>
        Cells(sheetName).TryGetValue(address, out var c) && c.IsNumber && c.Text is not null
            ? decimal.Parse(c.Text, NumberStyles.Float, CultureInfo.InvariantCulture)
            : null;

    public IReadOnlyList<string> MergedRanges(string sheetName) =>
        [.. Worksheet(sheetName).Descendants<MergeCell>().Select(m => m.Reference!.Value!)];

    public string? CustomProperty(string name) =>
        _document.CustomFilePropertiesPart?.Properties
            .Elements<DocumentFormat.OpenXml.CustomProperties.CustomDocumentProperty>()
            .FirstOrDefault(p => p.Name == name)?.InnerText;

    public void Dispose()
    {
        _document.Dispose();
        _stream.Dispose();
    }
}
