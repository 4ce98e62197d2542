using System.Globalization;
using System.Text;
using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Storage.Stores;

/// <summary>
/// Keys of the values table. One partition per (period, district): <c>2026-11_500103</c>. Row keys start with the row
/// kind so that each read path is one contiguous range: <c>v|{org}|{chunk}</c> value chunks, <c>l|{org}</c> the latest
/// receipt, <c>k|{org}|{idempotency key}</c> receipts by key, <c>a|{org}|{inverted ticks}_{submission}</c> audit entries.
/// </summary>
public static class ValueKeys
{
    public static string PeriodText(Period period) => period.Kind switch
    {
        PeriodKind.Year => period.Year.ToString("D4", CultureInfo.InvariantCulture),
        PeriodKind.Quarter => string.Create(CultureInfo.InvariantCulture, $"{period.Year:D4}-Q{period.Number}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{period.Year:D4}-{period.Number:D2}"),
    };

    /// <summary>The district (county level) is the first six digits of the 12-digit code.</summary>
    public static string Partition(Period period, string orgCode)
    {
        ValidateOrg(orgCode);
        return PeriodText(period) + "_" + Domain.Orgs.OrgRegistry.DistrictPrefix(orgCode);
    }

    public static string ValueChunk(string orgCode, int chunk) => string.Create(CultureInfo.InvariantCulture, $"v|{orgCode}|{chunk:D2}");

    public static string ValuePrefix(string orgCode) => "v|" + orgCode + "|";

    public const string AllValuesPrefix = "v|";

    public static string LatestReceipt(string orgCode) => "l|" + orgCode;

    public const string AllLatestPrefix = "l|";

    public static string KeyedReceipt(string orgCode, string idempotencyKey) => "k|" + orgCode + "|" + Bounded(TableKey.Escape(idempotencyKey), idempotencyKey);

    public static string AuditPrefix(string orgCode) => "a|" + orgCode + "|";

    /// <summary>
    /// Newest first: the commit time's ticks are inverted so an ascending range scan returns the last writer first.
    /// Commit times of one org strictly increase (see <c>TableFieldValueStore</c>), so the order is the commit order.
    /// </summary>
    public static string Audit(string orgCode, DateTimeOffset committedAt, string submissionId)
        => string.Create(CultureInfo.InvariantCulture, $"a|{orgCode}|{DateTimeOffset.MaxValue.UtcTicks - committedAt.UtcTicks:D19}_") + TableKey.Escape(submissionId);

    /// <summary>The org code of a <c>v|</c>, <c>l|</c>, <c>k|</c> or <c>a|</c> row key.</summary>
    public static string OrgOf(string rowKey)
    {
        var end = rowKey.IndexOf('|', 2);
        return end < 0 ? rowKey[2..] : rowKey[2..end];
    }

    public static int ChunkOf(string fieldId, int chunkCount)
    {
        // FNV-1a: stable across processes and versions, unlike string.GetHashCode.
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(fieldId))
        {
            hash = (hash ^ b) * 16777619u;
        }
        return (int)(hash % (uint)chunkCount);
    }

    /// <summary>Field ids are ASCII; anything that is not a letter or digit becomes <c>_XXXX</c> so the name is a valid property name.</summary>
    public static string PropertyName(string fieldId)
    {
        var builder = new StringBuilder("f", fieldId.Length + 1);
        foreach (var c in fieldId)
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('_').Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }

    public static string? FieldIdOf(string propertyName)
    {
        if (propertyName.Length < 2 || propertyName[0] != 'f')
        {
            return null;
        }
        var builder = new StringBuilder(propertyName.Length);
        for (var i = 1; i < propertyName.Length; i++)
        {
            if (propertyName[i] == '_' && i + 4 < propertyName.Length
                && int.TryParse(propertyName.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
            {
                builder.Append((char)code);
                i += 4;
            }
            else
            {
                builder.Append(propertyName[i]);
            }
        }
        return builder.ToString();
    }

    private static void ValidateOrg(string orgCode)
    {
        if (!Domain.Orgs.OrgRegistry.IsValidCode(orgCode))
        {
            throw new ArgumentException($"组织代码“{orgCode}”应为 12 位数字。", nameof(orgCode));
        }
    }

    // A key is a client's header; keep the row key well under the 1 KiB limit.
    /// <summary>
    /// Bounds the key after escaping (escaping can triple its length): a long key keeps a readable prefix and the hash of
    /// the whole original, so distinct keys stay distinct and the row key stays far below the 1 KiB limit.
    /// </summary>
    private static string Bounded(string escaped, string original) => escaped.Length <= 200
        ? escaped
        : escaped[..120] + "~" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(original)));
}
