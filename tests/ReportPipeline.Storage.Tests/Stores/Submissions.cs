using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Values;

namespace ReportPipeline.Storage.Tests.Stores;

/// <summary>Builds merge requests the way the submission handler does: normalised values and their content hash.</summary>
internal static class Submissions
{
    public static readonly Period November = new(PeriodKind.Month, 2026, 11);
    public static readonly DateTimeOffset Morning = new(2026, 11, 28, 9, 0, 0, TimeSpan.FromHours(8));

    public static Dictionary<string, FieldValue> Numbers(int count, int seed = 0, int firstField = 0)
        => Enumerable.Range(firstField, count).ToDictionary(
            i => "F" + i.ToString("D4", CultureInfo.InvariantCulture),
            i => new FieldValue(FieldType.Integer, (i * 7 + seed).ToString(CultureInfo.InvariantCulture)));

    public static MergeRequest Request(
        string org,
        IReadOnlyDictionary<string, FieldValue> values,
        string? submissionId = null,
        ValueOrigin origin = ValueOrigin.Typed,
        string? idempotencyKey = null,
        DateTimeOffset? at = null,
        Period? period = null)
        => new(org, period ?? November, submissionId ?? Guid.NewGuid().ToString("N"), origin, values, Hash(values), idempotencyKey, "http", at ?? Morning);

    public static string Hash(IReadOnlyDictionary<string, FieldValue> values)
    {
        var text = string.Join('\n', values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => v.Key + "=" + v.Value.Canonical));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
