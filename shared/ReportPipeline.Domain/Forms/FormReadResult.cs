using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Domain.Forms;

/// <summary>
/// What an uploaded form workbook held. <see cref="Values"/> are the values to submit (typed, carried-forward suggestions
/// kept, and pre-filled values the clerk changed); <see cref="UnchangedPrefill"/> are locked pre-filled values left as issued.
/// <see cref="Errors"/> are structural problems; when there are any, nothing should be submitted.
/// </summary>
public sealed record FormReadResult
{
    public string? OrgCode { get; init; }
    public string? PeriodText { get; init; }
    public string? CatalogVersion { get; init; }
    /// <summary>
    /// The version of the org's values the workbook was issued with (<see cref="ReportPipeline.Domain.Values.ValuesVersion"/>): its upload is
    /// checked against it as if sent with <c>If-Match</c>. Null for a workbook without it (older forms, foreign sheets).
    /// </summary>
    public string? ValuesVersion { get; init; }
    /// <summary>True when the workbook carried our metadata; false for a best-effort read of a foreign sheet.</summary>
    public bool IsOurForm { get; init; }
    public IReadOnlyList<RawValue> Values { get; init; } = [];
    public IReadOnlyList<RawValue> UnchangedPrefill { get; init; } = [];
    public IReadOnlyList<ValidationError> Errors { get; init; } = [];

    public bool IsValid => Errors.Count == 0;

    /// <summary>
    /// Errors when the workbook was issued for another org, period or catalog version than the upload's route says.
    /// A foreign workbook without metadata only fails when it states something different.
    /// </summary>
    public IReadOnlyList<ValidationError> CheckMatches(string orgCode, Period period, string catalogVersion)
    {
        var errors = new List<ValidationError>();
        if (OrgCode is not null && !string.Equals(OrgCode, orgCode, StringComparison.Ordinal))
        {
            errors.Add(new ValidationError(null, "wrong_org",
                $"这份表格是为单位 {OrgCode} 下发的，不能作为 {orgCode} 的填报上传，请下载本单位的表格。", "_meta!B2"));
        }

        var expected = period.ToString();
        if (PeriodText is not null && !string.Equals(PeriodText, expected, StringComparison.Ordinal))
        {
            errors.Add(new ValidationError(null, "wrong_period",
                $"这份表格的统计期是 {PeriodText}，本次上传的统计期是 {expected}，请下载对应统计期的表格。", "_meta!B3"));
        }

        if (CatalogVersion is not null && !string.Equals(CatalogVersion, catalogVersion, StringComparison.Ordinal))
        {
            errors.Add(new ValidationError(null, "stale_catalog",
                $"这份表格使用的指标版本 {CatalogVersion} 已过期（当前版本 {catalogVersion}），请重新下载表格后填报。", "_meta!B4"));
        }

        return errors;
    }
}
