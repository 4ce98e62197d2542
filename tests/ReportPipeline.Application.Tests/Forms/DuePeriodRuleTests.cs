using ReportPipeline.Application.Forms;
using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Application.Tests.Forms;

/// <summary>The due period: among the ended periods still waiting for the report, the one whose deadline is nearest today.</summary>
public sealed class DuePeriodRuleTests
{
    private static ReportingPeriodView View(string period, string deadline, bool ended, string? state) =>
        new(period, Period.Parse(period).Kind.ToString(), Period.Parse(period).ToDisplayString(), DateOnly.Parse(deadline, System.Globalization.CultureInfo.InvariantCulture), ended, state, null, false);

    private static readonly Period December = Period.Parse("2026-12");

    [Fact]
    public void On_6_December_the_overdue_November_is_due_not_the_month_in_progress()
    {
        ReportingPeriodView[] periods =
        [
            View("2026-12", "2027-01-03", ended: false, ReportingPeriodsService.NotReported),
            View("2026-Q4", "2027-01-10", ended: false, ReportingPeriodsService.NotReported),
            View("2026-11", "2026-12-03", ended: true, ReportingPeriodsService.Overdue),
            View("2026-10", "2026-11-03", ended: true, ReportingPeriodsService.Reported),
            View("2026-Q3", "2026-10-10", ended: true, ReportingPeriodsService.Reported),
        ];

        Assert.Equal("2026-11", ReportingPeriodsService.Due(periods, new DateOnly(2026, 12, 6), December).Period);
    }

    [Fact]
    public void A_returned_period_is_due_again_and_the_nearest_deadline_wins()
    {
        ReportingPeriodView[] periods =
        [
            View("2026-12", "2027-01-03", ended: false, ReportingPeriodsService.NotReported),
            View("2026-11", "2026-12-03", ended: true, ReportingPeriodsService.Locked),
            View("2026-10", "2026-11-03", ended: true, ReportingPeriodsService.Returned),
            View("2026-Q3", "2026-10-10", ended: true, ReportingPeriodsService.Overdue),
        ];

        Assert.Equal("2026-10", ReportingPeriodsService.Due(periods, new DateOnly(2026, 12, 6), December).Period);
    }

    [Fact]
    public void With_every_ended_period_reported_the_month_in_progress_is_due()
    {
        ReportingPeriodView[] periods =
        [
            View("2026-12", "2027-01-03", ended: false, ReportingPeriodsService.NotReported),
            View("2026-11", "2026-12-03", ended: true, ReportingPeriodsService.Reported),
            View("2026-Q3", "2026-10-10", ended: true, ReportingPeriodsService.Locked),
        ];

        Assert.Equal("2026-12", ReportingPeriodsService.Due(periods, new DateOnly(2026, 12, 6), December).Period);
    }
}
