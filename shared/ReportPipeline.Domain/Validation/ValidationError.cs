namespace ReportPipeline.Domain.Validation;

/// <summary>
/// One problem with one value. <see cref="Code"/> is stable (e.g. <c>out_of_range</c>); <see cref="Message"/>
/// is Chinese for the village clerk; <see cref="Cell"/> is the source location (<c>D17</c>, or <c>第3行</c> of a CSV) when known.
/// </summary>
public sealed record ValidationError(string? FieldId, string Code, string Message, string? Cell = null)
{
    /// <summary>For a quality warning: the clerk's explanation confirming the value (数据质量说明), when one was sent.</summary>
    public string? Explanation { get; init; }
}

/// <summary>A raw value as received, before normalisation. <see cref="Cell"/> is where it was read from, if anywhere.</summary>
public sealed record RawValue(string FieldId, string? Text, string? Cell = null);
