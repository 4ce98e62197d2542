using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReportPipeline.Domain.Periods;

/// <summary>Writes a period as its text form (<c>2026-11</c>) so that JSON bodies and stored documents read naturally.</summary>
public sealed class PeriodJsonConverter : JsonConverter<Period>
{
    public override Period Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var text = reader.GetString();
        return Period.TryParse(text, out var period)
            ? period
            : throw new JsonException($"Invalid period '{text}': expected 2026, 2026-Q4 or 2026-11.");
    }

    public override void Write(Utf8JsonWriter writer, Period value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
