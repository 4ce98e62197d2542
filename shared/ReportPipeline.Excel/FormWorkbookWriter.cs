using ReportPipeline.Domain.Periods;
using System.Globalization;
using OfficeOpenXml;
using OfficeOpenXml.DataValidation;
using OfficeOpenXml.DataValidation.Contracts;
using OfficeOpenXml.Style;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Forms;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Templates;
using ReportPipeline.Domain.Values;
using ReportPipeline.Excel.Layout;

namespace ReportPipeline.Excel;

/// <summary>
/// Writes the one-table form (填报表). Layout: title rows, a header row (指标 / 编号 / 单位 / 本期数值 / 上期数值 / 说明),
/// then one section per catalog group. The Chinese name comes first; the field id the reader keys on sits beside it in a
/// narrow grey column (the reader finds it by its 编号 header, not by position). Pre-filled values from upper-level sources are locked and grey; values carried
/// from the last period are yellow suggestions the clerk may change; derived fields are blue, locked, with a formula;
/// everything else is an unlocked input cell with data validation. The sheet is protected without a password, so a
/// clerk who finds a pre-filled value wrong can lift the protection and correct it (the reader then submits it).
/// </summary>
public sealed class FormWorkbookWriter : IFormWorkbookWriter
{
    public const int HeaderRow = 5;
    public const int NameColumn = 1;
    public const int IdColumn = 2;
    public const int UnitColumn = 3;
    public const int ValueColumn = 4;
    public const int PreviousColumn = 5;
    public const int NoteColumn = 6;

    private static readonly string[] Headers = ["指标", "编号", "单位", "本期数值", "上期数值", "说明"];

    /// <summary>The id column's small grey type: a reference for the system, not something the clerk reads.</summary>
    private const float IdFontPoints = 8;

