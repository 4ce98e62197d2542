using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Periods;

namespace ReportPipeline.Domain.Templates;

/// <summary>
/// What a template column may read, in one place: the catalog loader refuses a shipped template that breaks a rule, and
/// the design check refuses a proposed column the same way, so a proposal is never answered "existing" or "derivable"
/// for a column the catalog would not load.
/// </summary>
public static class TemplateColumnRules
{
    /// <summary>
    /// Every problem of a column that reads <paramref name="fieldIds"/> (its field, or its expression's fields) in a
    /// template reported every <paramref name="templateKind"/> (null: the template's period kind is itself unknown).
    /// </summary>
    public static IEnumerable<string> Problems(IEnumerable<string> fieldIds, bool isExpression, PeriodKind? templateKind, Func<string, FieldDefinition?> find)
    {
        ArgumentNullException.ThrowIfNull(fieldIds);
        ArgumentNullException.ThrowIfNull(find);
        foreach (var fieldId in fieldIds)
        {
            if (find(fieldId) is not { } field)
            {
                yield return $"引用了不存在的字段“{fieldId}” (unknown field '{fieldId}')";
                continue;
            }

            if (isExpression && !field.IsNumeric)
            {
                yield return $"表达式引用的字段“{fieldId}”不是数值类型 (field '{fieldId}' in expression is not numeric)";
            }

            if (templateKind is { } kind && kind < field.Frequency)
            {
                yield return $"报表按{kind.ChineseName()}报送，但字段“{field.Name}”({fieldId}) 只按{field.Frequency.ChineseName()}采集 (template period is finer than the field's frequency)";
            }
        }
    }
}
