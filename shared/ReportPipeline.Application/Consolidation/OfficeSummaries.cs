using System.Text.Json;
using Microsoft.Extensions.Logging;
using ReportPipeline.Domain.Governance;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Application.Consolidation;

/// <summary>One township's line in a district's office summary: its villages' counts and its own review record.</summary>
public sealed record TownshipTally(string Org, OfficeCounts Villages, ReviewSnapshot? Review);

/// <summary>
/// A district's office summary for a period (<see cref="IOfficeSummaryStore"/>): per township, the counts the status and
/// approval pages show, as of <see cref="AsOf"/> — every submission and review step before that time is in it.
/// </summary>
public sealed record OfficeSummary(string Period, string District, DateTimeOffset AsOf, IReadOnlyList<TownshipTally> Townships)
{
    /// <summary>The format; a summary of another format is not read (it is computed again).</summary>
    public const int CurrentFormat = 1;

    public int Format { get; init; } = CurrentFormat;

    public OfficeCounts Totals() => Townships.Aggregate(OfficeCounts.Zero, (sum, t) => sum.Add(t.Villages));
}

/// <summary>
/// Keeps and reads the office summaries. The district consolidation unit writes its district's summary from the receipts
/// and review states it has read anyway (<see cref="SaveFromUnitAsync"/>); the city's status and approval pages read the
/// districts' summaries in parallel. A district without a usable summary (never consolidated, or the registry changed
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
    private const int MaxParallelReads = 8;
    private const int MaxSaveAttempts = 5;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>A district's summary from receipts and review records already read.</summary>
    public OfficeSummary Compose(
        OrgRegistry orgs, Org district, Period period, IReadOnlyDictionary<string, MergeReceipt> receipts,
        IReadOnlyDictionary<string, ApprovalRecord> records, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(orgs);
        ArgumentNullException.ThrowIfNull(district);
        ArgumentNullException.ThrowIfNull(records);
        var townships = orgs.Villages(district.Code)
            .GroupBy(v => v.ParentCode ?? district.Code, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new TownshipTally(g.Key, OfficeTally.Count(calendar, period, g, receipts, records), ReviewSnapshot.Of(records.GetValueOrDefault(g.Key))))
            .ToList();
        return new OfficeSummary(period.ToString(), district.Code, asOf, townships);
    }

    /// <summary>
    /// The district unit's summary, from the period's receipts and the review states it read at <paramref name="readAt"/>
    /// for its workbooks; nothing is read again.
    /// </summary>
    internal Task SaveFromUnitAsync(Period period, Org district, UnitInputs inputs, DateTimeOffset readAt, CancellationToken cancellationToken) =>
        inputs.Receipts.TryGetValue(period, out var receipts)
            ? SaveAsync(Compose(inputs.Orgs, district, period, receipts, inputs.Approvals, readAt), cancellationToken)
            : Task.CompletedTask;

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
        if (stored is not null && Parse(stored.Content) is { } summary && Fits(summary, orgs, district))
        {
            return (summary, false);
        }

        var live = await ComputeAsync(orgs, district, period, cancellationToken);
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
        var receipts = new Dictionary<string, MergeReceipt>(StringComparer.Ordinal);
        await foreach (var receipt in values.ReadLatestReceiptsAsync(period, [.. villages.Select(v => v.Code)], cancellationToken))
        {
            receipts[receipt.OrgCode] = receipt;
        }

        var offices = villages.Select(v => v.ParentCode).OfType<string>().Distinct(StringComparer.Ordinal);
        var records = (await approvals.ReadAsync(period, [.. villages.Select(v => v.Code), .. offices], cancellationToken)).Records;
        return Compose(orgs, district, period, receipts, records, asOf);
    }

    /// <summary>
    /// The review records of a few offices in different districts (a city and its districts), one small read per org in
    /// parallel rather than one after another.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, ApprovalRecord>> ReadRecordsAsync(Period period, IReadOnlyList<string> orgCodes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orgCodes);
        var records = new Dictionary<string, ApprovalRecord>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(orgCodes, new ParallelOptions { MaxDegreeOfParallelism = MaxParallelReads, CancellationToken = cancellationToken }, async (code, ct) =>
        {
            var snapshot = await approvals.ReadAsync(period, [code], ct);
            lock (records)
            {
                foreach (var (org, record) in snapshot.Records)
                {
                    records[org] = record;
                }
            }
        });
        return records;
    }

    /// <summary>The review steps taken on a few offices in different districts, read in parallel, newest first.</summary>
    public async Task<IReadOnlyList<ApprovalEvent>> ReadEventsAsync(Period period, IReadOnlyList<string> orgCodes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orgCodes);
        var events = new List<ApprovalEvent>();
        await Parallel.ForEachAsync(orgCodes, new ParallelOptions { MaxDegreeOfParallelism = MaxParallelReads, CancellationToken = cancellationToken }, async (code, ct) =>
        {
            var read = await approvals.ReadEventsAsync(period, [code], ct);
            lock (events)
            {
                events.AddRange(read);
            }
        });
        return [.. events.OrderByDescending(e => e.At).ThenBy(e => e.OrgCode, StringComparer.Ordinal)];
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
