using ReportPipeline.Application.Governance;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Consolidation;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Application.Consolidation;

public sealed record UnitStatus(string Org, string Name, string? Township, string Status, DateTimeOffset? ReceivedAt, string? SubmissionId)
{
    /// <summary>The review state (see <see cref="ApprovalService"/>): not-reported, reported, approved, returned.</summary>
    public string? Approval { get; init; }

    /// <summary>The same in Chinese (审核状态).</summary>
    public string? ApprovalName { get; init; }

    /// <summary>Why the data was last returned or unlocked, for the clerk.</summary>
    public string? ApprovalReason { get; init; }
}

public sealed record StatusSummary(string Org, string Name, int Expected, int Reported, int Missing, int Late)
{
    /// <summary>The township's own review state: pending, approved, returned.</summary>
    public string? Approval { get; init; }

    public string? ApprovalName { get; init; }

    /// <summary>Villages of the township whose data is approved.</summary>
    public int Approved { get; init; }
}

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

public sealed class StatusService(ReferenceData reference, IFieldValueStore values, ReportingCalendar calendar, ApprovalService approvals)
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

        var townships = villages.Select(v => v.ParentCode).OfType<string>().Distinct(StringComparer.Ordinal)
            .Select(code => orgs.TryGet(code, out var t) ? t : null).OfType<Org>().ToList();
        var lastReported = receipts.Values.Where(r => r.LastReportedAt is not null).ToDictionary(r => r.OrgCode, r => r.LastReportedAt!.Value, StringComparer.Ordinal);
        var approval = await approvals.StatesAsync([.. villages, .. townships], period, lastReported, cancellationToken);
        units = [.. units.Select(u => approval.TryGetValue(u.Org, out var a)
            ? u with { Approval = a.State, ApprovalName = a.StateName, ApprovalReason = a.Reason }
            : u)];

        var statusOf = units.ToDictionary(u => u.Org, u => u.Status, StringComparer.Ordinal);
        var approvedVillages = units.Where(u => u.Approval == ApprovalService.Approved).Select(u => u.Org).ToHashSet(StringComparer.Ordinal);
        var byTownship = villages
            .GroupBy(v => v.ParentCode ?? "")
            .Select(g =>
            {
                var statuses = g.Select(v => statusOf[v.Code]).ToList();
                var name = orgs.TryGet(g.Key, out var t) ? t.Name : g.Key;
                var own = approval.GetValueOrDefault(g.Key);
                return new StatusSummary(g.Key, name, statuses.Count, statuses.Count(s => s != Missing), statuses.Count(s => s == Missing), statuses.Count(s => s == Late))
                {
                    Approval = own?.State,
                    ApprovalName = own?.StateName,
                    Approved = g.Count(v => approvedVillages.Contains(v.Code)),
                };
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
