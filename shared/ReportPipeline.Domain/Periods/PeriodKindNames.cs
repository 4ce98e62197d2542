namespace ReportPipeline.Domain.Periods;

public static class PeriodKindNames
{
    /// <summary>The Chinese word used in messages: 月, 季度, 年 (as in 按月报送).</summary>
    public static string ChineseName(this PeriodKind kind) => kind switch
    {
        PeriodKind.Month => "月",
        PeriodKind.Quarter => "季度",
        _ => "年",
    };
}
