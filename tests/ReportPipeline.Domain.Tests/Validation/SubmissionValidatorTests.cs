using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Validation;
using ReportPipeline.Domain.Values;

namespace ReportPipeline.Domain.Tests.Validation;

public sealed class SubmissionValidatorTests
{
    private static readonly FieldCatalog Catalog = new("2026.11.1",
    [
        new FieldDefinition { Id = "pop", Name = "户籍人口", Unit = "人", Type = FieldType.Integer, Min = 0, Max = 50_000, Required = true, Group = "人口" },
        new FieldDefinition { Id = "male", Name = "男性人口", Unit = "人", Type = FieldType.Integer, Min = 0, Group = "人口" },
        new FieldDefinition { Id = "female", Name = "女性人口", Unit = "人", Type = FieldType.Integer, Min = 0, Group = "人口" },
        new FieldDefinition { Id = "households", Name = "户籍户数", Unit = "户", Type = FieldType.Integer, Min = 0, Group = "人口" },
        new FieldDefinition { Id = "members", Name = "党员数", Unit = "人", Type = FieldType.Integer, Min = 0, Group = "党建" },
        new FieldDefinition { Id = "dibao", Name = "低保户数", Unit = "户", Type = FieldType.Integer, Min = 0, Group = "民政" },
        new FieldDefinition { Id = "funds", Name = "低保金", Unit = "万元", Type = FieldType.Decimal, Precision = 2, Min = 0, Group = "民政" },
        new FieldDefinition { Id = "kind", Name = "村类型", Type = FieldType.Enum, Options = [new("village", "行政村")], Group = "农业", Frequency = PeriodKind.Year },
        new FieldDefinition { Id = "checked", Name = "已核实", Type = FieldType.Boolean, Group = "治理" },
        new FieldDefinition { Id = "day", Name = "核对日期", Type = FieldType.Date, Group = "治理" },
        new FieldDefinition { Id = "phone", Name = "联系电话", Type = FieldType.Text, MaxLength = 5, Group = "治理" },
        new FieldDefinition { Id = "rate", Name = "党员比例", Unit = "%", Type = FieldType.Decimal, Precision = 2, Source = FieldSource.Derived, Expression = "percent(members, pop)", Group = "党建" },
    ],
    [
        new CrossFieldRule { Id = "sex", Kind = CrossFieldRuleKind.PartsSumToTotal, Field = "pop", Others = ["male", "female"] },
        new CrossFieldRule { Id = "parts", Kind = CrossFieldRuleKind.PartsNotExceedTotal, Field = "pop", Others = ["members"] },
        new CrossFieldRule { Id = "size", Kind = CrossFieldRuleKind.RatioWithin, Field = "pop", Others = ["households"], Min = 1, Max = 8 },
    ]);

    private static readonly Dictionary<string, FieldValue> NothingStored = [];

    private readonly SubmissionValidator _validator = new(Catalog);

    [Fact]
    public void Clean_values_are_returned_in_canonical_form()
    {
        var outcome = _validator.Validate([new("pop", "1,000"), new("male", "５２０"), new("female", "480"), new("funds", "12.50")], NothingStored);

        Assert.True(outcome.IsValid, string.Join("; ", outcome.Errors));
        Assert.Equal("1000", outcome.Values["pop"].Canonical);
        Assert.Equal("520", outcome.Values["male"].Canonical);
        Assert.Equal("12.5", outcome.Values["funds"].Canonical);
    }

    [Fact]
    public void Every_error_is_reported_with_code_field_and_cell()
    {
        var outcome = _validator.Validate(
        [
            new("pop", "1000", "C3"),
            new("nonsense", "1", "C4"),
            new("dibao", "12.5", "D17"),
            new("funds", "1.234", "C6"),
            new("kind", "自然村", "C7"),
            new("checked", "也许", "C8"),
            new("day", "昨天", "C9"),
            new("phone", "023-12345678", "C10"),
            new("members", "abc", "C11"),
            new("rate", "5", "C12"),
            new("dibao", "3", "C13"),
            new("households", "-5", "C14"),
        ], NothingStored);

        var codes = outcome.Errors.ToDictionary(e => e.Cell!, e => e.Code);
        Assert.Equal("unknown_field", codes["C4"]);
        Assert.Equal("not_an_integer", codes["D17"]);
        Assert.Equal("too_many_decimals", codes["C6"]);
        Assert.Equal("not_an_option", codes["C7"]);
        Assert.Equal("not_a_boolean", codes["C8"]);
        Assert.Equal("not_a_date", codes["C9"]);
        Assert.Equal("text_too_long", codes["C10"]);
        Assert.Equal("not_a_number", codes["C11"]);
        Assert.Equal("derived_field", codes["C12"]);
        Assert.Equal("duplicate_field", codes["C13"]);
        Assert.Equal("out_of_range", codes["C14"]);
        Assert.Equal(11, outcome.Errors.Count);
    }