    public byte[] Write(FormWorkbookModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var fields = model.ResolveFields();
        var package = InMemoryPackages.Create();
        ExcelStyling.UseChineseFont(package);
        var ws = package.Workbook.Worksheets.Add(FormMetadata.FormSheet);
        var instructions = package.Workbook.Worksheets.Add(FormMetadata.InstructionsSheet);
        var meta = package.Workbook.Worksheets.Add(FormMetadata.MetaSheet);
        var lists = package.Workbook.Worksheets.Add(FormMetadata.ListsSheet);

        WriteTitle(ws, model);
        var rowOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var row = HeaderRow + 1;
        var sectionNumber = 0;
        foreach (var group in fields.GroupBy(f => f.Group))
        {
            sectionNumber++;
            var heading = ws.Cells[row, 1, row, NoteColumn];
            heading.Merge = true;
            heading.Value = $"{ChineseNumber(sectionNumber)}、{group.Key}";
            heading.Style.Font.Bold = true;
            ExcelStyling.Fill(heading, ExcelStyling.SectionFill);
            row++;
            foreach (var field in group)
            {
                rowOf[field.Id] = row++;
            }
        }

        var lastRow = row - 1;
        var shown = new List<(string FieldId, string Text, bool Locked)>();
        var listRow = 1;
        foreach (var entry in FormEntries.Of(model))
        {
            var field = entry.Field;
            var r = rowOf[field.Id];
            ws.Cells[r, IdColumn].Value = field.Id;
            ws.Cells[r, NameColumn].Value = field.Required ? field.Name + "＊" : field.Name;
            ws.Cells[r, UnitColumn].Value = field.Unit ?? "";
            var valueCell = ws.Cells[r, ValueColumn];
            ApplyFormat(valueCell, field);

            if (entry.Previous is { } previous)
            {
                SetValue(ws.Cells[r, PreviousColumn], field, previous.Value);
                ApplyFormat(ws.Cells[r, PreviousColumn], field);
            }

            string note;
            switch (entry.Treatment)
            {
                case FormTreatment.Derived:
                    note = WriteDerived(valueCell, field, rowOf, model.Current);
                    ExcelStyling.Fill(valueCell, ExcelStyling.DerivedFill);
                    break;
                case FormTreatment.Prefilled:
                    SetValue(valueCell, field, entry.Value!.Value);
                    ExcelStyling.Fill(valueCell, ExcelStyling.PrefilledFill);
                    shown.Add((field.Id, DisplayText(field, entry.Value.Value), true));
                    note = $"已由{entry.PrefilledBy}预填（{DisplayClock.Format(entry.Current!.At)}），如有出入请撤销工作表保护后在本格更正";
                    break;
                case FormTreatment.CarriedForward:
                    SetValue(valueCell, field, entry.Value!.Value);
                    ExcelStyling.Fill(valueCell, ExcelStyling.CarriedFill);
                    valueCell.Style.Locked = false;
                    AddValidation(ws, lists, ref listRow, valueCell.Address, field);
                    shown.Add((field.Id, DisplayText(field, entry.Value.Value), false));
                    note = "已按上期数值带入，请核对；如有变化请直接修改";
                    break;
                default:
                    if (entry.Value is { } typed)
                    {
                        SetValue(valueCell, field, typed);
                    }

                    valueCell.Style.Locked = false;
                    AddValidation(ws, lists, ref listRow, valueCell.Address, field);
                    note = Hint(field);
                    break;
            }

            ws.Cells[r, NoteColumn].Value = note;
        }

        if (lastRow > HeaderRow)
        {
            var body = ws.Cells[HeaderRow, 1, lastRow, NoteColumn];
            ExcelStyling.Border(body);
            // Rows grow for wrapped notes; every cell of a row then sits at its middle, not some at the top and some at the bottom.
            body.Style.VerticalAlignment = ExcelVerticalAlignment.Center;
            ws.Cells[HeaderRow + 1, NoteColumn, lastRow, NoteColumn].Style.WrapText = true;
            ws.Cells[HeaderRow + 1, NameColumn, lastRow, NameColumn].Style.WrapText = true;
            var ids = ws.Cells[HeaderRow + 1, IdColumn, lastRow, IdColumn].Style;
            ids.Font.Color.SetColor(System.Drawing.Color.DimGray);
            ids.Font.Size = IdFontPoints;
            ids.ShrinkToFit = true;
            ids.VerticalAlignment = ExcelVerticalAlignment.Center;
        }

        var widths = SetWidths(ws, fields);
        SizeRows(ws, widths, fields, rowOf);
        ws.View.FreezePanes(HeaderRow + 1, 3);
        var print = PrintFit.Choose(widths, 0, (HeaderRow, HeaderRow), landscapeOnly: false,
            $"{model.Org.Name}　一表通基层填报表　{model.Period.ToDisplayString()}".Replace("&", "&&", StringComparison.Ordinal));
        EpplusLayoutRenderer.ApplyPrint(ws, print);
        Protect(ws);

        WriteInstructions(instructions, model);
        WriteMeta(package, meta, model, shown, fields);
        lists.Hidden = eWorkSheetHidden.VeryHidden;
        meta.Hidden = eWorkSheetHidden.VeryHidden;
        package.Workbook.Properties.Title = $"{model.Org.Name} 一表通填报表 {model.Period.ToDisplayString()}";
        package.Workbook.Properties.Author = "一表通";
        package.Workbook.Properties.Created = model.GeneratedAt.UtcDateTime;
        return package.GetAsByteArray();
    }

