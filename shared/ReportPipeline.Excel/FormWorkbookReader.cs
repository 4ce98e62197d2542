using System.Globalization;
using System.IO.Compression;
using System.Text.RegularExpressions;
using OfficeOpenXml;
using ReportPipeline.Domain.Forms;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Excel;

/// <summary>
/// Reads an uploaded form by its 编号 (field id) column, so inserted or reordered rows do not matter. Formula cells give
/// their cached values; a value cell merged with its neighbours is read from the merge's top-left cell. A workbook that
/// is not our form is still read, best effort, when one of its sheets has a header row with 编号 and a value column
/// (本期数值, 数值, 填报值 or 值); such a read carries no org, period or version, so <see cref="FormReadResult.IsOurForm"/> is false.
/// </summary>
/// <param name="maxUncompressedBytes">Above this, the upload is refused before it is parsed (zip bombs).</param>
public sealed partial class FormWorkbookReader(long maxUncompressedBytes = FormWorkbookReader.DefaultMaxUncompressedBytes) : IFormWorkbookReader
{
    private const int HeaderSearchRows = 40;
    private const int HeaderSearchColumns = 30;
    private static readonly string[] ValueHeaders = ["本期数值", "本期数", "填报值", "数值", "值"];

    /// <summary>The default for <c>maxUncompressedBytes</c>: our form inflates to well under 1 MB.</summary>
    public const long DefaultMaxUncompressedBytes = 16L * 1024 * 1024;

    /// <summary>Longer text in the 编号 column is not an id; it is handed on as an excerpt so that no message echoes it whole.</summary>
    private const int MaxIdLength = 64;

    public FormReadResult Read(Stream workbook)
    {
        ArgumentNullException.ThrowIfNull(workbook);
        using var buffer = new MemoryStream();
        workbook.CopyTo(buffer);
        buffer.Position = 0;

        if (CheckPackage(buffer) is { } packageError)
        {
            return Fail(packageError);
        }

        buffer.Position = 0;
        try
        {
            var package = InMemoryPackages.Open(buffer);
            _ = package.Workbook.Worksheets.Count;
            return ReadPackage(package);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // EPPlus reports a damaged, encrypted or out-of-spec package with plain exceptions, some only when a part is
            // first touched: a cell beyond XFD1048576 ("Row out of range"), a DOCTYPE in docProps/custom.xml (XmlException).
            // For an upload every one of them is a user error, answered 400 and the file kept with its reason.
            return Fail(new ValidationError(null, "not_xlsx", ex is System.Xml.XmlException
                ? "工作簿中的 XML 内容不符合 .xlsx 规范（例如含有 DOCTYPE 声明），无法读取。请用 Excel 或 WPS 另存为 .xlsx 后重新上传。"
                : "文件无法作为 Excel 工作簿读取（可能已损坏、设置了打开密码，或含有超出 Excel 范围的单元格），请用 Excel 或 WPS 另存为 .xlsx 后重新上传。"));
        }
    }

