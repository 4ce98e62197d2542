using DocumentFormat.OpenXml.Spreadsheet;
using OfficeOpenXml;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Forms;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Validation;
using ReportPipeline.Domain.Values;
using static ReportPipeline.Excel.Tests.TestData;

namespace ReportPipeline.Excel.Tests;

public sealed class FormWorkbookTests
{
    private const string VillageCode = "500103001001";

    private static FormWorkbookModel Model() => new()
    {
        Catalog = Catalog(),
        Org = Village(VillageCode),
        OrgPathNames = ["重庆市", "渝中区", "七星岗街道", "金汤街社区"],
        Period = November,
        Current = new Dictionary<string, StoredValue>
        {
            ["population_registered"] = Prefilled("1234"),
        },
        Previous = new Dictionary<string, StoredValue>
        {
            ["households"] = Typed("410"),
            ["elderly_65"] = Typed("180"),
        },
        GeneratedAt = Generated,
        Contacts = ["七星岗街道统计办 023-63000000"],
    };

    private static byte[] WriteForm() => new FormWorkbookWriter().Write(Model());

    private static int RowOf(ExcelWorksheet ws, string fieldId)
    {
        for (var row = 1; row <= ws.Dimension.End.Row; row++)
        {
            if (ws.Cells[row, FormWorkbookWriter.IdColumn].Value as string == fieldId)
            {
                return row;
            }
        }

        throw new InvalidOperationException($"{fieldId} is not on the form");
    }

    /// <summary>Opens the form with EPPlus, lets <paramref name="fill"/> act as the clerk, and saves.</summary>
    private static byte[] Fill(byte[] form, Action<ExcelWorksheet> fill)
    {
        using var package = new ExcelPackage(new MemoryStream(form));
        fill(package.Workbook.Worksheets[FormMetadata.FormSheet]);
        return package.GetAsByteArray();
    }

    private static FormReadResult Read(byte[] workbook) => new FormWorkbookReader().Read(new MemoryStream(workbook));

    [Fact]
    public void Typed_values_come_back_as_raw_texts_with_the_address_of_their_value_cell()
    {
        var filled = Fill(WriteForm(), ws =>
        {
            ws.Cells[RowOf(ws, "elderly_65"), 4].Value = 187;
            ws.Cells[RowOf(ws, "dibao_amount"), 4].Value = 12.5;
            ws.Cells[RowOf(ws, "party_members"), 4].Value = "５６";
            ws.Cells[RowOf(ws, "road_status"), 4].Value = "一般";
            ws.Cells[RowOf(ws, "has_clinic"), 4].Value = "是";
            ws.Cells[RowOf(ws, "survey_date"), 4].Value = new DateTime(2026, 11, 20, 0, 0, 0, DateTimeKind.Unspecified);
            ws.Cells[RowOf(ws, "secretary_name"), 4].Value = "  张　三 ";
        });

        var result = Read(filled);

        Assert.True(result.IsValid, string.Join("; ", result.Errors));
        using var package = new ExcelPackage(new MemoryStream(filled));
        var ws = package.Workbook.Worksheets[FormMetadata.FormSheet];
        string At(string id) => "D" + RowOf(ws, id);
        var byId = result.Values.ToDictionary(v => v.FieldId);
        Assert.Equal(new RawValue("elderly_65", "187", At("elderly_65")), byId["elderly_65"]);
        Assert.Equal(new RawValue("dibao_amount", "12.5", At("dibao_amount")), byId["dibao_amount"]);
        Assert.Equal(new RawValue("party_members", "５６", At("party_members")), byId["party_members"]);
        Assert.Equal("一般", byId["road_status"].Text);
        Assert.Equal("是", byId["has_clinic"].Text);
        Assert.Equal("2026-11-20", byId["survey_date"].Text);
        Assert.Equal("张　三", byId["secretary_name"].Text);
        Assert.Equal((VillageCode, "2026-11", "2026.11-test"), (result.OrgCode, result.PeriodText, result.CatalogVersion));
        Assert.True(result.IsOurForm);
    }

    [Fact]
    public void Reordered_and_inserted_rows_do_not_change_which_field_a_value_belongs_to()
    {
        var filled = Fill(WriteForm(), ws =>
        {
            var elderly = RowOf(ws, "elderly_65");
            var dibao = RowOf(ws, "dibao_households");
            // The clerk swaps two rows (id travels with its value) and inserts a note row above them.
            ws.Cells[elderly, FormWorkbookWriter.IdColumn].Value = "dibao_households";
            ws.Cells[elderly, 4].Value = 9;
            ws.Cells[dibao, FormWorkbookWriter.IdColumn].Value = "elderly_65";
            ws.Cells[dibao, 4].Value = 201;
            ws.InsertRow(elderly, 2);
            ws.Cells[elderly, FormWorkbookWriter.NameColumn].Value = "（本行为村里自己加的备注）";
        });

        var result = Read(filled);

        using var package = new ExcelPackage(new MemoryStream(filled));
        var ws = package.Workbook.Worksheets[FormMetadata.FormSheet];
        var byId = result.Values.ToDictionary(v => v.FieldId);
        Assert.Equal(new RawValue("dibao_households", "9", "D" + RowOf(ws, "dibao_households")), byId["dibao_households"]);
        Assert.Equal(new RawValue("elderly_65", "201", "D" + RowOf(ws, "elderly_65")), byId["elderly_65"]);
        Assert.NotEqual(byId["dibao_households"].Cell, byId["elderly_65"].Cell);
    }

