using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Values;
using Azure.Data.Tables;

namespace ReportPipeline.Storage.Stores;

/// <summary>Compact encodings of stored values, receipts and audit entries as table properties.</summary>
internal static class ValueCodec
{
    private const int MaxBinaryProperty = 60 * 1024;

    /// <summary>
    /// One value as a JSON array: [origin, unix ms, source id, type, canonical(, prefill type, prefill canonical(, explanation))].
    /// A value with an explanation but no pre-fill conflict writes nulls for the pre-fill pair; rows written before
    /// explanations existed (5 or 7 elements) read as before.
    /// </summary>
    public static string EncodeValue(StoredValue value)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartArray();
            writer.WriteNumberValue((int)value.Origin);
            writer.WriteNumberValue(value.At.ToUnixTimeMilliseconds());
            writer.WriteStringValue(value.SourceId);
            writer.WriteNumberValue((int)value.Value.Type);
            writer.WriteStringValue(value.Value.Canonical);
            if (value.ConflictsWithPrefill is { } prefill)
            {
                writer.WriteNumberValue((int)prefill.Type);
                writer.WriteStringValue(prefill.Canonical);
            }
            else if (value.Explanation is not null)
            {
                writer.WriteNullValue();
                writer.WriteNullValue();
            }

            if (value.Explanation is { } explanation)
            {
                writer.WriteStringValue(explanation);
            }
            writer.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    public static StoredValue DecodeValue(string text)
    {
        using var json = JsonDocument.Parse(text);
        var a = json.RootElement;
        var value = new StoredValue(
            new FieldValue((FieldType)a[3].GetInt32(), a[4].GetString()!),
            (ValueOrigin)a[0].GetInt32(),
            a[2].GetString()!,
            DateTimeOffset.FromUnixTimeMilliseconds(a[1].GetInt64()));
        var length = a.GetArrayLength();
        if (length >= 7 && a[5].ValueKind == JsonValueKind.Number)
        {
            value = value with { ConflictsWithPrefill = new FieldValue((FieldType)a[5].GetInt32(), a[6].GetString()!) };
        }

        return length >= 8 && a[7].ValueKind == JsonValueKind.String ? value with { Explanation = a[7].GetString() } : value;
    }

    public static void DecodeChunk(TableEntity chunk, IDictionary<string, StoredValue> into)
    {
        foreach (var (name, property) in chunk)
        {
            if (property is string text && ValueKeys.FieldIdOf(name) is { } fieldId)
            {
                into[fieldId] = DecodeValue(text);
            }
        }
    }

    public static TableEntity EncodeReceipt(string partitionKey, string rowKey, MergeReceipt receipt, string contentHash, ValueOrigin origin)
    {
        var entity = Receipt(partitionKey, rowKey, receipt, contentHash, origin);
        if (receipt.FirstReportedAt is { } first)
        {
            entity["FirstReportedAt"] = first;
        }

        if (receipt.LastReportedAt is { } last)
        {
            entity["LastReportedAt"] = last;
        }

        if (receipt.CommittedAt is { } committed)
        {
            entity["CommittedAt"] = committed;
        }

        return entity;
    }

    private static TableEntity Receipt(string partitionKey, string rowKey, MergeReceipt receipt, string contentHash, ValueOrigin origin) => new(partitionKey, rowKey)
    {
        ["SubmissionId"] = receipt.SubmissionId,
        ["OrgCode"] = receipt.OrgCode,
        ["ReceivedAt"] = receipt.ReceivedAt,
        ["Changed"] = receipt.Changed,
        ["Unchanged"] = receipt.Unchanged,
        ["ConfirmedPrefill"] = receipt.ConfirmedPrefill,
        ["PrefillConflicts"] = JsonSerializer.Serialize(receipt.PrefillConflicts),
        ["Channel"] = receipt.Channel,
        ["EntitiesWritten"] = receipt.EntitiesWritten,
        ["ContentHash"] = contentHash,
        ["Origin"] = origin.ToString(),
    };

