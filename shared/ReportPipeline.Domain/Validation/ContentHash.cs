using System.Security.Cryptography;
using System.Text;
using ReportPipeline.Domain.Values;

namespace ReportPipeline.Domain.Validation;

/// <summary>SHA-256 (lower-case hex) over the canonical values sorted by field id: equal content, equal hash, whatever the input order or formatting.</summary>
public static class ContentHash
{
    public static string Compute(IReadOnlyDictionary<string, FieldValue> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var builder = new StringBuilder();
        foreach (var (id, value) in values.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            builder.Append(id).Append('\u001F').Append(value.Canonical).Append('\u001E');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())));
    }

    /// <summary>
    /// The values and the clerk's explanations: resending the same numbers with an explanation is new content (the
    /// explanation must be stored), while without explanations the hash is the values' hash as before.
    /// </summary>
    public static string Compute(IReadOnlyDictionary<string, FieldValue> values, IReadOnlyDictionary<string, string> explanations)
    {
        ArgumentNullException.ThrowIfNull(explanations);
        if (explanations.Count == 0)
        {
            return Compute(values);
        }

        var builder = new StringBuilder(Compute(values));
        foreach (var (id, text) in explanations.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            builder.Append('\u001D').Append(id).Append('\u001F').Append(text);
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(builder.ToString())));
    }

    public static string Compute(ReadOnlySpan<byte> content) => Convert.ToHexStringLower(SHA256.HashData(content));
}
