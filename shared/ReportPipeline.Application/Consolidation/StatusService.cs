using ReportPipeline.Application.Governance;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Consolidation;
using ReportPipeline.Domain.Governance;
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
    /// <summary>The office's own review state: pending, approved, returned.</summary>
    public string? Approval { get; init; }

    public string? ApprovalName { get; init; }

    /// <summary>Villages below it whose data is approved.</summary>
    public int Approved { get; init; }

    /// <summary>Villages below it whose data was returned and not sent again.</summary>
    public int Returned { get; init; }
}

/// <summary>
/// Completeness of an org's subtree for a period: which villages have reported, are missing, or reported late. An office
/// sees its direct children aggregated (<see cref="Children"/>: a city its districts, a district its townships) and asks
/// the same route for a child to drill down; only a township's (or a village's) answer lists villages
/// (<see cref="Units"/>). The villages still missing in any area are the CSV at <see cref="MissingList"/>.
/// </summary>
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
    IReadOnlyList<UnitStatus> Units)
{
    /// <summary>city, district, township or village.</summary>
    public string Level { get; init; } = "";

    /// <summary>The direct children aggregated: districts for a city, townships for a district; empty below.</summary>
    public IReadOnlyList<StatusSummary> Children { get; init; } = [];

    /// <summary>Whether <see cref="Units"/> lists the area's villages (a township or a village); above, use the children or the CSV.</summary>
    public bool UnitsListed { get; init; }

    /// <summary>The path of the 催报 list (villages still missing) as CSV.</summary>
    public string MissingList { get; init; } = "";

    /// <summary>
    /// For a city, the time the figures hold at: the oldest of its districts' summaries (each kept by its district's
    /// consolidation unit). Null for an answer read now (a district, township or village).
    /// </summary>
    public DateTimeOffset? AsOf { get; init; }

    /// <summary>live (read now) or summary (the districts' office summaries).</summary>
    public string Source { get; init; } = StatusService.LiveSource;

    /// <summary>Districts that had no summary yet and were counted live for this answer.</summary>
    public IReadOnlyList<string> CountedLive { get; init; } = [];
}

/// <summary>A village still missing for the 催报 list.</summary>
public sealed record MissingVillage(string Org, string Name, string? Township, string? District);

public sealed class StatusService(ReferenceData reference, IFieldValueStore values, ReportingCalendar calendar, OfficeSummaries summaries, TimeProvider time)
{
    public const string Reported = "reported";
    public const string Missing = "missing";
    public const string Late = "late";
    public const string LiveSource = "live";
    public const string SummarySource = "summary";

    public async Task<StatusReport> GetAsync(Org org, Period period, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(org);
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        return org.Level == OrgLevel.City
            ? await FromSummariesAsync(orgs, org, period, cancellationToken)
            : await LiveAsync(orgs, org, period, cancellationToken);
    }

    public DateOnly Deadline(Period period) => calendar.Deadline(period);

    /// <summary>The villages of the area that have not reported for the period, by code (the 催报 list).</summary>
    public async Task<IReadOnlyList<MissingVillage>> MissingAsync(Org org, Period period, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(org);
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var villages = VillagesOf(orgs, org);
        // One district's partition per read, several at once: a city's list is a download of 11,000 receipts.
        var receipts = new Dictionary<string, MergeReceipt>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(villages.GroupBy(v => OrgRegistry.DistrictPrefix(v.Code)),
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (district, ct) =>
            {
                var read = await ReceiptsAsync(period, [.. district], ct);
                lock (receipts)
                {
                    foreach (var (code, receipt) in read)
                    {
                        receipts[code] = receipt;
                    }
                }
            });
        string? NameOf(string? code) => code is not null && orgs.TryGet(code, out var named) ? named.Name : null;
        return [.. villages
            .Where(v => OfficeTally.StatusOf(calendar, period, receipts.GetValueOrDefault(v.Code)) == Missing)
            .OrderBy(v => v.Code, StringComparer.Ordinal)
            .Select(v => new MissingVillage(v.Code, v.Name, NameOf(v.ParentCode),
                NameOf(orgs.Ancestors(v.Code).FirstOrDefault(a => a.Level == OrgLevel.District)?.Code)))];
    }

