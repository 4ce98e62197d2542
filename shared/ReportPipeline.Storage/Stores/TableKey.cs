using System.Globalization;
using System.Text;

namespace ReportPipeline.Storage.Stores;

/// <summary>
/// Makes arbitrary text safe as a PartitionKey or RowKey: the service forbids <c>/ \ # ?</c> and control characters.
/// Escaping is reversible and keeps ordinary text (including Chinese) readable.
/// </summary>
public static class TableKey
{
    public const int MaxLength = 1024;

    public static string Escape(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        StringBuilder? builder = null;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (NeedsEscape(c))
            {
                builder ??= new StringBuilder(value, 0, i, value.Length + 8);
                builder.Append('~').Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
            else
            {
                builder?.Append(c);
            }
        }
        return builder?.ToString() ?? value;
    }

    public static string Unescape(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!key.Contains('~', StringComparison.Ordinal))
        {
            return key;
        }
        var builder = new StringBuilder(key.Length);
        for (var i = 0; i < key.Length; i++)
        {
            if (key[i] == '~' && i + 4 < key.Length && int.TryParse(key.AsSpan(i + 1, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
            {
                builder.Append((char)code);
                i += 4;
            }
            else
            {
                builder.Append(key[i]);
            }
        }
        return builder.ToString();
    }

    /// <summary>True when the key can be used as is.</summary>
    public static bool IsValid(string key) => key.Length <= MaxLength && !key.Any(IsForbidden);

    private static bool IsForbidden(char c) => c is '/' or '\\' or '#' or '?' || char.IsControl(c);

    // '~' is escaped too so that unescaping is unambiguous.
    private static bool NeedsEscape(char c) => c == '~' || IsForbidden(c);
}