    public static MergeReceipt DecodeReceipt(TableEntity entity, Period period) => new()
    {
        SubmissionId = entity.GetString("SubmissionId") ?? "",
        OrgCode = entity.GetString("OrgCode") ?? ValueKeys.OrgOf(entity.RowKey),
        Period = period,
        ReceivedAt = entity.GetDateTimeOffset("ReceivedAt") ?? default,
        Changed = entity.GetInt32("Changed") ?? 0,
        Unchanged = entity.GetInt32("Unchanged") ?? 0,
        ConfirmedPrefill = entity.GetInt32("ConfirmedPrefill") ?? 0,
        PrefillConflicts = JsonSerializer.Deserialize<List<string>>(entity.GetString("PrefillConflicts") ?? "[]") ?? [],
        Channel = entity.GetString("Channel") ?? "",
        EntitiesWritten = entity.GetInt32("EntitiesWritten") ?? 0,
        FirstReportedAt = entity.GetDateTimeOffset("FirstReportedAt"),
        LastReportedAt = entity.GetDateTimeOffset("LastReportedAt"),
        CommittedAt = entity.GetDateTimeOffset("CommittedAt"),
    };

    /// <summary>Explanations are absent from entries written before they existed (null then).</summary>
    private sealed record AuditPayload(Dictionary<string, string> Values, List<ValueChange> Changes, Dictionary<string, string>? Explanations = null);

    /// <summary>The normalised values and changes as gzip'd JSON, split over binary properties of at most 60 KiB.</summary>
    public static TableEntity EncodeAudit(string partitionKey, string rowKey, MergeRequest request, IReadOnlyList<ValueChange> changes, DateTimeOffset committedAt)
    {
        var payload = new AuditPayload(
            request.Values.ToDictionary(v => v.Key, v => v.Value.Canonical, StringComparer.Ordinal),
            changes.ToList(),
            request.Explanations.Count == 0 ? null : request.Explanations.ToDictionary(StringComparer.Ordinal));
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            JsonSerializer.Serialize(gzip, payload);
        }
        var bytes = buffer.ToArray();
        var entity = new TableEntity(partitionKey, rowKey)
        {
            ["SubmissionId"] = request.SubmissionId,
            ["OrgCode"] = request.OrgCode,
            ["ReceivedAt"] = request.ReceivedAt,
            ["CommittedAt"] = committedAt,
            ["Channel"] = request.Channel,
            ["Origin"] = request.Origin.ToString(),
            ["ContentHash"] = request.ContentHash,
        };
        if (request.Subject is { } subject)
        {
            entity["Subject"] = subject;
        }

        if (request.SubjectOrg is { } subjectOrg)
        {
            entity["SubjectOrg"] = subjectOrg;
        }

        var parts = 0;
        for (var offset = 0; offset < bytes.Length; offset += MaxBinaryProperty, parts++)
        {
            entity["Payload" + parts.ToString(CultureInfo.InvariantCulture)] = bytes.AsSpan(offset, Math.Min(MaxBinaryProperty, bytes.Length - offset)).ToArray();
        }
        entity["PayloadParts"] = parts;
        return entity;
    }

    public static AuditEntry DecodeAudit(TableEntity entity, Period period)
    {
        var parts = entity.GetInt32("PayloadParts") ?? 0;
        using var buffer = new MemoryStream();
        for (var i = 0; i < parts; i++)
        {
            buffer.Write(entity.GetBinary("Payload" + i.ToString(CultureInfo.InvariantCulture)));
        }
        buffer.Position = 0;
        AuditPayload? payload = null;
        if (buffer.Length > 0)
        {
            using var gzip = new GZipStream(buffer, CompressionMode.Decompress);
            payload = JsonSerializer.Deserialize<AuditPayload>(gzip);
        }
        return new AuditEntry(
            entity.GetString("SubmissionId") ?? "",
            entity.GetString("OrgCode") ?? ValueKeys.OrgOf(entity.RowKey),
            period,
            entity.GetDateTimeOffset("ReceivedAt") ?? default,
            entity.GetString("Channel") ?? "",
            Enum.TryParse<ValueOrigin>(entity.GetString("Origin"), out var origin) ? origin : ValueOrigin.Typed,
            payload?.Values ?? [],
            payload?.Changes ?? [])
        {
            // Entries written before commit times were kept were keyed by arrival time.
            CommittedAt = entity.GetDateTimeOffset("CommittedAt") ?? entity.GetDateTimeOffset("ReceivedAt") ?? default,
            // Entries written before the sender was kept have neither property.
            Subject = entity.GetString("Subject"),
            SubjectOrg = entity.GetString("SubjectOrg"),
        };
    }
}