    [Fact]
    public void A_locked_prefilled_value_left_alone_is_not_submitted_but_a_corrected_one_is()
    {
        var untouched = Read(Fill(WriteForm(), ws => ws.Cells[RowOf(ws, "elderly_65"), 4].Value = 1));
        var corrected = Read(Fill(WriteForm(), ws => ws.Cells[RowOf(ws, "population_registered"), 4].Value = 1240));

        Assert.DoesNotContain(untouched.Values, v => v.FieldId == "population_registered");
        Assert.Contains(untouched.UnchangedPrefill, v => v.FieldId == "population_registered" && v.Text == "1234");
        Assert.Contains(corrected.Values, v => v.FieldId == "population_registered" && v.Text == "1240");
    }

    [Fact]
    public void A_carried_forward_suggestion_is_shown_unlocked_and_submitted_when_kept()
    {
        var form = WriteForm();

        using (var package = new ExcelPackage(new MemoryStream(form)))
        {
            var ws = package.Workbook.Worksheets[FormMetadata.FormSheet];
            var cell = ws.Cells[RowOf(ws, "households"), 4];
            Assert.Equal(410d, Convert.ToDouble(cell.Value, System.Globalization.CultureInfo.InvariantCulture));
            Assert.False(cell.Style.Locked);
        }

        Assert.Contains(Read(form).Values, v => v.FieldId == "households" && v.Text == "410");
    }

    [Fact]
    public void The_form_is_protected_with_only_input_cells_unlocked_and_validated()
    {
        var form = WriteForm();

        using var package = new ExcelPackage(new MemoryStream(form));
        var ws = package.Workbook.Worksheets[FormMetadata.FormSheet];
        Assert.True(ws.Protection.IsProtected);
        Assert.True(ws.Cells[RowOf(ws, "population_registered"), 4].Style.Locked);
        Assert.True(ws.Cells[RowOf(ws, "party_share"), 4].Style.Locked);
        Assert.True(ws.Cells[RowOf(ws, "elderly_65"), 5].Style.Locked);
        Assert.False(ws.Cells[RowOf(ws, "elderly_65"), 4].Style.Locked);
        Assert.Equal(180d, Convert.ToDouble(ws.Cells[RowOf(ws, "elderly_65"), 5].Value, System.Globalization.CultureInfo.InvariantCulture));

        using var independent = new OpenXmlWorkbook(form);
        var sheet = independent.Worksheet(FormMetadata.FormSheet);
        Assert.NotNull(sheet.GetFirstChild<SheetProtection>());
        var validations = sheet.Descendants<DataValidation>().ToList();
        string Address(string id) => "D" + RowOf(ws, id);
        DataValidation For(string id) => validations.Single(v => v.SequenceOfReferences!.InnerText!.Split(' ').Contains(Address(id)));
        Assert.Equal(DataValidationValues.Whole, For("elderly_65").Type!.Value);
        Assert.Equal("0", For("elderly_65").Formula1!.Text);
        Assert.Equal("100000", For("elderly_65").Formula2!.Text);
        Assert.Contains("人", For("elderly_65").Prompt!.Value!, StringComparison.Ordinal);
        Assert.Equal(DataValidationValues.Decimal, For("dibao_amount").Type!.Value);
        Assert.Equal(DataValidationValues.List, For("road_status").Type!.Value);
        Assert.Contains("良好", For("road_status").Formula1!.Text, StringComparison.Ordinal);
        Assert.Contains("是", For("has_clinic").Formula1!.Text, StringComparison.Ordinal);
        Assert.Equal(DataValidationValues.Date, For("survey_date").Type!.Value);
        Assert.DoesNotContain(validations, v => v.SequenceOfReferences!.InnerText!.Split(' ').Contains(Address("population_registered")));
    }

    [Fact]
    public void The_org_period_and_version_are_recorded_in_a_very_hidden_sheet_and_custom_properties()
    {
        using var independent = new OpenXmlWorkbook(WriteForm());

        var meta = independent.Sheets.Single(s => s.Name == FormMetadata.MetaSheet);
        Assert.Equal(SheetStateValues.VeryHidden, meta.State!.Value);
        Assert.Equal(VillageCode, independent.Cells(FormMetadata.MetaSheet)["B2"].Text);
        Assert.Equal("2026-11", independent.CustomProperty("RP_Period"));
        Assert.Equal("2026.11-test", independent.CustomProperty("RP_CatalogVersion"));
        Assert.Contains(independent.DefinedNames, n => n.Name == "RP_OrgCode" && n.Text.Contains("_meta", StringComparison.Ordinal));
        Assert.Equal(
            [FormMetadata.FormSheet, FormMetadata.InstructionsSheet, FormMetadata.MetaSheet, FormMetadata.ListsSheet],
            independent.Sheets.Select(s => s.Name!.Value!));
    }

