using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Application.Ingestion;

/// <summary>How the parsers hand on names a user typed (JSON keys, CSV headers, form ids).</summary>
internal static class UploadText
{
    /// <summary>
    /// No catalog id or Chinese field name comes near this length, so a longer name can never be a field: it is handed on
    /// as its <see cref="UserText.Excerpt"/>, which keeps it unknown and keeps every error, problem body and errors.json
    /// that names it small, whoever writes the message.
    /// </summary>
    public const int MaxNameLength = 64;

    public static string Name(string? name) =>
        name is null ? "" : name.Length <= MaxNameLength ? name : UserText.Excerpt(name);
}
