using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Values;

namespace ReportPipeline.Domain.Forms;

/// <summary>How the form presents a field: the one pre-fill and carry-forward rule, for the workbook and the web form alike.</summary>
public enum FormTreatment
{
    /// <summary>Computed from other fields; never typed.</summary>
    Derived,
    /// <summary>Pushed by upper-level departments: locked, shown with who pushed it.</summary>
    Prefilled,
    /// <summary>Last period's value (or one stored as carried forward) offered for the clerk to confirm or change.</summary>
    CarriedForward,
    /// <summary>Anything else: an input, holding the stored value when there is one.</summary>
    Typed,
}

/// <summary>One field of the form: how it is presented and the value it starts with.</summary>
/// <param name="Value">The value the form shows in 本期数值 (null: empty, or derived).</param>
/// <param name="PrefilledBy">For a pre-filled field, the departments that pushed it (公安局、统计局), else null.</param>
public sealed record FormEntry(
    FieldDefinition Field,
    FormTreatment Treatment,
    FieldValue? Value,
    StoredValue? Current,
    StoredValue? Previous,
    string? PrefilledBy);

public static class FormEntries
{
    /// <summary>The departments a pre-filled value is credited to, as the form says 已由{…}预填.</summary>
    public static string PrefilledByOf(FieldDefinition field, Catalog.DepartmentDirectory departments)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(departments);
        return field.Departments.Count > 0 ? departments.NamesOf(field.Departments) : "上级部门";
    }

    /// <summary>
    /// The form's fields in order, each with its treatment: derived fields are computed; a value stored as pre-filled (or
    /// any stored value of a pre-filled field) is locked; a value stored as carried forward, or, with nothing stored, last
    /// period's value of a carry-forward field, is suggested; everything else starts with what is stored, if anything.
    /// </summary>
    public static IReadOnlyList<FormEntry> Of(FormWorkbookModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return [.. model.ResolveFields().Select(field =>
        {
            var current = model.Current.GetValueOrDefault(field.Id);
            var previous = model.Previous.GetValueOrDefault(field.Id);
            if (field.Source == FieldSource.Derived)
            {
                return new FormEntry(field, FormTreatment.Derived, null, current, previous, null);
            }

            if (current is { Origin: ValueOrigin.Prefilled } || (current is not null && field.Source == FieldSource.Prefilled))
            {
                return new FormEntry(field, FormTreatment.Prefilled, current.Value, current, previous, PrefilledByOf(field, model.Catalog.Departments));
            }

            if (current is { Origin: ValueOrigin.CarriedForward } || (current is null && field.CarryForward && previous is not null))
            {
                return new FormEntry(field, FormTreatment.CarriedForward, (current ?? previous)!.Value, current, previous, null);
            }

            return new FormEntry(field, FormTreatment.Typed, current?.Value, current, previous, null);
        })];
    }
}
