using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Forms;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Application.Forms;

/// <summary>Builds an org's pre-filled one-table workbook: what storage already holds for the period, and last period's values beside it.</summary>
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
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var current = values.GetAsync(org.Code, period, cancellationToken);
        var previous = values.GetAsync(org.Code, period.Previous(), cancellationToken);
        var bundle = await reference.CatalogForAsync(period, cancellationToken);
        var path = orgs.Ancestors(org.Code).Reverse().Select(o => o.Name).Append(org.Name).ToList();
        var stored = await current;
        var model = new FormWorkbookModel
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
        var workbook = writer.Write(model);
        logger.LogInformation(
            "Built form for {Org} {Period}: {Prefilled} values pre-filled, {Bytes} bytes",
            org.Code, period.ToString(), model.Current.Count, workbook.Length);
        return workbook;
    }
}
