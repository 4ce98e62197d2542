using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using ReportPipeline.Domain.Governance;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Application.Consolidation;

/// <summary>One township's line in a district's office summary: its villages' counts and its own review record.</summary>
public sealed record TownshipTally(string Org, OfficeCounts Villages, ReviewSnapshot? Review);

/// <summary>A review step on a district, as kept in its office summary.</summary>
public sealed record StepSnapshot(
    [property: JsonConverter(typeof(JsonStringEnumConverter<ApprovalAction>))] ApprovalAction Action,
    string By,
    string ByOrg,
    DateTimeOffset At,
    string? Reason)
{
    public ApprovalEvent ToEvent(string orgCode, Period period) => new(orgCode, period, Action, By, ByOrg, At, Reason);
}

/// <summary>
/// A district's office summary for a period (<see cref="IOfficeSummaryStore"/>): per township, the counts the status and
/// approval pages show, and the district's own review record and steps, as of <see cref="AsOf"/> — every submission and
/// review step before that time is in it.
/// </summary>
public sealed record OfficeSummary(string Period, string District, DateTimeOffset AsOf, IReadOnlyList<TownshipTally> Townships)
{
    /// <summary>The format; a summary of another format is not read (it is computed again).</summary>
    public const int CurrentFormat = 2;

    public int Format { get; init; } = CurrentFormat;

    /// <summary>The district's own review record.</summary>
    public ReviewSnapshot? Review { get; init; }

    /// <summary>The steps taken on the district itself, newest first.</summary>
    public IReadOnlyList<StepSnapshot> Steps { get; init; } = [];

    /// <summary>
    /// Counted by a page for want of one from a consolidation unit: trusted only for
    /// <see cref="OfficeSummaries.ReaderCountLifetime"/>, since no unit may come to replace it (a period no template reads).
    /// </summary>
    public bool CountedByReader { get; init; }

    public OfficeCounts Totals() => Townships.Aggregate(OfficeCounts.Zero, (sum, t) => sum.Add(t.Villages));
}

