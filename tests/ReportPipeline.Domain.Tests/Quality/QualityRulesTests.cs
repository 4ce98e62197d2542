using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Quality;
using ReportPipeline.Domain.Validation;
using ReportPipeline.Domain.Values;

namespace ReportPipeline.Domain.Tests.Quality;

public sealed class QualityRulesTests
{
    private static readonly FieldDefinition Population = new()
    {
        Id = "pop", Name = "户籍人口", Unit = "人", Type = FieldType.Integer, Group = "人口",
        ExpectedMin = 100, ExpectedMax = 20000, MaxChange = ChangeThreshold.OfRelative(0.1m),
    };

    private static readonly FieldDefinition Births = new()
    {
        Id = "births", Name = "出生人口", Unit = "人", Type = FieldType.Integer, Group = "人口", MaxChange = ChangeThreshold.OfAbsolute(30),
    };

    private static readonly FieldDefinition Plain = new() { Id = "plain", Name = "党员数", Unit = "人", Type = FieldType.Integer, Group = "党建" };

    [Fact]
    public void A_value_inside_its_soft_range_and_threshold_is_not_flagged()
    {
        Assert.Empty(QualityRules.Check(Population, 1050, previous: 1000));
    }

    [Fact]
    public void A_value_above_the_soft_range_is_flagged_with_the_value_and_the_range()
    {
        var finding = Assert.Single(QualityRules.Check(Population, 25000, previous: null));

        Assert.Equal(ValidationCodes.QualityAboveExpected, finding.Code);
        Assert.Contains("25000人", finding.Message, StringComparison.Ordinal);
        Assert.Contains("100～20000人", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_relative_jump_names_both_values_and_the_allowed_change()
    {
        var finding = Assert.Single(QualityRules.Check(Population, 10000, previous: 1000));

        Assert.Equal(ValidationCodes.QualityChange, finding.Code);
        Assert.Equal(1000m, finding.Previous);
        Assert.Contains("本期为10000人", finding.Message, StringComparison.Ordinal);
        Assert.Contains("上期为1000人", finding.Message, StringComparison.Ordinal);
        Assert.Contains("±10%", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_absolute_threshold_counts_units_not_percent()
    {
        Assert.Empty(QualityRules.Check(Births, 40, previous: 10));
        Assert.Equal(ValidationCodes.QualityChange, Assert.Single(QualityRules.Check(Births, 41, previous: 10)).Code);
    }

    [Fact]
    public void A_relative_change_from_zero_and_a_field_without_settings_are_not_flagged()
    {
        Assert.Empty(QualityRules.Check(Population with { ExpectedMin = null }, 500, previous: 0));
        Assert.Empty(QualityRules.Check(Plain, 1_000_000, previous: 1));
    }

    [Fact]
    public void The_validator_warns_but_accepts_and_names_the_cell()
    {
        var catalog = new FieldCatalog("2026.11.1", [Population, Plain], []);
        var validator = new SubmissionValidator(catalog);

        var outcome = validator.Validate(
            [new RawValue("pop", "5000", "D7")],
            new Dictionary<string, FieldValue>(),
            Period.Month(2026, 11),
            [],
            new Dictionary<string, FieldValue> { ["pop"] = new(FieldType.Integer, "1000") });

        Assert.True(outcome.IsValid);
        var warning = Assert.Single(outcome.Warnings);
        Assert.Equal(("pop", ValidationCodes.QualityChange, "D7"), (warning.FieldId, warning.Code, warning.Cell));
        Assert.Contains("单元格 D7", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Explanations_are_part_of_the_content_hash_only_when_given()
    {
        var values = new Dictionary<string, FieldValue> { ["pop"] = new(FieldType.Integer, "5000") };

        Assert.Equal(ContentHash.Compute(values), ContentHash.Compute(values, new Dictionary<string, string>()));
        Assert.NotEqual(ContentHash.Compute(values), ContentHash.Compute(values, new Dictionary<string, string> { ["pop"] = "新建小区迁入" }));
    }

    [Fact]
    public void Confirming_an_unchanged_value_with_an_explanation_writes_the_explanation_only()
    {
        var at = new DateTimeOffset(2026, 11, 5, 0, 0, 0, TimeSpan.Zero);
        var stored = new Dictionary<string, StoredValue> { ["pop"] = new(new(FieldType.Integer, "5000"), ValueOrigin.Typed, "S1", at) };
        var request = new MergeRequest("500101001001", Period.Month(2026, 11), "S2", ValueOrigin.Typed,
            new Dictionary<string, FieldValue> { ["pop"] = new(FieldType.Integer, "5000") }, "h", null, "http", at.AddHours(1))
        {
            Explanations = new Dictionary<string, string> { ["pop"] = "新建小区迁入" },
        };

        var plan = MergePlanner.Plan(stored, request);

        Assert.Equal(0, plan.Changed);
        Assert.Equal("新建小区迁入", plan.Writes["pop"].Explanation);
        Assert.Equal("S1", plan.Writes["pop"].SourceId);
    }
}
