namespace ReportPipeline.Domain.Validation;

/// <summary>Stable error codes; clients and tests match on these, never on the Chinese messages.</summary>
public static class ValidationCodes
{
    public const string UnknownField = "unknown_field";
    public const string DerivedField = "derived_field";
    public const string NotANumber = "not_a_number";
    public const string NotAnInteger = "not_an_integer";
    public const string TooManyDecimals = "too_many_decimals";
    public const string OutOfRange = "out_of_range";
    public const string NotAnOption = "not_an_option";
    public const string NotADate = "not_a_date";
    public const string NotABoolean = "not_a_boolean";
    public const string Required = "required";
    public const string DuplicateField = "duplicate_field";
    public const string TextTooLong = "text_too_long";
    public const string WrongPeriod = "wrong_period";
    public const string RulePartsExceedTotal = "rule_parts_exceed_total";
    public const string RulePartsSum = "rule_parts_sum";
    public const string RuleRatio = "rule_ratio";
    // Quality warnings (数据质量): they never refuse a submission.
    public const string QualityBelowExpected = "quality_below_expected";
    public const string QualityAboveExpected = "quality_above_expected";
    public const string QualityChange = "quality_change";
    public const string QualityOutlier = "quality_outlier";
}