    private static void WriteTitle(ExcelWorksheet ws, FormWorkbookModel model)
    {
        ws.Cells[1, 1, 1, NoteColumn].Value = $"{model.Org.Name}　一表通基层填报表";
        ExcelStyling.Title(ws.Cells[1, 1, 1, NoteColumn], 16);
        ws.Row(1).Height = 28;

        var path = model.OrgPathNames.Count > 0 ? string.Join("／", model.OrgPathNames) : model.Org.Name;
        var deadline = model.Period.Deadline(model.DeadlineDays).ToString("yyyy年M月d日", CultureInfo.InvariantCulture);
        Line(ws, 2, $"填报单位：{path}（{model.Org.Code}）");
        Line(ws, 3, $"统计期：{model.Period.ToDisplayString()}　　截止日期：{deadline}　　指标版本：{model.Catalog.Version}");
        Line(ws, 4, "白色为填报项；灰色为上级部门预填（已锁定）；黄色为上期带入（请核对）；蓝色为自动计算。带＊为必填。");
        ws.Cells[4, 1].Style.Font.Color.SetColor(System.Drawing.Color.DimGray);

        for (var c = 0; c < Headers.Length; c++)
        {
            ws.Cells[HeaderRow, c + 1].Value = Headers[c];
        }

        var header = ws.Cells[HeaderRow, 1, HeaderRow, NoteColumn];
        header.Style.Font.Bold = true;
        header.Style.HorizontalAlignment = ExcelHorizontalAlignment.Center;
        ExcelStyling.Fill(header, ExcelStyling.HeaderFill);
    }

    private static void Line(ExcelWorksheet ws, int row, string text)
    {
        var range = ws.Cells[row, 1, row, NoteColumn];
        range.Merge = true;
        range.Value = text;
    }

    /// <summary>
    /// Widths from the texts, kept to what prints on A4 portrait at a legible size: names wrap beyond 30 units, the id
    /// column is as narrow as its small type allows (the longest ids shrink), notes wrap at 40.
    /// </summary>
    private static double[] SetWidths(ExcelWorksheet ws, IReadOnlyList<FieldDefinition> fields)
    {
        var widths = new double[NoteColumn + 1];
        widths[NameColumn] = ExcelStyling.WidthFor(fields.Select(f => f.Name + "＊"), 16, 30);
        var longestId = fields.Select(f => TextMetrics.Width(f.Id)).DefaultIfEmpty(4).Max();
        widths[IdColumn] = Math.Clamp(Math.Ceiling(longestId * IdFontPoints / 11 + 1), 6, 16);
        widths[UnitColumn] = ExcelStyling.WidthFor(fields.Select(f => f.Unit), 6, 12);
        widths[ValueColumn] = 16;
        widths[PreviousColumn] = 12;
        widths[NoteColumn] = 40;
        for (var c = 1; c <= NoteColumn; c++)
        {
            ws.Column(c).Width = widths[c];
        }

        return widths;
    }

    /// <summary>
    /// Rows as tall as their wrapped notes and names: a wrapped cell does not grow its row when printed or opened
    /// unless the height is stored, and EPPlus cannot measure text on Linux, so the lines are counted from the text.
    /// </summary>
    private static void SizeRows(ExcelWorksheet ws, double[] widths, IReadOnlyList<FieldDefinition> fields, Dictionary<string, int> rowOf)
    {
        foreach (var field in fields)
        {
            var r = rowOf[field.Id];
            var note = ws.Cells[r, NoteColumn].Value as string ?? "";
            var name = ws.Cells[r, NameColumn].Value as string ?? "";
            var lines = Math.Max(TextMetrics.Wrap(note, widths[NoteColumn]).Count, TextMetrics.Wrap(name, widths[NameColumn]).Count);
            if (lines > 1)
            {
                ws.Row(r).Height = TextMetrics.LinesHeight(lines);
            }
        }

        var page = widths.Skip(1).Sum();
        for (var r = 2; r < HeaderRow; r++)
        {
            if (ws.Cells[r, 1].Value is string text && TextMetrics.Wrap(text, page).Count is var lines && lines > 1)
            {
                ws.Cells[r, 1].Style.WrapText = true;
                ws.Row(r).Height = TextMetrics.LinesHeight(lines);
            }
        }
    }

