using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Templates;

namespace ReportPipeline.Application.Reference;

/// <summary>
/// The JSON shapes of <c>GET /api/catalog</c>: the one table and the templates (<see cref="Create"/>, with how much of each
/// template the one table already holds when asked for with <c>?include=overlap</c>), or, with <c>?view=form</c>, only
/// what the web app reads (<see cref="ForForm"/>).
/// </summary>
public static class CatalogView
{
    /// <summary>
    /// What the web form reads of each field (no aliases, expression text or description), the rules, and the templates'
    /// names (for 下评上), without their columns.
    /// </summary>
    public static object ForForm(CatalogBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        return new
        {
            version = bundle.Catalog.Version,
            departments = bundle.Catalog.Departments.All.Select(d => new { code = d.Code, name = d.Name }),
            fields = bundle.Catalog.Fields.Select(f =>
            {
                var parsed = ExpressionTree.OfField(f);
                return new
                {
                    id = f.Id,
                    name = f.Name,
                    unit = f.Unit,
                    type = f.Type.ToString(),
                    precision = f.Precision,
                    required = f.Required,
                    min = f.Min,
                    max = f.Max,
                    options = f.Options.Count > 0 ? f.Options.Select(o => new { code = o.Code, label = o.Label }) : null,
                    group = f.Group,
                    departments = f.Departments,
                    source = f.Source.ToString(),
                    frequency = f.Frequency.ToString(),
                    formula = parsed is null ? null : ExpressionTree.Of(parsed),
                    inputs = parsed?.FieldIds().ToList(),
                    decimals = f.ShownDecimals,
                    expectedMin = f.ExpectedMin,
                    expectedMax = f.ExpectedMax,
                    maxChange = f.MaxChange is { } change ? new { relative = change.Relative, absolute = change.Absolute } : null,
                };
            }),
            rules = Rules(bundle),
            templates = bundle.Templates.Select(t => new { id = t.Id, department = t.DepartmentName, departmentCode = t.Department, title = t.Title, periodKind = t.PeriodKind.ToString() }),
        };
    }

    private static IEnumerable<object> Rules(CatalogBundle bundle) =>
        bundle.Catalog.Rules.Select(r => new { id = r.Id, kind = r.Kind.ToString(), field = r.Field, others = r.Others, min = r.Min, max = r.Max });

    public static object Create(CatalogBundle bundle, OverlapReport? overlap) => new
    {
        version = bundle.Catalog.Version,
        departments = bundle.Catalog.Departments.All.Select(d => new { code = d.Code, name = d.Name }),
        fields = bundle.Catalog.Fields.Select(FieldView),
        rules = Rules(bundle),
        templates = bundle.Templates.Select(t => new
        {
            id = t.Id,
            department = t.DepartmentName,
            departmentCode = t.Department,
            title = t.Title,
            periodKind = t.PeriodKind.ToString(),
            audienceLevels = t.AudienceLevels.Select(l => l.ToString()),
            deadlineDays = t.DeadlineDays,
            columns = t.Columns.Select(c => new { id = c.Id, headers = c.Headers, field = c.FieldId, expression = c.Expression?.ToString(), formula = c.Expression is null ? null : ExpressionTree.Of(c.Expression), numberFormat = c.NumberFormat }),
        }),
        overlap,
    };

    private static object FieldView(FieldDefinition f)
    {
        var parsed = ExpressionTree.OfField(f);
        return new
        {
            id = f.Id,
            name = f.Name,
            unit = f.Unit,
            type = f.Type.ToString(),
            precision = f.Precision,
            required = f.Required,
            min = f.Min,
            max = f.Max,
            options = f.Options.Select(o => new { code = o.Code, label = o.Label }),
            group = f.Group,
            departments = f.Departments,
            source = f.Source.ToString(),
            frequency = f.Frequency.ToString(),
            carryForward = f.CarryForward,
            aliases = f.Aliases,
            expression = f.Expression,
            // The parsed expression and its inputs: the web form computes derived values from these, never from the text.
            formula = parsed is null ? null : ExpressionTree.Of(parsed),
            inputs = parsed?.FieldIds().ToList(),
            decimals = f.ShownDecimals,
            description = f.Description,
            expectedMin = f.ExpectedMin,
            expectedMax = f.ExpectedMax,
            maxChange = f.MaxChange is { } change ? new { relative = change.Relative, absolute = change.Absolute } : null,
        };
    }
}
