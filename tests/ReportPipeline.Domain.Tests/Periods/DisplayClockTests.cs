using ReportPipeline.Domain.Governance;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Domain.Tests.Periods;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DisplayClockCollection
{
    public const string Name = "display clock (process-wide)";
}

/// <summary>Every time a person reads goes through one clock, in the configured zone, saying which zone it is.</summary>
[Collection(DisplayClockCollection.Name)]
public sealed class DisplayClockTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 3, 4, 5, 0, TimeSpan.Zero);

    [Fact]
    public void China_is_the_default_and_says_北京时间()
    {
        Assert.Equal("2026-12-03 12:05", DisplayClock.Format(Noon));
        Assert.Equal("2026-12-03 12:05（北京时间）", DisplayClock.FormatWithZone(Noon));
    }

    [Fact]
    public void Another_configured_zone_is_used_by_the_approval_messages_too()
    {
        DisplayClock.Use(TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo"));
        try
        {
            var record = new ApprovalRecord("500103001001", new Period(PeriodKind.Month, 2026, 11), ApprovalStatus.Approved, "审核员", "500103001000", Noon, null);
            var message = ApprovalRules.LockedMessage(new Org("500103001001", "金汤街社区", OrgLevel.Village, "500103001000"), record);

            Assert.Contains("2026-12-03 13:05（Asia/Tokyo）", message, StringComparison.Ordinal);
        }
        finally
        {
            DisplayClock.Use(Consolidation.ReportingCalendar.China);
        }
    }

    [Fact]
    public void The_zone_is_named_for_a_browser_by_its_iana_id_even_when_configured_by_its_windows_id()
    {
        DisplayClock.Use(TimeZoneInfo.FindSystemTimeZoneById("Tokyo Standard Time"));
        try
        {
            Assert.Equal("Asia/Tokyo", DisplayClock.IanaId);
        }
        finally
        {
            DisplayClock.Use(Consolidation.ReportingCalendar.China);
        }

        Assert.Equal("Asia/Shanghai", DisplayClock.IanaId);
    }
}
