using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Domain.Quality;

/// <summary>The clerk's confirmations of warned values (数据质量说明): <c>{"explanations": {"fieldId": "…"}}</c>.</summary>
public static class QualityExplanations
{
    /// <summary>A short explanation, not a report: long enough for "村里新建安置小区，迁入 300 人", short enough for a cell.</summary>
    public const int MaxLength = 200;

    public const string TooLong = "explanation_too_long";
    public const string NotText = "explanation_not_text";
    public const string WithoutValue = "explanation_without_value";

    /// <summary>Whether a warning is one a clerk confirms with an explanation.</summary>
    public static bool IsQualityWarning(string code) => code is ValidationCodes.QualityBelowExpected
        or ValidationCodes.QualityAboveExpected or ValidationCodes.QualityChange or ValidationCodes.QualityOutlier;
}
