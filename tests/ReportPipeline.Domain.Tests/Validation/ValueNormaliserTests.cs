using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Domain.Tests.Validation;

public sealed class ValueNormaliserTests
{
    private static readonly FieldDefinition Households = new() { Id = "h", Name = "户数", Unit = "户", Type = FieldType.Integer, Min = 0, Max = 100_000, Group = "人口" };
    private static readonly FieldDefinition Funds = new() { Id = "f", Name = "资金", Unit = "万元", Type = FieldType.Decimal, Precision = 2, Min = 0, Group = "民政" };
    private static readonly FieldDefinition Rate = new() { Id = "r", Name = "火化率", Unit = "%", Type = FieldType.Decimal, Precision = 1, Min = 0, Max = 100, Group = "民政" };
    private static readonly FieldDefinition Flag = new() { Id = "b", Name = "是否", Type = FieldType.Boolean, Group = "治理" };
    private static readonly FieldDefinition Day = new() { Id = "d", Name = "日期", Type = FieldType.Date, Group = "治理" };
    private static readonly FieldDefinition Kind = new() { Id = "k", Name = "村类型", Type = FieldType.Enum, Options = [new("admin_village", "行政村"), new("community", "城镇社区")], Group = "农业" };

    [Theory]
    [InlineData("１２３４", "1234")]
    [InlineData("1,234", "1234")]
    [InlineData("1，234", "1234")]
    [InlineData("  56\u00A0", "56")]
    [InlineData("\u3000７８\u3000", "78")]
    [InlineData("12.0", "12")]
    [InlineData("12,345", "12345")]
    public void Integers_are_read_through_full_width_digits_separators_and_spaces(string text, string canonical)
    {
        var result = ValueNormaliser.Normalise(Households, text);

        Assert.Null(result.ErrorCode);
        Assert.Equal(canonical, result.Value!.Value.Canonical);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("—")]
    [InlineData("-")]
    [InlineData("无")]
    [InlineData("/")]
    [InlineData(null)]
    public void Dashes_slashes_and_wu_mean_missing(string? text)
    {
        Assert.True(ValueNormaliser.Normalise(Households, text).IsMissing);
    }

    [Theory]
    [InlineData("12.5", "not_an_integer")]
    [InlineData("十二", "not_a_number")]
    [InlineData("12,34", "not_a_number")]
    [InlineData("1,2345", "not_a_number")]
    [InlineData("100001", "out_of_range")]
    [InlineData("-1", "out_of_range")]
    public void Bad_integers_get_a_stable_code(string text, string code)
    {
        Assert.Equal(code, ValueNormaliser.Normalise(Households, text).ErrorCode);
    }

    [Fact]
    public void Decimals_keep_their_precision_and_drop_trailing_zeros()
    {
        Assert.Equal("1234.5", ValueNormaliser.Normalise(Funds, "1，234．50").Value!.Value.Canonical);
        Assert.Equal("too_many_decimals", ValueNormaliser.Normalise(Funds, "1.234").ErrorCode);
    }

    [Theory]
    [InlineData("12.5%", "12.5")]
    [InlineData("12.5", "12.5")]
    [InlineData("１２．５％", "12.5")]
    public void A_percent_field_accepts_the_percent_sign(string text, string canonical)
    {
        Assert.Equal(canonical, ValueNormaliser.Normalise(Rate, text).Value!.Value.Canonical);
    }

    [Fact]
    public void A_percent_sign_on_a_count_is_not_a_number()
    {
        Assert.Equal("not_a_number", ValueNormaliser.Normalise(Households, "12%").ErrorCode);
    }

    [Theory]
    [InlineData("是", "true")]
    [InlineData("Y", "true")]
    [InlineData("true", "true")]
    [InlineData("1", "true")]
    [InlineData("否", "false")]
    [InlineData("n", "false")]
    [InlineData("FALSE", "false")]
    [InlineData("0", "false")]
    public void Booleans_in_chinese_letters_and_digits(string text, string canonical)
    {
        Assert.Equal(canonical, ValueNormaliser.Normalise(Flag, text).Value!.Value.Canonical);
    }

    [Fact]
    public void An_unrecognised_boolean_is_reported()
    {
        Assert.Equal("not_a_boolean", ValueNormaliser.Normalise(Flag, "也许").ErrorCode);
    }

    [Theory]
    [InlineData("2026-11-03")]
    [InlineData("2026/11/3")]
    [InlineData("2026年11月3日")]
    [InlineData("２０２６－１１－０３")]
    [InlineData("46329")]
    public void Dates_in_common_forms_and_excel_serials(string text)
    {
        Assert.Equal("2026-11-03", ValueNormaliser.Normalise(Day, text).Value!.Value.Canonical);
    }

    [Fact]
    public void An_impossible_date_is_reported()
    {
        Assert.Equal("not_a_date", ValueNormaliser.Normalise(Day, "2026-02-30").ErrorCode);
    }

    [Theory]
    [InlineData("community", "community")]
    [InlineData("COMMUNITY", "community")]
    [InlineData("行政村", "admin_village")]
    public void Enums_by_code_or_label(string text, string canonical)
    {
        Assert.Equal(canonical, ValueNormaliser.Normalise(Kind, text).Value!.Value.Canonical);
    }

    [Fact]
    public void An_unknown_option_is_reported()
    {
        Assert.Equal("not_an_option", ValueNormaliser.Normalise(Kind, "自然村").ErrorCode);
    }
}
