using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Azure;

namespace ReportPipeline.Storage.Client;

/// <summary>Entity (de)serialisation in the OData JSON of the Table service, with <c>@odata.type</c> annotations.</summary>
internal static class TableJson
{
    public static byte[] Serialize(TableEntity entity)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("PartitionKey", entity.PartitionKey);
            writer.WriteString("RowKey", entity.RowKey);
            foreach (var (name, value) in entity)
            {
                switch (value)
                {
                    case string s:
                        writer.WriteString(name, s);
                        break;
                    case int i:
                        writer.WriteNumber(name, i);
                        break;
                    case long l:
                        writer.WriteString(name, l.ToString(CultureInfo.InvariantCulture));
                        writer.WriteString(name + "@odata.type", "Edm.Int64");
                        break;
                    case double d:
                        if (double.IsFinite(d))
                        {
                            writer.WriteNumber(name, d);
                        }
                        else
                        {
                            writer.WriteString(name, double.IsNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
                        }
                        writer.WriteString(name + "@odata.type", "Edm.Double");
                        break;
                    case bool b:
                        writer.WriteBoolean(name, b);
                        break;
                    case DateTimeOffset dto:
                        writer.WriteString(name, dto.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture));
                        writer.WriteString(name + "@odata.type", "Edm.DateTime");
                        break;
                    case byte[] bytes:
                        writer.WriteString(name, Convert.ToBase64String(bytes));
                        writer.WriteString(name + "@odata.type", "Edm.Binary");
                        break;
                    case Guid g:
                        writer.WriteString(name, g.ToString("D", CultureInfo.InvariantCulture));
                        writer.WriteString(name + "@odata.type", "Edm.Guid");
                        break;
                }
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static TableEntity Deserialize(JsonElement element, string? etagHeader = null)
    {
        var entity = new TableEntity();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (property.Name.EndsWith("@odata.type", StringComparison.Ordinal))
            {
                types[property.Name[..^"@odata.type".Length]] = property.Value.GetString() ?? "";
            }
        }
        foreach (var property in element.EnumerateObject())
        {
            var name = property.Name;
            if (name.Contains('@', StringComparison.Ordinal))
            {
                continue;
            }
            switch (name)
            {
                case "odata.etag":
                    entity.ETag = new ETag(property.Value.GetString()!);
                    continue;
                case "PartitionKey":
                    entity.PartitionKey = property.Value.GetString()!;
                    continue;
                case "RowKey":
                    entity.RowKey = property.Value.GetString()!;
                    continue;
                case "Timestamp":
                    entity.Timestamp = DateTimeOffset.Parse(property.Value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
                    continue;
            }
            if (name.StartsWith("odata.", StringComparison.Ordinal))
            {
                continue;
            }
            entity[name] = ReadValue(property.Value, types.GetValueOrDefault(name));
        }
        if (etagHeader is not null)
        {
            entity.ETag = new ETag(etagHeader);
        }
        return entity;
    }

    private static object? ReadValue(JsonElement value, string? type) => type switch
    {
        "Edm.Int64" => long.Parse(value.GetString()!, CultureInfo.InvariantCulture),
        "Edm.Int32" => value.ValueKind == JsonValueKind.String ? int.Parse(value.GetString()!, CultureInfo.InvariantCulture) : value.GetInt32(),
        "Edm.Double" => value.ValueKind == JsonValueKind.String
            ? value.GetString() switch
            {
                "NaN" => double.NaN,
                "Infinity" => double.PositiveInfinity,
                "-Infinity" => double.NegativeInfinity,
                var s => double.Parse(s!, CultureInfo.InvariantCulture),
            }
            : value.GetDouble(),
        "Edm.DateTime" => DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal),
        "Edm.Binary" => Convert.FromBase64String(value.GetString()!),
        "Edm.Guid" => Guid.Parse(value.GetString()!, CultureInfo.InvariantCulture),
        "Edm.Boolean" => value.GetBoolean(),
        _ => value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when value.TryGetInt32(out var i) => i,
            JsonValueKind.Number => value.GetDouble(),
            _ => null,
        },
    };
}
