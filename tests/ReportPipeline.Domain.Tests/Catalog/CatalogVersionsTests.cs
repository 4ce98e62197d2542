using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Domain.Tests.Catalog;

public sealed class CatalogVersionsTests
{
    private static readonly CatalogVersionEntry[] s_versions =
    [
        new("2027.1.1", Period.Parse("2027-01")),
        new("2026.1.1", null),
        new("2026.11.1", Period.Parse("2026-11")),
    ];

    [Theory]
    [InlineData("2026-10", "2026.1.1")]
    [InlineData("2026-11", "2026.11.1")]
    [InlineData("2026-12", "2026.11.1")]
    [InlineData("2026-Q4", "2026.1.1")]
    [InlineData("2026", "2026.1.1")]
    [InlineData("2027-Q1", "2027.1.1")]
    [InlineData("2027-06", "2027.1.1")]
    public void The_version_in_force_is_the_last_to_come_into_force_by_the_periods_first_day(string period, string expected)
    {
        Assert.Equal(expected, CatalogVersions.InForce(s_versions, Period.Parse(period)));
    }

    [Fact]
    public void Without_a_period_the_newest_version_applies_and_before_the_first_none_does()
    {
        Assert.Equal("2027.1.1", CatalogVersions.InForce(s_versions, period: null));
        Assert.Null(CatalogVersions.InForce([new CatalogVersionEntry("2027.1.1", Period.Parse("2027-01"))], Period.Parse("2026-12")));
    }
}
