using System.Globalization;
using System.Text;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Values;

namespace ReportPipeline.Domain.Validation;

/// <summary>
/// The result of normalising one raw text: a value, nothing (the cell was empty or said “无”), or an error code
/// (<c>not_a_number</c>, <c>not_an_integer</c>, …) to be turned into a message by the validator.
/// </summary>
public readonly record struct NormalisedValue(FieldValue? Value, string? ErrorCode)
{
    public bool IsMissing => Value is null && ErrorCode is null;
    public static NormalisedValue Missing => default;
    public static NormalisedValue Of(FieldType type, string canonical) => new(new FieldValue(type, canonical), null);
    public static NormalisedValue Error(string code) => new(null, code);
}

/// <summary>
/// Turns what a clerk typed into the canonical form: full-width characters to half-width, thousands separators
/// and surrounding spaces removed, “—”/“无”/“/” read as missing, booleans, dates and enum labels recognised.
/// </summary>
public static class ValueNormaliser
{
    private static readonly DateOnly ExcelEpoch = new(1899, 12, 30);
    private static readonly string[] MissingTokens = ["-", "--", "—", "——", "－", "无", "/", "／", "\\", "空", "N/A", "n/a", "NA"];
    private static readonly string[] DateFormats = ["yyyy-M-d", "yyyy/M/d", "yyyy.M.d", "yyyy年M月d日", "yyyyMMdd"];
    private static readonly string[] DateTimeFormats = ["yyyy-M-d H:mm:ss", "yyyy/M/d H:mm:ss", "yyyy-MM-ddTHH:mm:ss"];

    /// <summary>Half-width, trimmed text, or null when the text means “nothing here”.</summary>
    public static string? Clean(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var cleaned = ToHalfWidth(text).Trim().Trim('\u00A0', '\u200B', '\uFEFF').Trim();
        return cleaned.Length == 0 || MissingTokens.Contains(cleaned, StringComparer.Ordinal) ? null : cleaned;
    }

    /// <summary>Full-width ASCII (U+FF01–FF5E), the ideographic space and common Chinese punctuation to half-width.</summary>
    public static string ToHalfWidth(string text)
    {
        StringBuilder? builder = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            var mapped = c switch
            {
                >= '\uFF01' and <= '\uFF5E' => (char)(c - 0xFEE0),
                '\u3000' or '\u00A0' => ' ',
                '。' => '.',
                '、' => ',',
                _ => c,
            };
            if (mapped != c)
            {
                builder ??= new StringBuilder(text, 0, i, text.Length);
            }

            builder?.Append(mapped);
        }