    private static void Protect(ExcelWorksheet ws)
    {
        ws.Protection.IsProtected = true;
        ws.Protection.AllowSelectLockedCells = true;
        ws.Protection.AllowSelectUnlockedCells = true;
        ws.Protection.AllowFormatColumns = true;
        ws.Protection.AllowFormatRows = true;
    }

    private static string WriteDerived(ExcelRange cell, FieldDefinition field, Dictionary<string, int> rowOf, IReadOnlyDictionary<string, StoredValue> current)
    {
        if (field.Expression is null || !ColumnExpression.TryParse(field.Expression, out var expression, out _) || expression is null)
        {
            return "自动计算，无需填写";
        }

        var formula = ToFormula(expression, rowOf);
        if (formula is null)
        {
            return "自动计算（由系统根据其他指标计算），无需填写";
        }

        cell.Formula = $"IFERROR({formula},\"\")";
        // Readers that do not calculate should still see the number when its inputs are known.
        var cached = expression.Evaluate(id => current.GetValueOrDefault(id)?.Value.Number);
        if (cached is { } v)
        {
            cell.Worksheet.SetValue(cell.Start.Row, cell.Start.Column, v);
        }

        return "自动计算，无需填写";
    }

    /// <summary>An Excel formula over the value cells; null when an input is not on the form.</summary>
    private static string? ToFormula(ColumnExpression expression, Dictionary<string, int> rowOf)
    {
        switch (expression)
        {
            case ColumnExpression.FieldRef f:
                return rowOf.TryGetValue(f.FieldId, out var r) ? ExcelCellBase.GetAddress(r, ValueColumn) : null;
            case ColumnExpression.Sum s:
                var terms = s.Terms.Select(t => ToFormula(t, rowOf)).ToList();
                return terms.Any(t => t is null) ? null : "(" + string.Join("+", terms) + ")";
            case ColumnExpression.Difference d:
                return ToFormula(d.Left, rowOf) is { } left && ToFormula(d.Right, rowOf) is { } right ? $"({left}-{right})" : null;
            case ColumnExpression.Ratio q:
                if (ToFormula(q.Numerator, rowOf) is not { } num || ToFormula(q.Denominator, rowOf) is not { } den)
                {
                    return null;
                }

                var scale = q.Scale == 1 ? "" : "*" + q.Scale.ToString(CultureInfo.InvariantCulture);
                return $"{num}/{den}{scale}";
            default:
                return null;
        }
    }

    private static void ApplyFormat(ExcelRange cell, FieldDefinition field)
    {
        cell.Style.Numberformat.Format = field.Type switch
        {
            FieldType.Integer or FieldType.Decimal => field.ShownDecimals > 0 ? "0." + new string('0', field.ShownDecimals) : "0",
            FieldType.Date => "yyyy-mm-dd",
            _ => "@",
        };
        cell.Style.HorizontalAlignment = field.IsNumeric ? ExcelHorizontalAlignment.Right : ExcelHorizontalAlignment.Left;
    }

    private static void SetValue(ExcelRange cell, FieldDefinition field, FieldValue value)
    {
        object? typed = field.Type switch
        {
            FieldType.Integer or FieldType.Decimal => value.Number,
            FieldType.Date when DateTime.TryParseExact(value.Canonical, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) => d,
            _ => DisplayText(field, value),
        };
        cell.Value = typed;
    }

    /// <summary>The text the reader will see for an unchanged cell: numbers invariant, labels for enums, 是/否.</summary>
    internal static string DisplayText(FieldDefinition field, FieldValue value) => field.Type switch
    {
        FieldType.Boolean => value.Canonical == "true" ? "是" : "否",
        FieldType.Enum => field.Options.FirstOrDefault(o => o.Code == value.Canonical)?.Label ?? value.Canonical,
        _ => value.Canonical,
    };