/// <summary>
/// Keeps and reads the office summaries. The district consolidation unit writes its district's summary from the receipts
/// and review states it has read anyway (<see cref="SaveFromUnitAsync"/>), and a review step on a village, township or
/// district recounts it; the city's status and approval pages read the districts' summaries in parallel, and no
/// district's table rows (in the emulator every table query scans, and 41 of them cost more than the page). A district without a usable summary (never consolidated, or the registry changed
/// since) is counted live once, and that count is stored for the next reader. Counting is <see cref="OfficeTally"/>'s,
/// the rule the live pages use.
/// </summary>
public sealed class OfficeSummaries(
    IOfficeSummaryStore store,
    IFieldValueStore values,
    IApprovalStore approvals,
    ReportingCalendar calendar,
    TimeProvider time,
    ILogger<OfficeSummaries> logger)
{
    private const int MaxParallelReads = 16;
    private const int MaxSaveAttempts = 5;

    /// <summary>How long a summary a page counted itself is used before it is counted again.</summary>
    public static readonly TimeSpan ReaderCountLifetime = TimeSpan.FromMinutes(5);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A district's summary from receipts, review records (of its villages, townships and itself) and its own steps already read.</summary>
    public OfficeSummary Compose(
        OrgRegistry orgs, Org district, Period period, IReadOnlyDictionary<string, MergeReceipt> receipts,
        IReadOnlyDictionary<string, ApprovalRecord> records, IReadOnlyList<ApprovalEvent> steps, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(orgs);
        ArgumentNullException.ThrowIfNull(district);
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(steps);
        var townships = orgs.Villages(district.Code)
            .GroupBy(v => v.ParentCode ?? district.Code, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new TownshipTally(g.Key, OfficeTally.Count(calendar, period, g, receipts, records), ReviewSnapshot.Of(records.GetValueOrDefault(g.Key))))
            .ToList();
        return new OfficeSummary(period.ToString(), district.Code, asOf, townships)
        {
            Review = ReviewSnapshot.Of(records.GetValueOrDefault(district.Code)),
            Steps = [.. steps.Where(e => e.OrgCode == district.Code).OrderByDescending(e => e.At)
                .Select(e => new StepSnapshot(e.Action, e.BySubject, e.ByOrg, e.At, e.Reason))],
        };
    }

    /// <summary>
    /// The district unit's summary, from the period's receipts and the review states it read at <paramref name="readAt"/>
    /// for its workbooks; only the district's own steps are read (one query).
    /// </summary>
    internal async Task SaveFromUnitAsync(Period period, Org district, UnitInputs inputs, DateTimeOffset readAt, CancellationToken cancellationToken)
    {
        if (inputs.Receipts.TryGetValue(period, out var receipts))
        {
            var steps = await approvals.ReadEventsAsync(period, [district.Code], cancellationToken);
            await SaveAsync(Compose(inputs.Orgs, district, period, receipts, inputs.Approvals, steps, readAt), cancellationToken);
        }
    }

    /// <summary>Stores the summary unless a newer one is there already (a later unit's): the newer reading always wins.</summary>
    public async Task<bool> SaveAsync(OfficeSummary summary, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var period = Period.Parse(summary.Period);
        var content = JsonSerializer.Serialize(summary, Json);
        for (var attempt = 1; attempt <= MaxSaveAttempts; attempt++)
        {
            var stored = await store.GetAsync(period, summary.District, cancellationToken);
            if (stored is not null && Parse(stored.Content) is { } current && current.AsOf > summary.AsOf)
            {
                return false;
            }

            if (await store.TrySaveAsync(period, summary.District, content, stored?.ETag, cancellationToken))
            {
                return true;
            }
        }

        logger.LogInformation("Office summary of {District} {Period} not stored: other writers kept changing it", summary.District, summary.Period);
        return false;
    }

    /// <summary>Each district's summary, read in parallel; a district without a usable one is counted live and stored.</summary>
    public async Task<IReadOnlyList<(OfficeSummary Summary, bool Live)>> GetAsync(
        OrgRegistry orgs, IReadOnlyList<Org> districts, Period period, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(districts);
        var found = new (OfficeSummary, bool)[districts.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, districts.Count),
            new ParallelOptions { MaxDegreeOfParallelism = MaxParallelReads, CancellationToken = cancellationToken },
            async (i, ct) => found[i] = await GetAsync(orgs, districts[i], period, ct));
        return found;
    }

    private async Task<(OfficeSummary, bool)> GetAsync(OrgRegistry orgs, Org district, Period period, CancellationToken cancellationToken)
    {
        var stored = await store.GetAsync(period, district.Code, cancellationToken);
        if (stored is not null && Parse(stored.Content) is { } summary && Fits(summary, orgs, district)
            && !(summary.CountedByReader && time.GetUtcNow() - summary.AsOf > ReaderCountLifetime))
        {
            return (summary, false);
        }

        var live = await ComputeAsync(orgs, district, period, cancellationToken) with { CountedByReader = true };
        await SaveAsync(live, cancellationToken);
        return (live, true);
    }

    /// <summary>A district's summary counted now from its villages' rows (one partition).</summary>
    public async Task<OfficeSummary> ComputeAsync(OrgRegistry orgs, Org district, Period period, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orgs);
        ArgumentNullException.ThrowIfNull(district);
        var asOf = time.GetUtcNow();
        var villages = orgs.Villages(district.Code).ToList();
        var offices = villages.Select(v => v.ParentCode).OfType<string>().Append(district.Code).Distinct(StringComparer.Ordinal);
        var (receipts, records) = await values.ReadLatestRowsAsync(period, [.. villages.Select(v => v.Code), .. offices], cancellationToken);
        var steps = await approvals.ReadEventsAsync(period, [district.Code], cancellationToken);
        return Compose(orgs, district, period, receipts, records, steps, asOf);
    }

    /// <summary>A summary counts the district's villages as the registry has them now (a registry change makes it unusable).</summary>
    private static bool Fits(OfficeSummary summary, OrgRegistry orgs, Org district)
    {
        var expected = orgs.Villages(district.Code).GroupBy(v => v.ParentCode ?? district.Code, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return summary.Format == OfficeSummary.CurrentFormat
            && summary.Townships.Count == expected.Count
            && summary.Townships.All(t => expected.TryGetValue(t.Org, out var count) && count == t.Villages.Villages);
    }

    private static OfficeSummary? Parse(string content)
    {
        try
        {
            return JsonSerializer.Deserialize<OfficeSummary>(content, Json);
        }
        catch (JsonException)
        {
            // Written by another version that no longer reads: only stale, counted again.
            return null;
        }
    }
}
