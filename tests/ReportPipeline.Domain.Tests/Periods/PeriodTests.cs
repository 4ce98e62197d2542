using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Domain.Tests.Periods;

public sealed class PeriodTests
{
    [Theory]
    [InlineData("2026", PeriodKind.Year, 2026, 0)]
    [InlineData("2026-Q4", PeriodKind.Quarter, 2026, 4)]
    [InlineData("2026-q1", PeriodKind.Quarter, 2026, 1)]
    [InlineData("2026-11", PeriodKind.Month, 2026, 11)]
    [InlineData(" 2026-03 ", PeriodKind.Month, 2026, 3)]
    public void Parses_year_quarter_and_month(string text, PeriodKind kind, int year, int number)
    {
        var period = Period.Parse(text);

        Assert.Equal(new Period(kind, year, number), period);
    }

    [Theory]
    [InlineData("")]
    [InlineData("26")]
    [InlineData("2026-13")]
    [InlineData("2026-Q5")]
    [InlineData("2026-Q0")]
    [InlineData("2026/11")]
    [InlineData("2026-11-01")]
    [InlineData("2026-1")]
    [InlineData("2026-Q")]
    [InlineData("二〇二六")]
    public void Rejects_malformed_periods(string text)
    {
        Assert.False(Period.TryParse(text, out _));
        var error = Assert.Throws<FormatException>(() => Period.Parse(text));
        Assert.Contains("报告期", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026")]
    [InlineData("2026-Q4")]
    [InlineData("2026-01")]
    public void Formats_back_to_the_text_it_was_parsed_from(string text)
    {
        Assert.Equal(text, Period.Parse(text).ToString());
    }

    [Fact]
    public void Displays_in_chinese()
    {
        Assert.Equal("2026年", Period.OfYear(2026).ToDisplayString());
        Assert.Equal("2026年第四季度", Period.Quarter(2026, 4).ToDisplayString());
        Assert.Equal("2026年11月", Period.Month(2026, 11).ToDisplayString());
    }

    [Fact]
    public void A_year_contains_its_quarters_and_months_and_a_quarter_its_months()
    {
        var year = Period.OfYear(2026);
        var q4 = Period.Quarter(2026, 4);

        Assert.True(year.Contains(q4));
        Assert.True(year.Contains(Period.Month(2026, 1)));
        Assert.True(q4.Contains(Period.Month(2026, 11)));
        Assert.True(q4.Contains(q4));
        Assert.False(q4.Contains(Period.Month(2026, 9)));
        Assert.False(q4.Contains(year));
        Assert.False(Period.Month(2026, 11).Contains(q4));
        Assert.False(year.Contains(Period.Month(2025, 12)));
    }

    [Theory]
    [InlineData("2026-01", "2025-12")]
    [InlineData("2026-11", "2026-10")]
    [InlineData("2026-Q1", "2025-Q4")]
    [InlineData("2026-Q3", "2026-Q2")]
    [InlineData("2026", "2025")]
    public void Previous_steps_back_one_period_of_the_same_kind(string text, string expected)
    {
        Assert.Equal(expected, Period.Parse(text).Previous().ToString());
    }

    [Fact]
    public void Start_end_and_deadline_follow_the_calendar()
    {
        var february = Period.Month(2028, 2);
        var q4 = Period.Quarter(2026, 4);

        Assert.Equal(new DateOnly(2028, 2, 1), february.Start);
        Assert.Equal(new DateOnly(2028, 2, 29), february.End);
        Assert.Equal(new DateOnly(2026, 10, 1), q4.Start);
        Assert.Equal(new DateOnly(2026, 12, 31), q4.End);
        Assert.Equal(new DateOnly(2027, 1, 10), q4.Deadline(10));
        Assert.Equal(new DateOnly(2026, 12, 5), Period.Month(2026, 11).Deadline(5));
    }

    [Fact]
    public void Months_enumerates_the_contained_months()
    {
        Assert.Equal(["2026-10", "2026-11", "2026-12"], Period.Quarter(2026, 4).Months.Select(m => m.ToString()));
        Assert.Equal(12, Period.OfYear(2026).Months.Count());
        Assert.Equal(["2026-05"], Period.Month(2026, 5).Months.Select(m => m.ToString()));
    }

    [Fact]
    public void Sorts_chronologically_with_the_longer_period_first_on_a_tie()
    {
        var sorted = new[] { "2026-11", "2026", "2025-12", "2026-Q4", "2026-01" }.Select(Period.Parse).Order().Select(p => p.ToString());

        Assert.Equal(["2025-12", "2026", "2026-01", "2026-Q4", "2026-11"], sorted);
    }

    [Fact]
    public void Serialises_to_json_as_its_text()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(new { period = Period.Quarter(2026, 4) });

        Assert.Equal("{\"period\":\"2026-Q4\"}", json);
        Assert.Equal(Period.Month(2026, 11), System.Text.Json.JsonSerializer.Deserialize<Period>("\"2026-11\""));
    }

    [Theory]
    [InlineData("1900-01", false)]
    [InlineData("1901-01", true)]
    [InlineData("9998-Q4", true)]
    [InlineData("9999", false)]
    public void Only_periods_with_a_previous_period_and_a_deadline_are_supported(string text, bool supported)
    {
        var period = Period.Parse(text);

        Assert.Equal(supported, period.IsSupported);
        if (supported)
        {
            _ = period.Previous();
            _ = period.Deadline(30);
        }
    }

    [Theory]
    [InlineData("2026-Q3", PeriodKind.Month, "2026-09")]
    [InlineData("2026", PeriodKind.Quarter, "2026-Q4")]
    [InlineData("2026-09", PeriodKind.Quarter, "2026-Q3")]
    [InlineData("2026-12", PeriodKind.Year, "2026")]
    [InlineData("2026-08", PeriodKind.Quarter, null)]
    [InlineData("2026-Q3", PeriodKind.Year, null)]
    public void The_period_of_another_kind_ending_with_this_one_is_found_only_when_the_ends_meet(string period, PeriodKind kind, string? expected)
    {
        Assert.Equal(expected is null ? null : Period.Parse(expected), Period.Parse(period).SameEnd(kind));
    }
}
