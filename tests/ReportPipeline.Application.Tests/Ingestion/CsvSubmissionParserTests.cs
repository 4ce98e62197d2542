using System.Text;
using ReportPipeline.Application.Ingestion;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Application.Tests.Ingestion;

public sealed class CsvSubmissionParserTests
{
    private static readonly Encoding Gb18030 = CreateGb18030();

    private readonly CsvSubmissionParser _parser = new(IngestionCatalog.Create());

    private static Encoding CreateGb18030()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        return Encoding.GetEncoding("GB18030");
    }

    private ParsedUpload Parse(string csv) => _parser.Parse(Encoding.UTF8.GetBytes(csv));

    private static RawValue Value(ParsedUpload parsed, string fieldId) => Assert.Single(parsed.Values, v => v.FieldId == fieldId);

    private static byte[] WithPreamble(Encoding encoding, string text) => [.. encoding.GetPreamble(), .. encoding.GetBytes(text)];

    // Encodings as Chinese Excel and WPS save them.

    [Fact]
    public void Utf8_with_a_byte_order_mark_is_read_and_the_mark_is_not_part_of_the_first_header()
    {
        var parsed = _parser.Parse(WithPreamble(new UTF8Encoding(true), "户籍户数,村委会主任\r\n980,张三\r\n"));

        Assert.Empty(parsed.Errors);
        Assert.Equal(new RawValue("households", "980", "第2行第1列"), Value(parsed, "households"));
        Assert.Equal(new RawValue("committee_director", "张三", "第2行第2列"), Value(parsed, "committee_director"));
    }

    [Fact]
    public void Utf8_without_a_byte_order_mark_is_read()
    {
        var parsed = _parser.Parse(new UTF8Encoding(false).GetBytes("户籍户数,村委会主任\n980,张三\n"));

        Assert.Empty(parsed.Errors);
        Assert.Equal("980", Value(parsed, "households").Text);
        Assert.Equal("张三", Value(parsed, "committee_director").Text);
    }

    [Fact]
    public void Gb18030_from_chinese_windows_excel_is_read()
    {
        var bytes = Gb18030.GetBytes("户籍户数,村委会主任,耕地面积（亩）\r\n980,欧阳建国,1520.5\r\n");
        Assert.Throws<DecoderFallbackException>(() => new UTF8Encoding(false, true).GetString(bytes));

        var parsed = _parser.Parse(bytes);

        Assert.Empty(parsed.Errors);
        Assert.Equal(new RawValue("households", "980", "第2行第1列"), Value(parsed, "households"));
        Assert.Equal(new RawValue("committee_director", "欧阳建国", "第2行第2列"), Value(parsed, "committee_director"));
        Assert.Equal(new RawValue("farmland_area", "1520.5", "第2行第3列"), Value(parsed, "farmland_area"));
    }

    [Fact]
    public void Gb18030_long_layout_is_read()
    {
        var bytes = Gb18030.GetBytes("编号,指标,本期数值\r\nhouseholds,户籍户数,980\r\ncommittee_director,村委会主任,王五\r\n");

        var parsed = _parser.Parse(bytes);

        Assert.Empty(parsed.Errors);
        Assert.Equal(new RawValue("households", "980", "第2行第3列"), Value(parsed, "households"));
        Assert.Equal(new RawValue("committee_director", "王五", "第3行第3列"), Value(parsed, "committee_director"));
    }

    [Fact]
    public void Utf16_little_endian_unicode_text_with_tabs_is_read()
    {
        var parsed = _parser.Parse(WithPreamble(Encoding.Unicode, "户籍户数\t村委会主任\r\n980\t张三\r\n"));

        Assert.Empty(parsed.Errors);
        Assert.Equal(new RawValue("households", "980", "第2行第1列"), Value(parsed, "households"));
        Assert.Equal(new RawValue("committee_director", "张三", "第2行第2列"), Value(parsed, "committee_director"));
    }

    // Separators, quoting and line endings.

    [Fact]
    public void Tab_separated_text_keeps_commas_inside_values()
    {
        var parsed = Parse("户籍户数\t耕地面积\n980\t1,520.5\n");

        Assert.Empty(parsed.Errors);
        Assert.Equal(new RawValue("farmland_area", "1,520.5", "第2行第2列"), Value(parsed, "farmland_area"));
    }

    [Fact]
    public void Comma_separated_text_splits_on_commas()
    {
        var parsed = Parse("户籍户数,户籍人口,耕地面积\n980,3012,1520.5\n");

        Assert.Empty(parsed.Errors);
        Assert.Equal(new[] { "980", "3012", "1520.5" }, parsed.Values.Select(v => v.Text));
    }

    [Fact]
    public void A_quoted_value_may_contain_the_separator()
    {
        var parsed = Parse("户籍人口,村委会主任\n\"3,012\",\"张三,李四\"\n");

        Assert.Empty(parsed.Errors);
        Assert.Equal("3,012", Value(parsed, "population").Text);
        Assert.Equal("张三,李四", Value(parsed, "committee_director").Text);
    }

    [Fact]
    public void Doubled_quotes_inside_a_quoted_value_become_one_quote()
    {
        var parsed = Parse("村委会主任,户籍户数\n\"张三（人称\"\"老张\"\"）\",980\n");

        Assert.Empty(parsed.Errors);
        Assert.Equal("张三（人称\"老张\"）", Value(parsed, "committee_director").Text);
        Assert.Equal(new RawValue("households", "980", "第2行第2列"), Value(parsed, "households"));
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void A_line_break_inside_quotes_stays_in_the_value_and_the_row_continues(string newline)
    {
        var parsed = Parse($"村委会主任,户籍户数{newline}\"张三{newline}（代理）\",980{newline}");

        Assert.Empty(parsed.Errors);
        Assert.Equal($"张三{newline}（代理）", Value(parsed, "committee_director").Text);
        Assert.Equal(new RawValue("households", "980", "第2行第2列"), Value(parsed, "households"));
    }

    [Fact]
    public void Crlf_and_lf_line_endings_give_the_same_result()
    {
        const string Lines = "编号,本期数值|households,980|population,3012|committee_director,张三";

        var lf = Parse(Lines.Replace("|", "\n", StringComparison.Ordinal));
        var crlf = Parse(Lines.Replace("|", "\r\n", StringComparison.Ordinal) + "\r\n");

        Assert.Empty(lf.Errors);
        Assert.Empty(crlf.Errors);
        Assert.Equal(3, lf.Values.Count);
        Assert.Equal(lf.Values, crlf.Values);
    }

    [Fact]
    public void A_last_line_without_a_line_break_is_read()
    {
        var parsed = Parse("户籍户数,村委会主任\r\n980,张三");

        Assert.Equal("张三", Value(parsed, "committee_director").Text);
    }

    // Wide layout: a header row, then one row of values.

    [Theory]
    [InlineData("households")]
    [InlineData("HOUSEHOLDS")]
    [InlineData(" households ")]
    [InlineData("户籍户数")]
    [InlineData("户籍 户数")]
    [InlineData("户数")]
    [InlineData("总户数")]
    [InlineData("户籍户数（户）")]
    [InlineData("户籍户数(户)")]
    public void A_wide_header_may_be_the_field_id_its_name_an_alias_or_name_with_unit(string header)
    {
        var parsed = Parse($"{header},村委会主任\n980,张三\n");

        Assert.Empty(parsed.Errors);
        Assert.Equal(new RawValue("households", "980", "第2行第1列"), parsed.Values[0]);
    }

    [Fact]
    public void A_wide_header_that_names_no_field_is_an_unknown_field_error_at_row_1_and_its_column()
    {
        var parsed = Parse("户籍户数,村委会主任,集体经济收入\n980,张三,120000\n");

        var error = Assert.Single(parsed.Errors);
        Assert.Equal("unknown_field", error.Code);
        Assert.Equal("集体经济收入", error.FieldId);
        Assert.Equal("第1行第3列", error.Cell);
        Assert.Contains("第3列", error.Message, StringComparison.Ordinal);
        Assert.Contains("集体经济收入", error.Message, StringComparison.Ordinal);
        Assert.Equal(new[] { "households", "committee_director" }, parsed.Values.Select(v => v.FieldId));
    }

    [Fact]
    public void A_name_with_a_different_unit_is_not_taken_for_the_field()
    {
        var parsed = Parse("耕地面积（公顷）\n101.3\n");

        Assert.Equal("unknown_field", Assert.Single(parsed.Errors).Code);
        Assert.Empty(parsed.Values);
    }

    [Fact]
    public void Columns_with_a_blank_header_are_skipped()
    {
        var parsed = Parse("户籍户数,,村委会主任,\n980,备注,张三,\n");

        Assert.Empty(parsed.Errors);
        Assert.Equal(
            new[] { new RawValue("households", "980", "第2行第1列"), new RawValue("committee_director", "张三", "第2行第3列") },
            parsed.Values);
    }

    [Fact]
    public void A_data_row_shorter_than_the_header_leaves_the_missing_values_absent()
    {
        var parsed = Parse("户籍户数,户籍人口,村委会主任\n980,3012\n");

        Assert.Empty(parsed.Errors);
        Assert.Equal(new RawValue("committee_director", null, "第2行第3列"), Value(parsed, "committee_director"));
    }

    [Fact]
    public void More_than_one_data_row_in_the_wide_layout_is_rejected_as_too_many_rows()
    {
        var parsed = Parse("户籍户数,村委会主任\n980,张三\n975,李四\n");

        var error = Assert.Single(parsed.Errors);
        Assert.Equal("csv_too_many_rows", error.Code);
        Assert.Equal("第3行", error.Cell);
        Assert.Contains("2 行", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("户籍户数,村委会主任\n")]
    [InlineData("户籍户数,村委会主任")]
    [InlineData("户籍户数,村委会主任\r\n\r\n\r\n")]
    [InlineData("编号,指标,本期数值\r\n,,\r\n")]
    [InlineData("")]
    public void A_file_with_only_a_header_is_rejected_as_empty(string csv)
    {
        var parsed = Parse(csv);

        Assert.Empty(parsed.Values);
        var error = Assert.Single(parsed.Errors);
        Assert.Equal("csv_empty", error.Code);
        Assert.Equal("第1行", error.Cell);
    }

    // Long layout: one row per field, as copied from the form workbook.

    [Fact]
    public void A_long_layout_reads_one_field_per_row_with_the_value_cell()
    {
        var parsed = Parse("编号,指标,单位,本期数值\nhouseholds,户籍户数,户,980\nfarmland_area,耕地面积,亩,1520.50\nhas_clinic,是否有卫生室,,是\n");

        Assert.Empty(parsed.Errors);
        Assert.Equal(
            new[]
            {
                new RawValue("households", "980", "第2行第4列"),
                new RawValue("farmland_area", "1520.50", "第3行第4列"),
                new RawValue("has_clinic", "是", "第4行第4列"),
            },
            parsed.Values);
    }

    [Fact]
    public void A_long_layout_is_recognised_in_any_column_order()
    {
        var parsed = Parse("本期数值,备注,指标\n980,,户籍户数\n张三,,村委会主任\n");

        Assert.Empty(parsed.Errors);
        Assert.Equal(
            new[] { new RawValue("households", "980", "第2行第1列"), new RawValue("committee_director", "张三", "第3行第1列") },
            parsed.Values);
    }

    [Theory]
    [InlineData("指标", "数值")]
    [InlineData("指标名称", "本期")]
    [InlineData("项目", "值")]
    [InlineData("field", "value")]
    [InlineData("Field", "Value")]
    [InlineData("指标编号", "本期数值")]
    public void A_long_layout_accepts_the_usual_key_and_value_headers(string keyHeader, string valueHeader)
    {
        var parsed = Parse($"{keyHeader},{valueHeader}\n户籍人口（人）,3012\n");

        Assert.Empty(parsed.Errors);
        Assert.Equal(new RawValue("population", "3012", "第2行第2列"), Assert.Single(parsed.Values));
    }

    [Fact]
    public void A_long_layout_row_that_names_no_field_is_an_unknown_field_error_at_its_key_cell()
    {
        var parsed = Parse("指标,本期数值\n户籍户数,980\n集体经济收入,120000\n");

        var error = Assert.Single(parsed.Errors);
        Assert.Equal("unknown_field", error.Code);
        Assert.Equal("集体经济收入", error.FieldId);
        Assert.Equal("第3行第1列", error.Cell);
        Assert.Contains("第3行", error.Message, StringComparison.Ordinal);
        Assert.Equal("households", Assert.Single(parsed.Values).FieldId);
    }

    [Fact]
    public void A_long_layout_row_without_a_key_such_as_a_section_heading_is_skipped()
    {
        var parsed = Parse("编号,指标,本期数值\n,人口,\nhouseholds,户籍户数,980\n");

        Assert.Empty(parsed.Errors);
        Assert.Equal(new RawValue("households", "980", "第3行第3列"), Assert.Single(parsed.Values));
    }

    [Fact]
    public void A_long_layout_row_without_a_value_cell_gives_an_absent_value()
    {
        var parsed = Parse("编号,本期数值\nhouseholds\n");

        Assert.Equal(new RawValue("households", null, "第2行第2列"), Assert.Single(parsed.Values));
    }

    [Fact]
    public void A_long_layout_may_have_many_rows_without_a_too_many_rows_error()
    {
        var parsed = Parse("编号,本期数值\nhouseholds,980\npopulation,3012\nfarmland_area,1520.5\ncommittee_director,张三\n");

        Assert.Empty(parsed.Errors);
        Assert.Equal(4, parsed.Values.Count);
    }

    // Blank lines.

    [Fact]
    public void Blank_lines_and_rows_of_empty_cells_are_ignored()
    {
        var parsed = Parse("\n编号,本期数值\n\nhouseholds,980\n,\n\r\npopulation,3012\n\n");

        Assert.Empty(parsed.Errors);
        Assert.Equal(new[] { "households", "population" }, parsed.Values.Select(v => v.FieldId));
        Assert.Equal(new[] { "980", "3012" }, parsed.Values.Select(v => v.Text));
    }

    [Fact]
    public void Blank_lines_after_the_single_data_row_do_not_count_as_extra_rows()
    {
        var parsed = Parse("户籍户数,村委会主任\r\n980,张三\r\n\r\n,\r\n");

        Assert.Empty(parsed.Errors);
        Assert.Equal(2, parsed.Values.Count);
    }

    [Fact]
    public void A_value_below_a_blank_line_keeps_the_row_it_is_on_in_the_file()
    {
        var parsed = Parse("编号,本期数值\nhouseholds,980\n\npopulation,3012\n");

        Assert.Equal(new RawValue("households", "980", "第2行第2列"), Value(parsed, "households"));
        Assert.Equal(new RawValue("population", "3012", "第4行第2列"), Value(parsed, "population"));
    }

    [Fact]
    public void A_wide_file_with_a_leading_blank_line_reports_the_rows_as_they_are_in_the_file()
    {
        var parsed = Parse("\n户籍户数,集体经济收入\n980,120000\n");

        Assert.Equal(new RawValue("households", "980", "第3行第1列"), Value(parsed, "households"));
        Assert.Equal("第2行第2列", Assert.Single(parsed.Errors).Cell);
    }
}