    private static void AddValidation(ExcelWorksheet ws, ExcelWorksheet lists, ref int listRow, string address, FieldDefinition field)
    {
        var unit = string.IsNullOrEmpty(field.Unit) ? "" : $"，单位：{field.Unit}";
        var title = field.Name.Length > 30 ? field.Name[..30] : field.Name;
        IExcelDataValidation validation;
        string prompt;
        string error;
        switch (field.Type)
        {
            case FieldType.Integer:
            {
                var v = ws.DataValidations.AddIntegerValidation(address);
                var (min, max) = (ToInt(field.Min, int.MinValue + 1), ToInt(field.Max, int.MaxValue));
                v.Operator = ExcelDataValidationOperator.between;
                v.Formula.Value = min;
                v.Formula2.Value = max;
                prompt = $"请填写整数{unit}{Range(field)}";
                error = $"“{field.Name}”应为整数{Range(field)}";
                validation = v;
                break;
            }

            case FieldType.Decimal:
            {
                var v = ws.DataValidations.AddDecimalValidation(address);
                v.Operator = ExcelDataValidationOperator.between;
                v.Formula.Value = (double)(field.Min ?? -1_000_000_000_000m);
                v.Formula2.Value = (double)(field.Max ?? 1_000_000_000_000m);
                var places = field.Precision > 0 ? $"（最多{field.Precision}位小数）" : "";
                prompt = $"请填写数字{places}{unit}{Range(field)}";
                error = $"“{field.Name}”应为数字{Range(field)}";
                validation = v;
                break;
            }

            case FieldType.Enum or FieldType.Boolean:
            {
                var labels = field.Type == FieldType.Boolean ? ["是", "否"] : field.Options.Select(o => o.Label).ToList();
                var v = ws.DataValidations.AddListValidation(address);
                // Excel limits an inline list to 255 characters; longer lists live on the hidden _lists sheet.
                if (labels.Sum(l => l.Length + 1) < 250 && labels.All(l => !l.Contains(',', StringComparison.Ordinal)))
                {
                    foreach (var label in labels)
                    {
                        v.Formula.Values.Add(label);
                    }
                }
                else
                {
                    for (var i = 0; i < labels.Count; i++)
                    {
                        lists.Cells[listRow + i, 1].Value = labels[i];
                    }

                    v.Formula.ExcelFormula = $"'{FormMetadata.ListsSheet}'!$A${listRow}:$A${listRow + labels.Count - 1}";
                    listRow += labels.Count;
                }

                prompt = "请从下拉列表中选择";
                error = $"“{field.Name}”请从下拉列表中选择：{Truncate(string.Join("、", labels), 150)}";
                validation = v;
                break;
            }

            case FieldType.Date:
            {
                var v = ws.DataValidations.AddDateTimeValidation(address);
                v.Operator = ExcelDataValidationOperator.between;
                v.Formula.Value = new DateTime(1900, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);
                v.Formula2.Value = new DateTime(2100, 12, 31, 0, 0, 0, DateTimeKind.Unspecified);
                prompt = "请填写日期，格式如 2026-01-31";
                error = $"“{field.Name}”应为日期，格式如 2026-01-31";
                validation = v;
                break;
            }

            default:
            {
                var v = ws.DataValidations.AddTextLengthValidation(address);
                v.Operator = ExcelDataValidationOperator.lessThanOrEqual;
                v.Formula.Value = field.MaxLength;
                prompt = $"请填写文字（不超过{field.MaxLength}字）{unit}";
                error = $"“{field.Name}”不超过{field.MaxLength}字";
                validation = v;
                break;
            }
        }

        validation.AllowBlank = true;
        validation.ShowInputMessage = true;
        validation.PromptTitle = title;
        validation.Prompt = Truncate(prompt, 250);
        validation.ShowErrorMessage = true;
        validation.ErrorStyle = ExcelDataValidationWarningStyle.stop;
        validation.ErrorTitle = "填写有误";
        // Excel refuses (and "repairs") error texts over 225 characters and prompts over 255.
        validation.Error = Truncate(error, 220);
    }