    [Fact]
    public void An_upload_for_another_org_period_or_catalog_version_is_caught()
    {
        var result = Read(WriteForm());

        Assert.Empty(result.CheckMatches(VillageCode, November, "2026.11-test"));
        Assert.Equal(["wrong_org"], result.CheckMatches("500103001002", November, "2026.11-test").Select(e => e.Code));
        Assert.Equal(["wrong_period"], result.CheckMatches(VillageCode, Period.Month(2026, 10), "2026.11-test").Select(e => e.Code));
        Assert.Equal(["stale_catalog"], result.CheckMatches(VillageCode, November, "2026.12").Select(e => e.Code));
    }

    [Fact]
    public void A_formula_typed_by_the_clerk_is_read_by_its_cached_value()
    {
        var filled = Fill(WriteForm(), ws =>
        {
            var cell = ws.Cells[RowOf(ws, "dibao_households"), 4];
            cell.Formula = "3+4";
            cell.Calculate();
        });

        Assert.Contains(Read(filled).Values, v => v.FieldId == "dibao_households" && v.Text == "7");
    }

    [Fact]
    public void A_formula_saved_without_its_result_is_an_error_naming_the_cell_not_a_silent_blank()
    {
        var address = "";
        var filled = Fill(WriteForm(), ws =>
        {
            var cell = ws.Cells[RowOf(ws, "dibao_households"), 4];
            cell.Formula = "3+4";
            address = cell.Address;
        });

        var result = Read(filled);

        Assert.DoesNotContain(result.Values, v => v.FieldId == "dibao_households");
        Assert.Contains(result.Errors, e => e.Code == "formula_without_value" && e.FieldId == "dibao_households" && e.Cell == address);
    }

    [Fact]
    public void A_percentage_typed_as_90_percent_is_read_as_the_clerk_typed_it_not_as_0_9()
    {
        var filled = Fill(WriteForm(), ws =>
        {
            var cell = ws.Cells[RowOf(ws, "dibao_households"), 4];
            cell.Value = 0.9;
            cell.Style.Numberformat.Format = "0%";
        });

        Assert.Contains(Read(filled).Values, v => v.FieldId == "dibao_households" && v.Text == "90%");
    }

    [Fact]
    public void Derived_rows_are_never_read_as_submitted_values()
    {
        var filled = Fill(WriteForm(), ws => ws.Cells[RowOf(ws, "party_members"), 4].Value = 60);

        Assert.DoesNotContain(Read(filled).Values, v => v.FieldId == "party_share");
    }

    [Fact]
    public void A_file_that_is_not_an_xlsx_is_rejected_with_a_chinese_message()
    {
        var result = Read("编号,本期数值\nelderly_65,12\n"u8.ToArray());

        var error = Assert.Single(result.Errors);
        Assert.Equal("not_xlsx", error.Code);
        Assert.Contains("xlsx", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_foreign_workbook_with_an_id_and_value_header_is_read_best_effort()
    {
        using var package = new ExcelPackage();
        var ws = package.Workbook.Worksheets.Add("Sheet1");
        ws.Cells["A1"].Value = "村里自己做的表";
        ws.Cells["B3"].Value = "编号";
        ws.Cells["C3"].Value = "指标";
        ws.Cells["D3"].Value = "数值";
        ws.Cells["B4"].Value = "elderly_65";
        ws.Cells["D4"].Value = 77;
        ws.Cells["B5"].Value = "低保";
        ws.Cells["D5"].Value = 3;

        var result = Read(package.GetAsByteArray());

        Assert.True(result.IsValid);
        Assert.False(result.IsOurForm);
        Assert.Equal([new RawValue("elderly_65", "77", "D4")], result.Values);
        Assert.Null(result.OrgCode);
    }

    [Fact]
    public void A_workbook_without_an_id_column_is_rejected_as_not_our_form()
    {
        using var package = new ExcelPackage();
        package.Workbook.Worksheets.Add("Sheet1").Cells["A1"].Value = "随便什么";

        var result = Read(package.GetAsByteArray());

        Assert.Equal("not_our_form", Assert.Single(result.Errors).Code);
    }

    [Fact]
    public void A_value_cell_merged_across_columns_is_read_from_its_first_cell()
    {
        var filled = Fill(WriteForm(), ws =>
        {
            var row = RowOf(ws, "secretary_name");
            ws.Cells[row, 4].Value = "李四";
            ws.Cells[row, 4, row, 5].Merge = true;
        });

        Assert.Contains(Read(filled).Values, v => v.FieldId == "secretary_name" && v.Text == "李四");
    }
}
