using System.Text;
using Microsoft.AspNetCore.Http;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Application.Http;

/// <summary>
/// <c>GET orgs/{org}/status/{period}</c> (who reported) and <c>GET orgs/{org}/status/{period}/missing.csv</c> (the 催报
/// list).
/// </summary>
public sealed class StatusApi(ApiRoute route, StatusService status)
{
    private const string CsvContentType = "text/csv; charset=utf-8";

    public Task<IResult> GetStatusAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken) =>
        route.RunAsync(request, ApiAction.ReadStatus, org, period,
            async target => Results.Json(await status.GetAsync(target.Org, target.Period, cancellationToken)), cancellationToken);

    /// <summary>
    /// The area's villages that have not reported, one a line: 单位代码, 单位名称, 所属乡镇（街道）, 所属区县, 统计期, 截止日期.
    /// UTF-8 with a BOM, so that Excel and WPS open the Chinese text as text; a name that would start a formula is quoted
    /// as text.
    /// </summary>
    public Task<IResult> GetMissingCsvAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken) =>
        route.RunAsync(request, ApiAction.ReadStatus, org, period, async target =>
        {
            var missing = await status.MissingAsync(target.Org, target.Period, cancellationToken);
            var deadline = status.Deadline(target.Period).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            var text = new StringBuilder();
            text.Append("单位代码,单位名称,所属乡镇（街道）,所属区县,统计期,截止日期\r\n");
            foreach (var village in missing)
            {
                text.AppendJoin(',', Cell(village.Org), Cell(village.Name), Cell(village.Township), Cell(village.District),
                    Cell(target.Period.ToDisplayString()), deadline).Append("\r\n");
            }

            var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(text.ToString())).ToArray();
            var name = $"催报名单_{target.Org.Name}_{target.Period}.csv";
            return new FileDownloadResult(new MemoryStream(bytes, writable: false), CsvContentType, name);
        }, cancellationToken);

    /// <summary>A CSV field: quoted when it holds a comma, quote or line break; a leading = + - @ is kept as text.</summary>
    internal static string Cell(string? value)
    {
        var text = value ?? "";
        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@')
        {
            text = "'" + text;
        }

        return text.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
    }
}