    private static int ToInt(decimal? value, int fallback) =>
        value is { } v ? (int)Math.Clamp(Math.Round(v), int.MinValue + 1, int.MaxValue) : fallback;

    private static string Range(FieldDefinition field) => (field.Min, field.Max) switch
    {
        ({ } min, { } max) => string.Create(CultureInfo.InvariantCulture, $"，范围 {min:0.##}～{max:0.##}"),
        ({ } min, null) => string.Create(CultureInfo.InvariantCulture, $"，不小于 {min:0.##}"),
        (null, { } max) => string.Create(CultureInfo.InvariantCulture, $"，不大于 {max:0.##}"),
        _ => "",
    };

    private static string Hint(FieldDefinition field)
    {
        var parts = new List<string>();
        if (field.Required)
        {
            parts.Add("必填");
        }

        parts.Add(field.Type switch
        {
            FieldType.Integer => "整数" + Range(field),
            FieldType.Decimal => "数字" + Range(field),
            FieldType.Enum or FieldType.Boolean => "下拉选择",
            FieldType.Date => "日期，如 2026-01-31",
            _ => "文字",
        });
        if (!string.IsNullOrWhiteSpace(field.Description))
        {
            parts.Add(field.Description!);
        }

        return string.Join("；", parts);
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";

    private static string ChineseNumber(int n)
    {
        string[] digits = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
        return n switch
        {
            <= 10 => digits[n],
            < 20 => "十" + digits[n - 10],
            < 100 => digits[n / 10] + "十" + (n % 10 == 0 ? "" : digits[n % 10]),
            _ => n.ToString(CultureInfo.InvariantCulture),
        };
    }

    private static void WriteInstructions(ExcelWorksheet ws, FormWorkbookModel model)
    {
        var lines = new List<string>
        {
            "一表通基层填报说明",
            "",
            $"一、本表为 {model.Org.Name}（{model.Org.Code}）{model.Period.ToDisplayString()} 的一表通填报表，只能用于本单位、本统计期上传。",
            "二、请在“填报表”中白色单元格填写本期数值；点击单元格可看到填写提示（单位、范围）；下拉项请从列表中选择。",
            "三、灰色单元格是上级部门已掌握并预填的数据，无需再填。如发现有出入，请点击“审阅 → 撤销工作表保护”（无密码）后在该格直接更正，系统会按更正后的数值提交并标记供核对。",
            "四、黄色单元格是按上期数值带入的参考值，请逐项核对，有变化的直接修改。",
            "五、蓝色单元格由系统自动计算，无需填写。",
            "六、请勿修改“编号”列，勿删除或改名工作表；可以插入空行、调整行的顺序，不影响上传。",
            "七、上传方式：① 登录一表通填报平台上传本文件；② 或将本文件放入本单位的同步文件夹，由系统自动接收。每期只需上传一次，如需更正，改好后再次上传即可。",
            "八、上传后系统会立即返回回执；如有错误，会列出出错的单元格（如 D17）和原因，请改正后重新上传。",
        };
        if (!string.IsNullOrWhiteSpace(model.UploadAddress))
        {
            lines.Add($"上传地址：{model.UploadAddress}");
        }

        lines.Add(model.Contacts.Count > 0 ? "联系人：" + string.Join("；", model.Contacts) : "联系人：所属乡镇（街道）统计工作人员");
        lines.Add($"指标版本：{model.Catalog.Version}　　生成时间：{DisplayClock.Format(model.GeneratedAt)}");

        for (var i = 0; i < lines.Count; i++)
        {
            ws.Cells[i + 1, 1].Value = lines[i];
        }

        ExcelStyling.Title(ws.Cells[1, 1], 14);
        ws.Cells[2, 1, lines.Count, 1].Style.WrapText = true;
        ws.Column(1).Width = 100;
        for (var i = 1; i < lines.Count; i++)
        {
            ws.Row(i + 1).Height = TextMetrics.HeightFor(lines[i], 100);
        }

        EpplusLayoutRenderer.ApplyPrint(ws, PrintFit.Choose([0, 100], 0, null, landscapeOnly: false, pageHeader: null));
        ws.Protection.IsProtected = true;
    }

    private static void WriteMeta(ExcelPackage package, ExcelWorksheet meta, FormWorkbookModel model, List<(string FieldId, string Text, bool Locked)> shown, IReadOnlyList<FieldDefinition> fields)
    {
        (string Key, string Value)[] entries =
        [
            ("key", "value"),
            (FormMetaKeys.OrgCode, model.Org.Code),
            (FormMetaKeys.Period, model.Period.ToString()),
            (FormMetaKeys.CatalogVersion, model.Catalog.Version),
            (FormMetaKeys.FormKind, FormMetadata.FormKind),
            (FormMetaKeys.FormVersion, FormMetadata.FormVersion.ToString(CultureInfo.InvariantCulture)),
            (FormMetaKeys.GeneratedAt, model.GeneratedAt.ToString("O", CultureInfo.InvariantCulture)),
            // Last, so that the cells named below keep their places.
            (FormMetaKeys.ValuesVersion, model.ValuesVersion ?? ""),
        ];
        for (var i = 0; i < entries.Length; i++)
        {
            meta.Cells[i + 1, 1].Value = entries[i].Key;
            meta.Cells[i + 1, 2].Value = entries[i].Value;
        }

        var row = entries.Length + 2;
        meta.Cells[row, 1].Value = FormMetaKeys.ShownHeader;
        meta.Cells[row, 2].Value = "text";
        meta.Cells[row, 3].Value = "locked";
        foreach (var (fieldId, text, locked) in shown)
        {
            row++;
            meta.Cells[row, 1].Value = fieldId;
            meta.Cells[row, 2].Value = text;
            meta.Cells[row, 3].Value = locked ? "1" : "0";
        }

        row += 2;
        meta.Cells[row, 1].Value = FormMetaKeys.DerivedHeader;
        foreach (var field in fields.Where(f => f.Source == FieldSource.Derived))
        {
            row++;
            meta.Cells[row, 1].Value = field.Id;
        }

        var names = package.Workbook.Names;
        names.Add("RP_OrgCode", meta.Cells[2, 2]);
        names.Add("RP_Period", meta.Cells[3, 2]);
        names.Add("RP_CatalogVersion", meta.Cells[4, 2]);
        var properties = package.Workbook.Properties;
        properties.SetCustomPropertyValue(FormMetaKeys.OrgCode, model.Org.Code);
        properties.SetCustomPropertyValue(FormMetaKeys.Period, model.Period.ToString());
        properties.SetCustomPropertyValue(FormMetaKeys.CatalogVersion, model.Catalog.Version);
        properties.SetCustomPropertyValue(FormMetaKeys.FormKind, FormMetadata.FormKind);
        if (model.ValuesVersion is { } version)
        {
            properties.SetCustomPropertyValue(FormMetaKeys.ValuesVersion, version);
        }
    }
}

/// <summary>Keys of the <c>_meta</c> sheet and of the workbook's custom properties.</summary>
internal static class FormMetaKeys
{
    public const string OrgCode = "RP_OrgCode";
    public const string Period = "RP_Period";
    public const string CatalogVersion = "RP_CatalogVersion";
    public const string FormKind = "RP_FormKind";
    public const string FormVersion = "RP_FormVersion";
    public const string GeneratedAt = "RP_GeneratedAt";
    public const string ValuesVersion = "RP_ValuesVersion";
    public const string ShownHeader = "#shown";
    public const string DerivedHeader = "#derived";
}
