using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Application.Ingestion;

/// <summary>The upload's format, decided from the Content-Type header or the dropped file's extension.</summary>
public enum UploadFormat
{
    Json,
    Csv,
    Workbook,
}

/// <summary>
/// What a parser read from one upload: raw values with their source cells, structural problems (each a
/// <see cref="ValidationError"/> with a cell or line), and for the form workbook what the reader found.
/// </summary>
public sealed record ParsedUpload(
    IReadOnlyList<RawValue> Values,
    IReadOnlyList<ValidationError> Errors)
{
    /// <summary>The form reader's result, kept to check the org, period and catalog version against the route.</summary>
    public ReportPipeline.Domain.Forms.FormReadResult? FormCheck { get; init; }

    /// <summary>The clerk's explanations confirming warned values, by field id (JSON uploads only).</summary>
    public IReadOnlyDictionary<string, string> Explanations { get; init; } = new Dictionary<string, string>();
}

/// <summary>The body cannot be read at all (not JSON, not a workbook): the request is malformed (400), not invalid (422).</summary>
public sealed class MalformedUploadException(string message, Exception? inner = null) : Exception(message, inner);

public static class UploadFormats
{
    public static UploadFormat? FromContentType(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return null;
        }

        var mediaType = contentType.Split(';', 2)[0].Trim().ToLowerInvariant();
        return mediaType switch
        {
            "application/json" or "text/json" => UploadFormat.Json,
            "text/csv" or "application/csv" or "text/tab-separated-values" => UploadFormat.Csv,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => UploadFormat.Workbook,
            _ => null,
        };
    }

    /// <summary>
    /// Content types that say nothing reliable about the format: Windows browsers label a .csv file
    /// <c>application/vnd.ms-excel</c>, others send <c>application/octet-stream</c> or <c>text/plain</c>. Such an upload's
    /// format is read from its bytes (<see cref="Sniff"/>).
    /// </summary>
    public static bool IsSniffed(string? contentType) =>
        !string.IsNullOrWhiteSpace(contentType)
        && contentType.Split(';', 2)[0].Trim().ToLowerInvariant() is "application/vnd.ms-excel" or "application/octet-stream" or "text/plain" or "application/x-csv" or "text/x-csv";

    /// <summary>
    /// A zip (or an old OLE2 .xls, which the workbook reader then refuses with its reason) is a workbook; a body whose
    /// first non-blank character, after any byte order mark, is <c>{</c> is JSON; anything else is CSV.
    /// </summary>
    public static UploadFormat Sniff(ReadOnlySpan<byte> body)
    {
        if (body.StartsWith("PK\u0003\u0004"u8) || body.StartsWith((ReadOnlySpan<byte>)[0xD0, 0xCF, 0x11, 0xE0]))
        {
            return UploadFormat.Workbook;
        }

        if (body.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            body = body[3..];
        }

        var start = body.IndexOfAnyExcept(" \t\r\n"u8);
        return start >= 0 && body[start] == (byte)'{' ? UploadFormat.Json : UploadFormat.Csv;
    }

    public static UploadFormat? FromFileName(string name) => Path.GetExtension(name).ToLowerInvariant() switch
    {
        ".json" => UploadFormat.Json,
        ".csv" or ".tsv" or ".txt" => UploadFormat.Csv,
        ".xlsx" => UploadFormat.Workbook,
        _ => null,
    };

    public static string ContentType(UploadFormat format) => format switch
    {
        UploadFormat.Json => "application/json",
        UploadFormat.Csv => "text/csv",
        _ => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    };

    public static string Extension(UploadFormat format) => format switch
    {
        UploadFormat.Json => ".json",
        UploadFormat.Csv => ".csv",
        _ => ".xlsx",
    };
}
