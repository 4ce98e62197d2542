namespace ReportPipeline.Excel.Layout;

/// <summary>
/// A workbook as cells, formats, merges, sizes and print setup, before any library writes it. The report is laid out
/// once; a renderer (EPPlus today) turns the layout into a file, so the layout rules (what goes where, which widths,
/// how it prints) live in one place whichever library writes the bytes, and candidate writers can be measured on
/// exactly the same workbook.
/// </summary>
internal sealed class WorkbookLayout
{
    private readonly Dictionary<CellFormat, int> _formatIds = new() { [default] = 0 };

    public List<SheetLayout> Sheets { get; } = [];

    /// <summary>Every distinct format; index 0 is the default (no format).</summary>
    public List<CellFormat> Formats { get; } = [default];

    public string Title { get; set; } = "";
    public string Author { get; set; } = "";
    public DateTime Created { get; set; }
    public List<(string Name, string Value)> CustomProperties { get; } = [];

    public SheetLayout AddSheet(string name, int columns)
    {
        var sheet = new SheetLayout(this, name, columns);
        Sheets.Add(sheet);
        return sheet;
    }

    public int FormatId(CellFormat format)
    {
        if (!_formatIds.TryGetValue(format, out var id))
        {
            id = _formatIds[format] = Formats.Count;
            Formats.Add(format);
        }

        return id;
    }
}

/// <summary>One cell: a string or double value (or none), an optional formula whose cached value is <see cref="Value"/>, a format id.</summary>
internal readonly record struct LayoutCell(object? Value, string? Formula, int Format);

internal sealed class SheetLayout(WorkbookLayout workbook, string name, int columns)
{
    private readonly List<LayoutCell[]?> _rows = [];

    public string Name => name;

    /// <summary>Columns the sheet's cells may use (1-based, inclusive).</summary>
    public int ColumnCount => columns;

    public bool Hidden { get; set; }
    public List<(int FromRow, int FromColumn, int ToRow, int ToColumn)> Merges { get; } = [];
    public double[] ColumnWidths { get; } = new double[columns + 1];
    public Dictionary<int, double> RowHeights { get; } = [];

    /// <summary>The first scrolling cell: rows above and columns left of it stay in view.</summary>
    public (int Row, int Column)? Freeze { get; set; }

    public (int FromRow, int FromColumn, int ToRow, int ToColumn)? AutoFilter { get; set; }
    public PrintSetup? Print { get; set; }

    public int RowCount => _rows.Count;

    /// <summary>The cells of row <paramref name="row"/> (index 1..<see cref="ColumnCount"/>), or null when the row is empty.</summary>
    public LayoutCell[]? Row(int row) => row <= _rows.Count ? _rows[row - 1] : null;

    public void Set(int row, int column, object? value)
    {
        ref var cell = ref Cell(row, column);
        cell = cell with { Value = Normalise(value) };
    }

    public void SetFormula(int row, int column, string formula, double cachedValue)
    {
        ref var cell = ref Cell(row, column);
        cell = cell with { Formula = formula, Value = cachedValue };
    }

    public void Format(int fromRow, int fromColumn, int toRow, int toColumn, CellFormat format)
    {
        var id = workbook.FormatId(format);
        for (var r = fromRow; r <= toRow; r++)
        {
            for (var c = fromColumn; c <= toColumn; c++)
            {
                ref var cell = ref Cell(r, c);
                cell = cell with { Format = id };
            }
        }
    }

    public void Format(int row, int column, CellFormat format) => Format(row, column, row, column, format);

    public void Merge(int fromRow, int fromColumn, int toRow, int toColumn) => Merges.Add((fromRow, fromColumn, toRow, toColumn));

    private ref LayoutCell Cell(int row, int column)
    {
        if (column < 1 || column > columns)
        {
            throw new ArgumentOutOfRangeException(nameof(column), column, $"Sheet {name} has {columns} columns.");
        }

        while (_rows.Count < row)
        {
            _rows.Add(null);
        }

        var cells = _rows[row - 1] ??= new LayoutCell[columns + 1];
        return ref cells[column];
    }

    /// <summary>Numbers are stored as doubles (what a cell holds); strings as they are; nothing else is a cell value.</summary>
    private static object? Normalise(object? value) => value switch
    {
        null => null,
        string s => s,
        double d => d,
        int i => (double)i,
        long l => (double)l,
        decimal m => (double)m,
        _ => throw new ArgumentException($"Unsupported cell value {value.GetType().Name}.", nameof(value)),
    };
}

/// <summary>How a sheet prints. <see cref="FitToWidth"/> scales the sheet to one page width; otherwise <see cref="Scale"/> applies.</summary>
internal sealed record PrintSetup
{
    public required bool Landscape { get; init; }
    public required bool FitToWidth { get; init; }
    public int Scale { get; init; } = 100;
    public (int From, int To)? RepeatRows { get; init; }
    public int? RepeatColumnsTo { get; init; }
    /// <summary>Pages go across the columns first, then down (a unit's whole row is on consecutive pages).</summary>
    public bool OverThenDown { get; init; }
    public bool CenterHorizontally { get; init; }
    public string? HeaderLeft { get; init; }
    public string? HeaderCenter { get; init; }
    public string? HeaderRight { get; init; }
    public string? FooterLeft { get; init; }
    public string? FooterCenter { get; init; }
    public string? FooterRight { get; init; }
    /// <summary>
    /// The first row printed. A table that runs across pages leaves its title rows to the page header: merged over the
    /// first page's columns, they would show as clipped fragments in the repeated unit columns of every later page.
    /// </summary>
    public int PrintFromRow { get; init; } = 1;
    /// <summary>The last column of the first page, for titles that should centre over what the first page shows.</summary>
    public int FirstPageLastColumn { get; init; }

    public const double MarginLeftRight = 0.5;
    public const double MarginTop = 0.9;
    public const double MarginBottom = 0.75;
    public const double MarginHeaderFooter = 0.3;
}
