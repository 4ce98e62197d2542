using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Values;
using ReportPipeline.Storage.Client;

namespace ReportPipeline.Storage.Adapters;

/// <summary>
/// Keys and property encoding of the <c>FieldValues</c> table (the arithmetic is in docs/storage-design.md):
/// <list type="bullet">
/// <item>PartitionKey <c>{period}_{district}</c>: all villages of a district for a period in one partition.</item>
/// <item><c>{org}|r|{key hash}</c> receipts and <c>{org}|r|~</c> the latest receipt; <c>{org}|v|{chunk}</c> value chunks
/// (each field one property <c>f_{id}</c>, its value and provenance in one string); both sort inside <c>[{org}|r, {org}|w)</c>,
/// so one range query reads everything a merge needs.</item>
/// <item><c>~a|{org}|{inverted ticks}_{submission}</c> audit entries, after every org's rows, so scans of values skip them.</item>
/// </list>
/// </summary>
internal static class ValueEntityCodec
{
    public const int ChunkCount = 8;
    public const string AuditPrefix = "~a|";
    private const char Separator = '\u001f';

    public static string PartitionKey(Period period, string orgCode) => $"{period}_{orgCode[..Math.Min(6, orgCode.Length)]}";

    public static string OrgRangeStart(string orgCode) => $"{orgCode}|r";

    public static string OrgRangeEnd(string orgCode) => $"{orgCode}|w";

    public static string ChunkKey(string orgCode, int chunk) => $"{orgCode}|v|{chunk.ToString("00", CultureInfo.InvariantCulture)}";

    public static string ReceiptKey(string orgCode, string key) =>
        $"{orgCode}|r|{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32]}";

    public static string LatestKey(string orgCode) => $"{orgCode}|r|~";

    public static string AuditKey(string orgCode, DateTimeOffset at, string submissionId) =>
        $"{AuditPrefix}{orgCode}|{(DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks).ToString("D19", CultureInfo.InvariantCulture)}_{submissionId}";

    public static string OrgOf(string rowKey) => rowKey.StartsWith(AuditPrefix, StringComparison.Ordinal)
        ? rowKey[AuditPrefix.Length..rowKey.IndexOf('|', AuditPrefix.Length)]
        : rowKey[..rowKey.IndexOf('|')];

    public static bool IsChunk(string rowKey) => rowKey.Contains("|v|", StringComparison.Ordinal);

    public static bool IsLatest(string rowKey) => rowKey.EndsWith("|r|~", StringComparison.Ordinal);

    /// <summary>A field's chunk never changes: FNV-1a of its id, so adding fields to the catalog moves nothing.</summary>
    public static int ChunkOf(string fieldId)
    {
        var hash = 2166136261u;
        foreach (var ch in fieldId)
        {
            hash = (hash ^ ch) * 16777619u;
        }

        return (int)(hash % ChunkCount);
    }

    public static string PropertyName(string fieldId) => "f_" + fieldId;

    public static string Encode(StoredValue value)
    {
        var text = string.Join(Separator,
            ((int)value.Value.Type).ToString(CultureInfo.InvariantCulture),
            value.Value.Canonical,
            ((int)value.Origin).ToString(CultureInfo.InvariantCulture),
            value.SourceId,
            value.At.UtcTicks.ToString(CultureInfo.InvariantCulture));
        return value.ConflictsWithPrefill is { } conflict ? text + Separator + conflict.Canonical : text;
    }

    public static StoredValue Decode(string text)
    {
        var parts = text.Split(Separator);
        var type = (FieldType)int.Parse(parts[0], CultureInfo.InvariantCulture);
        return new StoredValue(
            new FieldValue(type, parts[1]),
            (ValueOrigin)int.Parse(parts[2], CultureInfo.InvariantCulture),
            parts[3],
            new DateTimeOffset(long.Parse(parts[4], CultureInfo.InvariantCulture), TimeSpan.Zero))
        {
            ConflictsWithPrefill = parts.Length > 5 ? new FieldValue(type, parts[5]) : null,
        };
    }

    public static void ReadChunk(TableEntity entity, IDictionary<string, StoredValue> into)
    {
        foreach (var (name, value) in entity)
        {
            if (name.StartsWith("f_", StringComparison.Ordinal) && value is string text)
            {
                into[name[2..]] = Decode(text);
            }
        }
    }

    public static TableEntity Receipt(string partitionKey, string rowKey, MergeReceipt receipt, string contentHash) => new(partitionKey, rowKey)
    {
        ["SubmissionId"] = receipt.SubmissionId,
        ["Org"] = receipt.OrgCode,
        ["Period"] = receipt.Period.ToString(),
        ["ReceivedAt"] = receipt.ReceivedAt,
        ["Changed"] = receipt.Changed,
        ["Unchanged"] = receipt.Unchanged,
        ["ConfirmedPrefill"] = receipt.ConfirmedPrefill,
        ["PrefillConflicts"] = string.Join(',', receipt.PrefillConflicts),
        ["Channel"] = receipt.Channel,
        ["EntitiesWritten"] = receipt.EntitiesWritten,
        ["ContentHash"] = contentHash,
    };

    public static MergeReceipt ReadReceipt(TableEntity entity) => new()
    {
        SubmissionId = entity.GetString("SubmissionId") ?? "",
        OrgCode = entity.GetString("Org") ?? "",
        Period = Period.Parse(entity.GetString("Period") ?? "2000"),
        ReceivedAt = entity.GetDateTimeOffset("ReceivedAt") ?? default,
        Changed = entity.GetInt32("Changed") ?? 0,
        Unchanged = entity.GetInt32("Unchanged") ?? 0,
        ConfirmedPrefill = entity.GetInt32("ConfirmedPrefill") ?? 0,
        PrefillConflicts = (entity.GetString("PrefillConflicts") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries),
        Channel = entity.GetString("Channel") ?? "",
        EntitiesWritten = entity.GetInt32("EntitiesWritten") ?? 0,
    };

    public static readonly string[] ReceiptColumns =
        ["RowKey", "SubmissionId", "Org", "Period", "ReceivedAt", "Changed", "Unchanged", "ConfirmedPrefill", "PrefillConflicts", "Channel", "EntitiesWritten", "ContentHash"];

    /// <summary>Audit payloads are gzip'd JSON in binary properties: 1,000 values stay far below the 64 KiB property limit.</summary>
    public static byte[] Pack<T>(T value)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            JsonSerializer.Serialize(gzip, value);
        }

        return buffer.ToArray();
    }

    public static T Unpack<T>(byte[] bytes)
    {
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        return JsonSerializer.Deserialize<T>(gzip)!;
    }
}