    [Fact]
    public void Messages_name_the_field_in_chinese_with_its_unit_and_cell()
    {
        var outcome = _validator.Validate([new("pop", "1000"), new("dibao", "12.5", "D17")], NothingStored);

        var error = Assert.Single(outcome.Errors);
        Assert.Equal("dibao", error.FieldId);
        Assert.Equal("“低保户数”（户）应为整数，收到“12.5”（单元格 D17）", error.Message);
    }

    [Fact]
    public void A_required_field_missing_from_upload_and_store_is_an_error()
    {
        var outcome = _validator.Validate([new("members", "10")], NothingStored);

        var error = Assert.Single(outcome.Errors);
        Assert.Equal(("pop", "required"), (error.FieldId, error.Code));
        Assert.Contains("户籍人口", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_required_field_already_stored_need_not_be_resent()
    {
        var stored = new Dictionary<string, FieldValue> { ["pop"] = new(FieldType.Integer, "1000") };

        var outcome = _validator.Validate([new("members", "10")], stored);

        Assert.True(outcome.IsValid);
    }

    [Fact]
    public void Parts_exceeding_their_total_are_checked_against_stored_values_too()
    {
        var stored = new Dictionary<string, FieldValue> { ["pop"] = new(FieldType.Integer, "100") };

        var outcome = _validator.Validate([new("members", "120", "E5")], stored);

        var error = Assert.Single(outcome.Errors);
        Assert.Equal(("members", "rule_parts_exceed_total", "E5"), (error.FieldId, error.Code, error.Cell));
        Assert.Contains("不能大于", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parts_that_do_not_add_up_to_the_total_are_an_error()
    {
        var outcome = _validator.Validate([new("pop", "1000", "B2"), new("male", "520"), new("female", "470")], NothingStored);

        var error = Assert.Single(outcome.Errors);
        Assert.Equal(("pop", "rule_parts_sum", "B2"), (error.FieldId, error.Code, error.Cell));
        Assert.Contains("990", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_implausible_ratio_is_a_warning_that_does_not_block()
    {
        var outcome = _validator.Validate([new("pop", "1000"), new("households", "50")], NothingStored);

        Assert.True(outcome.IsValid);
        var warning = Assert.Single(outcome.Warnings);
        Assert.Equal(("pop", "rule_ratio"), (warning.FieldId, warning.Code));
    }

    [Fact]
    public void A_zero_denominator_skips_the_ratio_rule()
    {
        var outcome = _validator.Validate([new("pop", "0"), new("households", "0")], NothingStored);

        Assert.Empty(outcome.Warnings);
    }

    [Fact]
    public void With_a_period_kind_items_of_another_frequency_are_refused()
    {
        var outcome = _validator.Validate([new("pop", "1000"), new("kind", "行政村", "F2")], NothingStored, PeriodKind.Month);

        var error = Assert.Single(outcome.Errors);
        Assert.Equal(("kind", "wrong_period"), (error.FieldId, error.Code));
    }

    [Fact]
    public void The_content_hash_ignores_order_and_formatting()
    {
        var first = _validator.Validate([new("pop", "1,000"), new("members", "10")], NothingStored).Values;
        var second = _validator.Validate([new("members", "１０"), new("pop", "1000")], NothingStored).Values;
        var third = _validator.Validate([new("members", "11"), new("pop", "1000")], NothingStored).Values;

        Assert.Equal(ContentHash.Compute(first), ContentHash.Compute(second));
        Assert.NotEqual(ContentHash.Compute(first), ContentHash.Compute(third));
        Assert.Equal(64, ContentHash.Compute(first).Length);
    }
}
