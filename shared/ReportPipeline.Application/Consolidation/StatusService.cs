using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Consolidation;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Application.Consolidation;

public sealed record UnitStatus(string Org, string Name, string? Township, string Status, DateTimeOffset? ReceivedAt, string? SubmissionId);

public sealed record StatusSummary(string Org, string Name, int Expected, int Reported, int Missing, int Late);

/// <summary>Completeness of an org's subtree for a period: which villages have reported, are missing, or reported late.</summary>
public sealed record StatusReport(
    string Org,
    string OrgName,
    string Period,
    DateOnly Deadline,
    int Expected,
    int Reported,
    int Missing,
    int Late,
    IReadOnlyList<StatusSummary> ByTownship,
    IReadOnlyList<UnitStatus> Units);

public sealed class StatusService(ReferenceData reference, IFieldValueStore values, ReportingCalendar calendar)
{
    public const string Reported = "reported";
    public const string Missing = "missing";
    public const string Late = "late";

    public async Task<StatusReport> GetAsync(Org org, Period period, CancellationToken cancellationToken)
    {
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var villages = VillagesOf(orgs, org);
        var receipts = new Dictionary<string, MergeReceipt>(StringComparer.Ordinal);
        await foreach (var receipt in values.ReadLatestReceiptsAsync(period, [.. villages.Select(v => v.Code)], cancellationToken))
        {
            // Pre-filled values come with a receipt too; only the village's own upload counts as reporting.
            if (receipt.HasReported)
            {
                receipts[receipt.OrgCode] = receipt;
            }
        }

        var deadline = calendar.Deadline(period);
        var units = villages.Select(v =>
        {
            var township = v.ParentCode is { } p && orgs.TryGet(p, out var parent) ? parent.Name : null;
            if (!receipts.TryGetValue(v.Code, out var r))
            {
                return new UnitStatus(v.Code, v.Name, township, Missing, null, null);
            }

            var status = calendar.StatusOf(period, r.FirstReportedAt) == ReportingStatus.Late ? Late : Reported;
            return new UnitStatus(v.Code, v.Name, township, status, r.LastReportedAt, r.SubmissionId);
        }).ToList();

        var statusOf = units.ToDictionary(u => u.Org, u => u.Status, StringComparer.Ordinal);
        var byTownship = villages
            .GroupBy(v => v.ParentCode ?? "")
            .Select(g =>
            {
                var statuses = g.Select(v => statusOf[v.Code]).ToList();
                var name = orgs.TryGet(g.Key, out var t) ? t.Name : g.Key;
                return new StatusSummary(g.Key, name, statuses.Count, statuses.Count(s => s != Missing), statuses.Count(s => s == Missing), statuses.Count(s => s == Late));
            })
            .ToList();

        return new StatusReport(
            org.Code,
            org.Name,
            period.ToString(),
            deadline,
            units.Count,
            units.Count(u => u.Status != Missing),
            units.Count(u => u.Status == Missing),
            units.Count(u => u.Status == Late),
            byTownship,
            units);
    }

    internal static IReadOnlyList<Org> VillagesOf(OrgRegistry orgs, Org org) =>
        org.Level == OrgLevel.Village ? [org] : [.. orgs.Villages(org.Code)];
}
