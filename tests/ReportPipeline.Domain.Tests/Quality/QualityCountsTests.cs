using ReportPipeline.Domain.Quality;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Domain.Tests.Quality;

public sealed class QualityCountsTests
{
    private static QualityFlag Flag(string org, string field, string code, string? explanation = null) =>
        new(org, org, "某镇", field, field, "人", 1m, null, code, "原因", explanation);

    [Fact]
    public void Counts_of_two_units_add_up_to_the_counts_of_their_flags_together_per_field_and_check()
    {
        var first = new[] { Flag("a", "pop_resident", ValidationCodes.QualityChange, "新建小区"), Flag("a", "pop_resident", ValidationCodes.QualityOutlier) };
        var second = new[] { Flag("b", "pop_resident", ValidationCodes.QualityChange), Flag("b", "employed_local", ValidationCodes.QualityAboveExpected, "已核实") };

        var sum = QualityCounts.Sum("office", [QualityCounts.Of("a", first), QualityCounts.Of("b", second)]);

        Assert.Equal(QualityCounts.Of("office", [.. first, .. second]).Tallies, sum.Tallies);
        Assert.Equal(4, sum.Flags);
        Assert.Equal(2, sum.Explained);
        Assert.Equal(2, sum.ByCheck[ValidationCodes.QualityChange]);
    }

    [Fact]
    public void A_caller_who_may_read_some_fields_is_counted_on_those_only()
    {
        var counts = QualityCounts.Of("a", [Flag("a", "pop_resident", ValidationCodes.QualityChange), Flag("a", "employed_local", ValidationCodes.QualityChange, "已核实")]);

        var only = counts.Only(field => field == "employed_local");

        Assert.Equal(1, only.Flags);
        Assert.Equal(1, only.Explained);
        Assert.Equal("employed_local", Assert.Single(only.Tallies).Field);
    }
}
