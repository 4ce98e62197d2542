using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Forms;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Application.Forms;

/// <summary>One field as the web form starts it (the JSON variant of the form route).</summary>
/// <param name="Treatment">prefilled, carried-forward, typed or derived (<see cref="FormTreatment"/>).</param>
/// <param name="Value">The value the form starts with: stored, pre-filled, or carried forward from last period.</param>
/// <param name="PrefilledBy">The departments that pushed a pre-filled value (公安局、统计局).</param>
public sealed record FormFieldView(string Field, string Treatment, string? Value, string? Previous, string? PrefilledBy, DateTimeOffset? At);

/// <summary>The form of an org and period as data: what the workbook shows, field by field, from the same rule.</summary>
public sealed record FormView(string Org, string OrgName, string Period, string PreviousPeriod, string? Version, DateOnly Deadline, IReadOnlyList<FormFieldView> Fields);

/// <summary>
/// An org's pre-filled one-table form: what storage already holds for the period, last period's values beside it, and
/// the carry-forward suggestions (<see cref="FormEntries"/>, the one rule), as a workbook or as data for the web form.
/// </summary>
public sealed class FormService(
    ReferenceData reference,
    IFieldValueStore values,
    IFormWorkbookWriter writer,
    ReportingCalendar calendar,
    TimeProvider time,
    ILogger<FormService> logger)
{
    public async Task<byte[]> BuildAsync(Org org, Period period, CancellationToken cancellationToken)
    {
        var model = await ModelAsync(org, period, cancellationToken);
        var workbook = writer.Write(model);
        logger.LogInformation(
            "Built form for {Org} {Period}: {Prefilled} values pre-filled, {Bytes} bytes",
            org.Code, period.ToString(), model.Current.Count, workbook.Length);
        return workbook;
    }

    /// <summary>The same form as data: each field's treatment and starting value, exactly as the workbook has them.</summary>
    public async Task<FormView> ViewAsync(Org org, Period period, CancellationToken cancellationToken)
    {
        var model = await ModelAsync(org, period, cancellationToken);
        return new FormView(
            org.Code,
            org.Name,
            period.ToString(),
            period.Previous().ToString(),
            model.ValuesVersion,
            calendar.Deadline(period),
            [.. FormEntries.Of(model).Select(e => new FormFieldView(
                e.Field.Id,
                TreatmentName(e.Treatment),
                e.Value?.Canonical,
                e.Previous?.Value.Canonical,
                e.PrefilledBy,
                e.Treatment == FormTreatment.Prefilled ? e.Current?.At : null))]);
    }

    public static string TreatmentName(FormTreatment treatment) => treatment switch
    {
        FormTreatment.Prefilled => "prefilled",
        FormTreatment.CarriedForward => "carried-forward",
        FormTreatment.Derived => "derived",
        _ => "typed",
    };

    private async Task<FormWorkbookModel> ModelAsync(Org org, Period period, CancellationToken cancellationToken)
    {
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var current = values.GetAsync(org.Code, period, cancellationToken);
        var previous = values.GetAsync(org.Code, period.Previous(), cancellationToken);
        var bundle = await reference.CatalogForAsync(period, cancellationToken);
        var path = orgs.Ancestors(org.Code).Reverse().Select(o => o.Name).Append(org.Name).ToList();
        var stored = await current;
        return new FormWorkbookModel
        {
            Catalog = bundle.Catalog,
            Org = org,
            OrgPathNames = path,
            Period = period,
            Current = stored.Values,
            ValuesVersion = stored.Version,
            Previous = (await previous).Values,
            GeneratedAt = time.GetUtcNow(),
            DeadlineDays = calendar.DeadlineDays(period.Kind),
            UploadAddress = $"POST /api/orgs/{org.Code}/submissions/{period}",
            Contacts = [.. orgs.Ancestors(org.Code).Where(a => a.Level == OrgLevel.Township).Select(a => $"{a.Name} 统计办（一表通专班）")],
        };
    }
}
