using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Validation;
using ReportPipeline.Domain.Values;

namespace ReportPipeline.Domain.Tests.Validation;

/// <summary>Rules whose fields are collected at different frequencies, checked against the other period's 期末数.</summary>
public sealed class CrossPeriodRuleTests
{
    private static readonly FieldCatalog Catalog = new("2026.11.1",
    [
        new FieldDefinition { Id = "pop", Name = "户籍人口", Unit = "人", Type = FieldType.Integer, Min = 0, Group = "人口" },
        new FieldDefinition { Id = "young", Name = "0-17岁人口", Unit = "人", Type = FieldType.Integer, Min = 0, Group = "人口", Frequency = PeriodKind.Quarter },
        new FieldDefinition { Id = "migrants", Name = "外出务工人员", Unit = "人", Type = FieldType.Integer, Min = 0, Group = "人口" },
        new FieldDefinition { Id = "in_city", Name = "市内务工", Unit = "人", Type = FieldType.Integer, Min = 0, Group = "人口", Frequency = PeriodKind.Quarter },
        new FieldDefinition { Id = "out_city", Name = "市外务工", Unit = "人", Type = FieldType.Integer, Min = 0, Group = "人口", Frequency = PeriodKind.Quarter },
        new FieldDefinition { Id = "minority", Name = "少数民族人口", Unit = "人", Type = FieldType.Integer, Min = 0, Group = "人口", Frequency = PeriodKind.Year },
    ],
    [
        new CrossFieldRule { Id = "parts", Kind = CrossFieldRuleKind.PartsNotExceedTotal, Field = "pop", Others = ["young", "minority"] },
        new CrossFieldRule { Id = "migrants", Kind = CrossFieldRuleKind.PartsSumToTotal, Field = "migrants", Others = ["in_city", "out_city"] },
    ]);

    private static readonly Dictionary<string, FieldValue> NothingStored = [];

    private readonly SubmissionValidator _validator = new(Catalog);

    private static RelatedPeriodValues Stored(string period, params (string Id, string Value)[] values) =>
        new(Period.Parse(period), values.ToDictionary(v => v.Id, v => new FieldValue(FieldType.Integer, v.Value), StringComparer.Ordinal));

    [Fact]
    public void A_quarterly_part_larger_than_the_monthly_total_of_the_quarters_last_month_is_refused()
    {
        var outcome = _validator.Validate([new("young", "4795", "D9")], NothingStored, Period.Parse("2026-Q3"), [Stored("2026-09", ("pop", "4295"))]);

        var error = Assert.Single(outcome.Errors);
        Assert.Equal(("young", ValidationCodes.RulePartsExceedTotal, "D9"), (error.FieldId, error.Code, error.Cell));
        Assert.Equal("2026年第三季度的“0-17岁人口”（人）（4795人）不能大于2026年9月的“户籍人口”（人）（4295人）（单元格 D9）", error.Message);
    }

    [Fact]
    public void A_monthly_total_corrected_below_the_stored_quarterly_part_is_refused_on_the_months_side()
    {
        var outcome = _validator.Validate([new("pop", "4000", "D3")], NothingStored, Period.Parse("2026-09"), [Stored("2026-Q3", ("young", "4100"))]);

        var error = Assert.Single(outcome.Errors);
        Assert.Equal(("pop", ValidationCodes.RulePartsExceedTotal, "D3"), (error.FieldId, error.Code, error.Cell));
        Assert.Contains("2026年第三季度的“0-17岁人口”", error.Message, StringComparison.Ordinal);
        Assert.Contains("2026年9月的“户籍人口”", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Quarterly_parts_must_add_up_to_the_monthly_total()
    {
        var outcome = _validator.Validate([new("in_city", "30"), new("out_city", "40")], NothingStored, Period.Parse("2026-Q3"), [Stored("2026-09", ("migrants", "75"))]);

        var error = Assert.Single(outcome.Errors);
        Assert.Equal(("in_city", ValidationCodes.RulePartsSum), (error.FieldId, error.Code));
        Assert.Contains("2026年9月的“外出务工人员”", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Consistent_values_across_periods_pass()
    {
        var outcome = _validator.Validate([new("young", "700"), new("in_city", "30"), new("out_city", "45")], NothingStored, Period.Parse("2026-Q3"),
            [Stored("2026-09", ("pop", "4295"), ("migrants", "75"))]);

        Assert.True(outcome.IsValid, string.Join("; ", outcome.Errors.Select(e => e.Message)));
    }

    [Theory]
    [InlineData("2026-Q3", new[] { "2026-09" })]
    [InlineData("2026-Q4", new[] { "2026-12", "2026" })]
    [InlineData("2026-09", new[] { "2026-Q3" })]
    [InlineData("2026-12", new[] { "2026-Q4", "2026" })]
    [InlineData("2026-08", new string[0])]
    [InlineData("2026", new[] { "2026-12", "2026-Q4" })]
    public void A_submission_reads_the_periods_of_other_frequencies_that_end_with_it(string period, string[] expected)
    {
        Assert.Equal(expected.Select(Period.Parse), _validator.RelatedPeriods(Period.Parse(period)));
    }

    [Fact]
    public void An_unknown_field_name_of_a_megabyte_is_quoted_as_a_short_marked_excerpt()
    {
        var name = new string('x', 1024 * 1024);

        var outcome = _validator.Validate([new(name, "1", "values.x")], NothingStored, PeriodKind.Month);

        var error = Assert.Single(outcome.Errors);
        Assert.Equal(ValidationCodes.UnknownField, error.Code);
        Assert.True(error.Message.Length < 200, $"message of {error.Message.Length} characters");
        Assert.True(error.FieldId!.Length < 100, $"field id of {error.FieldId.Length} characters");
        Assert.Contains("共1048576个字符", error.Message, StringComparison.Ordinal);
    }
}
