using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Application.Consolidation;

/// <summary>
/// Whether the city's workbooks wait for a rebuild, from the consolidation's own bookkeeping instead of every village's
/// receipts: a city workbook is composed from its districts' roll-ups, so it is pending when it has not been built, when
/// a district's roll-up of its template was stored after it (that district was rebuilt since: its data changed), or
/// when the city's marker holds its template (a district unit marked the city, or a city unit is building it). One
/// listing of the period's roll-ups and one marker read, whatever the number of villages. A change a district unit has
/// not taken yet shows once that unit has run (a coalescing window after the submission); the city's own review state
/// shows after the next timer run. Times are the store's (Last-Modified, whole seconds): a roll-up stored in the same
/// second as the city's workbook is not taken as newer, since a city unit that rebuilt a stale roll-up itself stores it
/// just before its workbook; a district unit of the submission path marks the city, which says pending regardless.
/// </summary>
public sealed class ComposedWorkbookPending(ReferenceData reference, IRollupStore rollups, PendingConsolidation pending)
{
    /// <summary>The rule for the city's workbooks of <paramref name="period"/>: pending given the stored workbook (null: none).</summary>
    public async Task<Func<string, StoredReport?, bool>> ForCityAsync(Org city, Period period, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(city);
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var districts = orgs.Children(city.Code).Select(d => d.Code).ToHashSet(StringComparer.Ordinal);
        var latest = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var waiting = pending.WaitingAsync(period, city.Code, cancellationToken);
        await foreach (var entry in rollups.ListAsync(period, cancellationToken))
        {
            if (districts.Contains(entry.OrgCode) && (!latest.TryGetValue(entry.Folder, out var seen) || entry.StoredAt > seen))
            {
                latest[entry.Folder] = entry.StoredAt;
            }
        }

        var marked = (await waiting).Templates.ToHashSet(StringComparer.Ordinal);
        return (templateId, stored) =>
            stored?.StoredAt is not { } built
            || marked.Contains(templateId)
            || (latest.TryGetValue(templateId, out var rolledUp) && rolledUp > built);
    }
}