    /// <summary>
    /// The inflated size the package's central directory declares (the sum of its entries' uncompressed sizes), or null
    /// when the bytes are not a zip. Cheap: only the directory is read. <see cref="Read"/> refuses a package whose entries
    /// inflate to more than they declare, so after a successful read this figure is the truth.
    /// </summary>
    public static long? DeclaredUncompressedSize(ReadOnlyMemory<byte> package)
    {
        if (package.Length < 4 || package.Span[0] != 'P' || package.Span[1] != 'K')
        {
            return null;
        }

        try
        {
            using var stream = new MemoryStream(package.ToArray(), writable: false);
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read);
            return zip.Entries.Sum(e => e.Length);
        }
        catch (InvalidDataException)
        {
            return null;
        }
    }

    private FormReadResult ReadPackage(ExcelPackage package)
    {
        var metaSheet = package.Workbook.Worksheets[FormMetadata.MetaSheet];
        var meta = metaSheet is null ? null : ReadMeta(metaSheet);
        var properties = package.Workbook.Properties;
        string? Property(string key) => properties.GetCustomPropertyValue(key) as string;

        var org = meta?.Get(FormMetaKeys.OrgCode) ?? Property(FormMetaKeys.OrgCode);
        var period = meta?.Get(FormMetaKeys.Period) ?? Property(FormMetaKeys.Period);
        var version = meta?.Get(FormMetaKeys.CatalogVersion) ?? Property(FormMetaKeys.CatalogVersion);
        var kind = meta?.Get(FormMetaKeys.FormKind) ?? Property(FormMetaKeys.FormKind);
        var valuesVersion = meta?.Get(FormMetaKeys.ValuesVersion) ?? Property(FormMetaKeys.ValuesVersion);
        var isOurs = kind == FormMetadata.FormKind;

        var located = Locate(package);
        if (located is null)
        {
            return Fail(new ValidationError(null, "not_our_form",
                "这不是一表通填报表：找不到带“编号”和“本期数值”列的工作表。请下载本单位的填报表，在其中填写后上传。"));
        }

        var (ws, headerRow, idColumn, valueColumn) = located.Value;
        if (ws.Dimension is { } used && (used.End.Row > ExcelPackage.MaxRows || used.End.Column > ExcelPackage.MaxColumns))
        {
            // Excel and WPS never write such a cell; EPPlus loads it and then throws on addressing it.
            return Fail(new ValidationError(null, "not_xlsx",
                $"工作表“{UserText.Excerpt(ws.Name)}”中有超出 Excel 范围（XFD1048576）的单元格，文件不是由 Excel 或 WPS 保存的。请用 Excel 或 WPS 另存为 .xlsx 后重新上传。"));
        }

        var errors = new List<ValidationError>();
        if (isOurs && (org is null || period is null || version is null))
        {
            errors.Add(new ValidationError(null, "missing_metadata",
                "填报表中缺少单位、统计期或指标版本信息（隐藏的 _meta 工作表被改动），请重新下载填报表后填写上传。"));
        }

        var values = new List<RawValue>();
        var unchanged = new List<RawValue>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        var lastRow = ws.Dimension?.End.Row ?? headerRow;
        for (var row = headerRow + 1; row <= lastRow; row++)
        {
            var id = CellText(ws, row, idColumn, out _)?.Trim();
            if (id is null || !FieldIdPattern().IsMatch(id))
            {
                continue;
            }

            if (id.Length > MaxIdLength)
            {
                id = UserText.Excerpt(id);
            }

            if (meta?.Derived.Contains(id) == true)
            {
                continue;
            }

            var address = ExcelCellBase.GetAddress(row, valueColumn);
            var text = CellText(ws, row, valueColumn, out var cellError);
            if (cellError is not null)
            {
                errors.Add(new ValidationError(id, "formula_error", $"单元格 {address} 的公式结果是错误值 {cellError}，请改为直接填写数值。", address));
                continue;
            }

            if (string.IsNullOrWhiteSpace(text))
            {
                // A formula saved without its result (some generators and scripts never calculate) would drop the
                // clerk's number silently; say so instead.
                if (!string.IsNullOrEmpty(ws.Cells[row, valueColumn].Formula))
                {
                    errors.Add(new ValidationError(id, "formula_without_value",
                        $"单元格 {address} 含公式但没有保存计算结果，请在 Excel 或 WPS 中打开、重新计算并保存，或直接填写数值。", address));
                }

                continue;
            }

            if (seen.TryGetValue(id, out var firstAddress))
            {
                errors.Add(new ValidationError(id, "duplicate_field", $"编号 {UserText.Excerpt(id)} 出现了两次（{firstAddress} 和 {address}），请删除重复的一行。", address));
                continue;
            }

            seen[id] = address;
            var raw = new RawValue(id, text.Trim(), address);
            if (meta is not null && meta.Shown.TryGetValue(id, out var shown) && shown.Locked && SameValue(shown.Text, raw.Text!))
            {
                unchanged.Add(raw);
            }
            else
            {
                values.Add(raw);
            }
        }

        return new FormReadResult
        {
            OrgCode = org,
            PeriodText = period,
            CatalogVersion = version,
            // Only a well-formed version conditions the upload; anything else is as if the form had none.
            ValuesVersion = Domain.Values.ValuesVersion.TryParse(valuesVersion, out _) ? valuesVersion : null,
            IsOurForm = isOurs,
            Values = values,
            UnchangedPrefill = unchanged,
            Errors = errors,
        };
    }

    internal ValidationError? CheckPackage(MemoryStream buffer)
    {
        var bytes = buffer.GetBuffer();
        if (buffer.Length < 4 || bytes[0] != 'P' || bytes[1] != 'K')
        {
            return new ValidationError(null, "not_xlsx", "上传的文件不是 .xlsx 工作簿（旧版 .xls 或其他文件请用 Excel 或 WPS 另存为 .xlsx 后上传）。");
        }

        try
        {
            using var zip = new ZipArchive(buffer, ZipArchiveMode.Read, leaveOpen: true);
            long declared = 0;
            foreach (var entry in zip.Entries)
            {
                declared += entry.Length;
                if (declared > maxUncompressedBytes)
                {
                    return TooLarge();
                }
            }

            if (zip.GetEntry("[Content_Types].xml") is null)
            {
                return new ValidationError(null, "not_xlsx", "上传的文件是压缩包而不是 .xlsx 工作簿，请上传填报表本身。");
            }

            // The declared sizes are the sender's word. Inflate every entry once into nothing, counting, before EPPlus
            // holds the whole package in memory: a part that inflates beyond what it declares is forged, and the total
            // stays under the limit whatever the headers say.
            var scratch = new byte[81920];
            long inflated = 0;
            foreach (var entry in zip.Entries)
            {
                using var stream = entry.Open();
                long entryBytes = 0;
                int read;
                while ((read = stream.Read(scratch, 0, scratch.Length)) > 0)
                {
                    entryBytes += read;
                    inflated += read;
                    if (entryBytes > entry.Length)
                    {
                        return new ValidationError(null, "not_xlsx", "上传的文件已损坏（压缩包中的文件大小与记录不符），无法作为 .xlsx 工作簿打开，请重新保存后上传。");
                    }

                    if (inflated > maxUncompressedBytes)
                    {
                        return TooLarge();
                    }
                }
            }

            return null;
        }
        catch (InvalidDataException)
        {
            return new ValidationError(null, "not_xlsx", "上传的文件已损坏，无法作为 .xlsx 工作簿打开，请重新保存后上传。");
        }
        catch (NotSupportedException)
        {
            // An entry compressed with a method .NET does not read (deflate64, LZMA): Excel and WPS never write these.
            return new ValidationError(null, "not_xlsx", "上传的文件使用了 Excel 不使用的压缩方式，无法作为 .xlsx 工作簿打开，请用 Excel 或 WPS 另存后上传。");
        }
    }

    private ValidationError TooLarge() => new(null, "too_large",
        $"工作簿解压后超过 {maxUncompressedBytes / 1024.0 / 1024.0:0.#} MB，不像是一表通填报表，请检查文件后重新上传。");

    /// <summary>The form sheet and its header row: 填报表 first, then any sheet with an 编号 header and a value column.</summary>
    private static (ExcelWorksheet Sheet, int HeaderRow, int IdColumn, int ValueColumn)? Locate(ExcelPackage package)
    {
        var sheets = package.Workbook.Worksheets
            .Where(s => s.Hidden == eWorkSheetHidden.Visible || s.Name == FormMetadata.FormSheet)
            .OrderBy(s => s.Name == FormMetadata.FormSheet ? 0 : 1);
        foreach (var ws in sheets)
        {
            if (ws.Dimension is null)
            {
                continue;
            }

            var rows = Math.Min(ws.Dimension.End.Row, HeaderSearchRows);
            var columns = Math.Min(ws.Dimension.End.Column, HeaderSearchColumns);
            for (var row = 1; row <= rows; row++)
            {
                int? id = null;
                var value = (Column: 0, Rank: int.MaxValue);
                for (var column = 1; column <= columns; column++)
                {
                    var text = Normalise(ws.Cells[row, column].Value as string);
                    if (text == "编号")
                    {
                        id ??= column;
                    }

                    var rank = Array.IndexOf(ValueHeaders, text);
                    if (rank >= 0 && rank < value.Rank)
                    {
                        value = (column, rank);
                    }
                }

                if (id is { } idColumn && value.Column > 0)
                {
                    return (ws, row, idColumn, value.Column);
                }
            }
        }

        return null;
    }

    private static string? Normalise(string? header) => header?.Replace(" ", "", StringComparison.Ordinal).Replace("　", "", StringComparison.Ordinal).Trim();

    /// <summary>The cell's value as raw text: numbers invariant, dates yyyy-MM-dd, formulas by their cached value.</summary>
    internal static string? CellText(ExcelWorksheet ws, int row, int column, out string? error)
    {
        error = null;
        var cell = ws.Cells[row, column];
        var value = cell.Value;
        if (value is null && cell.Merge)
        {
            var merged = ws.MergedCells[row, column];
            if (merged is not null)
            {
                var start = new ExcelAddress(merged).Start;
                if (start.Row == row)
                {
                    cell = ws.Cells[start.Row, start.Column];
                    value = cell.Value;
                }
            }
        }

        switch (value)
        {
            case null:
                return null;
            case string s:
                return s;
            case DateTime d:
                return d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            case bool b:
                return b ? "true" : "false";
            case ExcelErrorValue e:
                error = e.ToString();
                return null;
            case double n when IsDateFormat(cell.Style.Numberformat.Format) && n is > 0 and < 2958466:
                return DateTime.FromOADate(n).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            case double n when cell.Style.Numberformat.Format.Contains('%', StringComparison.Ordinal):
                // Typing "90%" makes Excel and WPS store 0.9 with a percent format; hand the clerk's text on as typed so that
                // a percentage field reads 90, and any other field refuses it instead of storing 0.9.
                return FormatNumber(n * 100) + "%";
            case double n:
                return FormatNumber(n);
            case IConvertible c:
                return Convert.ToString(c, CultureInfo.InvariantCulture);
            default:
                return value.ToString();
        }
    }

    private static string FormatNumber(double n)
    {
        if (double.IsFinite(n) && Math.Abs(n) < 7.9e27)
        {
            // Through decimal: 0.1 stays "0.1" and 1e6 becomes "1000000", never "1E+06".
            var d = (decimal)n;
            return d.ToString(CultureInfo.InvariantCulture);
        }

        return n.ToString("R", CultureInfo.InvariantCulture);
    }

    private static bool IsDateFormat(string? format) =>
        format is not null && !format.Contains('@', StringComparison.Ordinal) &&
        (format.Contains("yy", StringComparison.OrdinalIgnoreCase) || format.Contains("d", StringComparison.OrdinalIgnoreCase) && format.Contains("m", StringComparison.OrdinalIgnoreCase));

    private static bool SameValue(string shown, string text) =>
        string.Equals(shown, text, StringComparison.Ordinal) ||
        (decimal.TryParse(shown, NumberStyles.Float, CultureInfo.InvariantCulture, out var a) &&
         decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var b) && a == b);

    private static FormMeta ReadMeta(ExcelWorksheet sheet)
    {
        var meta = new FormMeta();
        var lastRow = sheet.Dimension?.End.Row ?? 0;
        var section = "";
        for (var row = 1; row <= lastRow; row++)
        {
            var key = sheet.Cells[row, 1].Value?.ToString();
            if (string.IsNullOrEmpty(key))
            {
                continue;
            }

            if (key.StartsWith('#'))
            {
                section = key;
                continue;
            }

            var value = sheet.Cells[row, 2].Value?.ToString();
            switch (section)
            {
                case FormMetaKeys.ShownHeader when value is not null:
                    meta.Shown[key] = (value, sheet.Cells[row, 3].Value?.ToString() == "1");
                    break;
                case FormMetaKeys.DerivedHeader:
                    meta.Derived.Add(key);
                    break;
                case "" when value is not null:
                    meta.Keys[key] = value;
                    break;
            }
        }

        return meta;
    }

    private static FormReadResult Fail(ValidationError error) => new() { Errors = [error] };

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_.]*$")]
    private static partial Regex FieldIdPattern();

    private sealed class FormMeta
    {
        public Dictionary<string, string> Keys { get; } = new(StringComparer.Ordinal);
        public Dictionary<string, (string Text, bool Locked)> Shown { get; } = new(StringComparer.Ordinal);
        public HashSet<string> Derived { get; } = new(StringComparer.Ordinal);

        public string? Get(string key) => Keys.GetValueOrDefault(key);
    }
}