        return builder?.ToString() ?? text;
    }

    public static NormalisedValue Normalise(FieldDefinition field, string? text)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (field.Type is FieldType.Text)
        {
            var trimmed = text?.Trim().Trim('\u00A0', '\u3000').Trim();
            if (string.IsNullOrEmpty(trimmed) || MissingTokens.Contains(trimmed, StringComparer.Ordinal))
            {
                return NormalisedValue.Missing;
            }

            return trimmed.Length > field.MaxLength ? NormalisedValue.Error(ValidationCodes.TextTooLong) : NormalisedValue.Of(FieldType.Text, trimmed);
        }

        var cleaned = Clean(text);
        if (cleaned is null)
        {
            return NormalisedValue.Missing;
        }

        return field.Type switch
        {
            FieldType.Integer or FieldType.Decimal => NormaliseNumber(field, cleaned),
            FieldType.Boolean => NormaliseBoolean(cleaned),
            FieldType.Date => NormaliseDate(cleaned),
            FieldType.Enum => NormaliseEnum(field, cleaned),
            _ => NormalisedValue.Of(field.Type, cleaned),
        };
    }

    /// <summary>Parses <c>1,234.5</c>, <c>-3</c>, <c>12.5%</c> (for a percent field); null when it is not a number.</summary>
    public static decimal? ParseNumber(string cleaned, bool allowPercentSign)
    {
        var text = cleaned.Replace(" ", "", StringComparison.Ordinal);
        if (allowPercentSign && text.EndsWith('%'))
        {
            text = text[..^1];
        }

        if (text.Contains(',', StringComparison.Ordinal))
        {
            if (!HasValidThousands(text))
            {
                return null;
            }

            text = text.Replace(",", "", StringComparison.Ordinal);
        }

        return decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
    }

    /// <summary>Invariant text without trailing zeros or exponent: 1234.5, 0.05, -3.</summary>
    public static string FormatNumber(decimal value)
    {
        var text = value.ToString("0.############################", CultureInfo.InvariantCulture);
        return text == "-0" ? "0" : text;
    }

    public static int DecimalPlaces(decimal value)
    {
        var normalised = value / 1.0000000000000000000000000000m;
        return (decimal.GetBits(normalised)[3] >> 16) & 0xFF;
    }

    private static NormalisedValue NormaliseNumber(FieldDefinition field, string cleaned)
    {
        if (ParseNumber(cleaned, allowPercentSign: field.Unit == "%") is not { } value)
        {
            return NormalisedValue.Error(ValidationCodes.NotANumber);
        }

        if (field.Type is FieldType.Integer && decimal.Truncate(value) != value)
        {
            return NormalisedValue.Error(ValidationCodes.NotAnInteger);
        }

        if (field.Type is FieldType.Decimal && DecimalPlaces(value) > field.Precision)
        {
            return NormalisedValue.Error(ValidationCodes.TooManyDecimals);
        }

        if ((field.Min is { } min && value < min) || (field.Max is { } max && value > max))
        {
            return new NormalisedValue(new FieldValue(field.Type, FormatNumber(value)), ValidationCodes.OutOfRange);
        }

        return NormalisedValue.Of(field.Type, FormatNumber(value));
    }

    private static NormalisedValue NormaliseBoolean(string cleaned) => cleaned.ToUpperInvariant() switch
    {
        "是" or "Y" or "YES" or "TRUE" or "1" or "√" or "有" or "T" => NormalisedValue.Of(FieldType.Boolean, "true"),
        "否" or "N" or "NO" or "FALSE" or "0" or "×" or "X" or "F" => NormalisedValue.Of(FieldType.Boolean, "false"),
        _ => NormalisedValue.Error(ValidationCodes.NotABoolean),
    };

    private static NormalisedValue NormaliseDate(string cleaned)
    {
        var text = cleaned;
        if (DateOnly.TryParseExact(text, DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return NormalisedValue.Of(FieldType.Date, date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        if (DateTime.TryParseExact(text, DateTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var dateTime))
        {
            return NormalisedValue.Of(FieldType.Date, dateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        // Excel stores dates as days since 1899-12-30; a cell read without its format arrives as that number.
        if (decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var serial) && serial is >= 1 and < 2958466)
        {
            var fromSerial = ExcelEpoch.AddDays((int)decimal.Truncate(serial));
            return NormalisedValue.Of(FieldType.Date, fromSerial.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        return NormalisedValue.Error(ValidationCodes.NotADate);
    }

    private static NormalisedValue NormaliseEnum(FieldDefinition field, string cleaned)
    {
        foreach (var option in field.Options)
        {
            if (string.Equals(option.Code, cleaned, StringComparison.OrdinalIgnoreCase) || string.Equals(ToHalfWidth(option.Label), cleaned, StringComparison.Ordinal))
            {
                return NormalisedValue.Of(FieldType.Enum, option.Code);
            }
        }

        return NormalisedValue.Error(ValidationCodes.NotAnOption);
    }

    private static bool HasValidThousands(string text)
    {
        var start = text.StartsWith('-') || text.StartsWith('+') ? 1 : 0;
        var point = text.IndexOf('.', StringComparison.Ordinal);
        var integerPart = text[start..(point < 0 ? text.Length : point)];
        if (point >= 0 && text.IndexOf(',', point) >= 0)
        {
            return false;
        }

        var groups = integerPart.Split(',');
        return groups[0].Length is >= 1 and <= 3 && groups.Skip(1).All(g => g.Length == 3);
    }
}