    /// <summary>A district, township or village: read now from the area's rows (one partition).</summary>
    private async Task<StatusReport> LiveAsync(OrgRegistry orgs, Org org, Period period, CancellationToken cancellationToken)
    {
        var villages = VillagesOf(orgs, org);
        var townships = villages.Select(v => v.ParentCode).OfType<string>().Distinct(StringComparer.Ordinal)
            .Select(code => orgs.TryGet(code, out var t) ? t : null).OfType<Org>().ToList();
        // Receipts and review states are on the same rows: one read of them.
        var (receipts, records) = await values.ReadLatestRowsAsync(period, [.. villages.Select(v => v.Code), .. townships.Select(t => t.Code)], cancellationToken);

        var byTownship = villages
            .GroupBy(v => v.ParentCode ?? "")
            .Select(g =>
            {
                var counts = OfficeTally.Count(calendar, period, g, receipts, records);
                var name = orgs.TryGet(g.Key, out var t) ? t.Name : g.Key;
                // The township's own review state (an office: pending until approved), by the one rule.
                var own = orgs.TryGet(g.Key, out var office) && office.Level != OrgLevel.Village ? ApprovalState.Of(false, records.GetValueOrDefault(g.Key), null) : (ApprovalState?)null;
                return Summary(g.Key, name, counts, own?.State, own?.Name);
            })
            .ToList();
        var total = byTownship.Aggregate((Expected: 0, Reported: 0, Missing: 0, Late: 0),
            (sum, t) => (sum.Expected + t.Expected, sum.Reported + t.Reported, sum.Missing + t.Missing, sum.Late + t.Late));

        var listed = org.Level is OrgLevel.Township or OrgLevel.Village;
        IReadOnlyList<UnitStatus> units = listed
            ? [.. villages.Select(v =>
            {
                var township = v.ParentCode is { } p && orgs.TryGet(p, out var parent) ? parent.Name : null;
                var receipt = receipts.GetValueOrDefault(v.Code);
                var status = OfficeTally.StatusOf(calendar, period, receipt);
                var unit = status == Missing
                    ? new UnitStatus(v.Code, v.Name, township, Missing, null, null)
                    : new UnitStatus(v.Code, v.Name, township, status, receipt!.LastReportedAt, receipt.SubmissionId);
                var record = records.GetValueOrDefault(v.Code);
                var review = OfficeTally.ReviewOf(record, receipt);
                return unit with { Approval = review.State, ApprovalName = review.Name, ApprovalReason = record?.Reason };
            })]
            : [];

        return new StatusReport(org.Code, org.Name, period.ToString(), calendar.Deadline(period), total.Expected, total.Reported, total.Missing, total.Late, byTownship, units)
        {
            Level = LevelName(org),
            Children = org.Level == OrgLevel.District ? byTownship : [],
            UnitsListed = listed,
            MissingList = MissingListPath(org, period),
        };
    }

    /// <summary>
    /// A city: its districts' office summaries (read in parallel; a district without one is counted live once), which hold
    /// the districts' own review states too.
    /// </summary>
    private async Task<StatusReport> FromSummariesAsync(OrgRegistry orgs, Org city, Period period, CancellationToken cancellationToken)
    {
        var districts = orgs.Children(city.Code).Where(c => c.Level == OrgLevel.District).ToList();
        var found = await summaries.GetAsync(orgs, districts, period, cancellationToken);
        var children = districts.Select((district, i) =>
        {
            var own = ApprovalState.Of(false, found[i].Summary.Review?.ToRecord(district.Code, period), null);
            return Summary(district.Code, district.Name, found[i].Summary.Totals(), own.State, own.Name);
        }).ToList();
        return new StatusReport(
            city.Code, city.Name, period.ToString(), calendar.Deadline(period),
            children.Sum(c => c.Expected), children.Sum(c => c.Reported), children.Sum(c => c.Missing), children.Sum(c => c.Late), [], [])
        {
            Level = LevelName(city),
            Children = children,
            UnitsListed = false,
            MissingList = MissingListPath(city, period),
            AsOf = found.Count == 0 ? time.GetUtcNow() : found.Min(f => f.Summary.AsOf),
            Source = SummarySource,
            CountedLive = [.. districts.Where((_, i) => found[i].Live).Select(d => d.Code)],
        };
    }

    private static StatusSummary Summary(string code, string name, OfficeCounts counts, string? state, string? stateName) =>
        new(code, name, counts.Villages, counts.Reported, counts.Missing, counts.Late)
        {
            Approval = state,
            ApprovalName = stateName,
            Approved = counts.Approved,
            Returned = counts.Returned,
        };

    private async Task<Dictionary<string, MergeReceipt>> ReceiptsAsync(Period period, IReadOnlyList<Org> villages, CancellationToken cancellationToken)
    {
        var receipts = new Dictionary<string, MergeReceipt>(StringComparer.Ordinal);
        await foreach (var receipt in values.ReadLatestReceiptsAsync(period, [.. villages.Select(v => v.Code)], cancellationToken))
        {
            receipts[receipt.OrgCode] = receipt;
        }

        return receipts;
    }

    public static string MissingListPath(Org org, Period period)
    {
        ArgumentNullException.ThrowIfNull(org);
        return $"/{Hosting.ApiRoutes.Prefix}/{Hosting.ApiRoutes.StatusMissing.Replace("{org}", org.Code, StringComparison.Ordinal).Replace("{period}", period.ToString(), StringComparison.Ordinal)}";
    }

    internal static string LevelName(Org org) => org.Level.ToString().ToLowerInvariant();

    internal static IReadOnlyList<Org> VillagesOf(OrgRegistry orgs, Org org) =>
        org.Level == OrgLevel.Village ? [org] : [.. orgs.Villages(org.Code)];
}
