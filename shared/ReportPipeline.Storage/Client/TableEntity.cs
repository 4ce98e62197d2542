using System.Collections;
using Azure;

namespace ReportPipeline.Storage.Client;

/// <summary>
/// A table entity: PartitionKey, RowKey, Timestamp, ETag and typed properties
/// (string, long, int, double, bool, DateTimeOffset, byte[], Guid).
/// </summary>
public sealed class TableEntity : IEnumerable<KeyValuePair<string, object>>
{
    /// <summary>Custom property limit of the Table service (255 minus PartitionKey, RowKey and Timestamp).</summary>
    public const int MaxProperties = 252;

    private readonly Dictionary<string, object> _properties = new(StringComparer.Ordinal);

    public TableEntity()
    {
    }

    public TableEntity(string partitionKey, string rowKey)
    {
        PartitionKey = partitionKey;
        RowKey = rowKey;
    }

    public string PartitionKey { get; set; } = "";

    public string RowKey { get; set; } = "";

    public DateTimeOffset? Timestamp { get; set; }

    public ETag ETag { get; set; }

    public int Count => _properties.Count;

    public IEnumerable<string> Keys => _properties.Keys;

    /// <summary>Gets or sets a custom property; setting null removes it.</summary>
    public object? this[string name]
    {
        get => _properties.TryGetValue(name, out var value) ? value : null;
        set
        {
            ArgumentException.ThrowIfNullOrEmpty(name);
            if (value is null)
            {
                _properties.Remove(name);
                return;
            }
            _properties[name] = value switch
            {
                string or long or int or double or bool or DateTimeOffset or byte[] or Guid => value,
                DateTime dt => new DateTimeOffset(dt.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(dt, DateTimeKind.Utc) : dt),
                _ => throw new ArgumentException($"Property {name}: type {value.GetType().Name} is not supported by Table storage.", nameof(value)),
            };
        }
    }

    public bool ContainsKey(string name) => _properties.ContainsKey(name);

    public bool Remove(string name) => _properties.Remove(name);

    public string? GetString(string name) => this[name] as string;

    public long? GetInt64(string name) => this[name] switch
    {
        long l => l,
        int i => i,
        _ => null,
    };

    public int? GetInt32(string name) => this[name] switch
    {
        int i => i,
        long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
        _ => null,
    };

    public double? GetDouble(string name) => this[name] switch
    {
        double d => d,
        int i => i,
        long l => l,
        _ => null,
    };

    public bool? GetBoolean(string name) => this[name] as bool?;

    public DateTimeOffset? GetDateTimeOffset(string name) => this[name] as DateTimeOffset?;

    public byte[]? GetBinary(string name) => this[name] as byte[];

    public Guid? GetGuid(string name) => this[name] as Guid?;

    public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => _properties.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
