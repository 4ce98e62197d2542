using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Governance;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Application.Governance;

/// <summary>One org's review state as the approval and status routes show it.</summary>
/// <param name="State">not-reported, reported (a village's data awaits review), pending (an office awaits review), approved, returned.</param>
/// <param name="StateName">The same in Chinese: 未提交, 已提交, 待审核, 审核通过, 退回.</param>
/// <param name="Reason">The reason of the last return or unlock, which the clerk reads.</param>
public sealed record ApprovalUnit(
    string Org,
    string Name,
    string Level,
    string? Parent,
    string State,
    string StateName,
    bool Locked,
    DateTimeOffset? ReportedAt,
    string? By,
    string? ByOrg,
    DateTimeOffset? At,
    string? Reason)
{
    /// <summary>
    /// The steps the caller may take on this unit now (approve, return, unlock), by <see cref="ApprovalRules.Decide"/>, the
    /// rule the step itself is checked against; empty for a caller who is not an admin, or when it is not asked for.
    /// </summary>
    public IReadOnlyList<string> Actions { get; init; } = [];

    /// <summary>The name of <see cref="ByOrg"/>, the org of whoever took the last step (修齐镇), from the registry.</summary>
    public string? ByOrgName { get; init; }
}

public sealed record ApprovalStep(string Org, string Action, string ActionName, string By, string ByOrg, DateTimeOffset At, string? Reason)
{
    /// <summary>The name of <see cref="ByOrg"/> from the registry.</summary>
    public string? ByOrgName { get; init; }
}

/// <summary>
/// The review state of an org and its direct children for a period (<see cref="Units"/>), with every step taken on them,
/// newest first; <see cref="Approved"/>, <see cref="Returned"/> and <see cref="Total"/> count the whole subtree.
/// </summary>
public sealed record ApprovalReport(
    string Org,
    string OrgName,
    string Period,
    ApprovalUnit Self,
    int Approved,
    int Returned,
    int Total,
    IReadOnlyList<ApprovalUnit> Units,
    IReadOnlyList<ApprovalStep> Steps)
{
    /// <summary>For a city, the time the counts hold at (the oldest of its districts' office summaries); null when read now.</summary>
    public DateTimeOffset? AsOf { get; init; }

    /// <summary>live or summary (see <see cref="Consolidation.StatusService"/>).</summary>
    public string Source { get; init; } = Consolidation.StatusService.LiveSource;
}

/// <summary>What a step did: the decision, and the new record when it was taken.</summary>
/// <param name="Unit">The target's state after the step, by the one rule (<see cref="ApprovalState.Of"/>); null when refused.</param>
public sealed record ApprovalOutcome(ApprovalDecision Decision, ApprovalRecord? Record, ApprovalUnit? Unit = null);

/// <summary>
/// The approval chain over the store: reads the state of a subtree, takes a step under <see cref="ApprovalRules"/>, and
/// answers the lock check every submission makes, whatever its channel.
/// </summary>
public sealed class ApprovalService(
    ReferenceData reference,
    IApprovalStore store,
    IFieldValueStore values,
    OfficeSummaries summaries,
    TimeProvider time,
    ILogger<ApprovalService> logger,
    ConsolidationPlanner? consolidation = null)
{
    public const string NotReported = ApprovalState.NotReported;
    public const string Reported = ApprovalState.Reported;
    public const string Pending = ApprovalState.Pending;
    public const string Approved = ApprovalState.Approved;
    public const string Returned = ApprovalState.Returned;

    public Task<ApprovalReport> GetAsync(Org org, Period period, CancellationToken cancellationToken) =>
        GetAsync(org, period, caller: null, cancellationToken);

    /// <summary>
    /// The same, with each unit's <see cref="ApprovalUnit.Actions"/> for <paramref name="caller"/> (when an admin). The units
    /// are the org and its direct children (drill down by asking for a child) and the steps those taken on them; the counts
    /// cover the whole subtree. A district or township is read now; a city from its districts' office summaries (their
    /// villages, townships, own states and steps, as of the summary) and its own row read now.
    /// </summary>
    public async Task<ApprovalReport> GetAsync(Org org, Period period, CallerIdentity? caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(org);
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var (units, records, approved, returned, total, steps, asOf) = org.Level == OrgLevel.City
            ? await FromSummariesAsync(orgs, org, period, cancellationToken)
            : await LiveAsync(orgs, org, period, cancellationToken);
        string? NameOf(string? code) => code is not null && orgs.TryGet(code, out var named) ? named.Name : null;
        units = [.. units.Select(u => u with { ByOrgName = NameOf(u.ByOrg) })];
        if (caller is not null && caller.IsInRole(CallerRoles.Admin))
        {
            units = [.. units.Select(u => u with { Actions = ActionsFor(caller.OrgCode, u, orgs, records) })];
        }

        return new ApprovalReport(
            org.Code,
            org.Name,
            period.ToString(),
            units.Single(u => u.Org == org.Code),
            approved,
            returned,
            total,
            units,
            [.. steps.Select(s => new ApprovalStep(s.OrgCode, s.Action.ToString().ToLowerInvariant(), ApprovalNames.Of(s.Action), s.BySubject, s.ByOrg, s.At, s.Reason)
            {
                ByOrgName = NameOf(s.ByOrg),
            })])
        {
            AsOf = asOf,
            Source = org.Level == OrgLevel.City ? StatusService.SummarySource : StatusService.LiveSource,
        };
    }

    private async Task<(List<ApprovalUnit> Units, IReadOnlyDictionary<string, ApprovalRecord> Records, int Approved, int Returned, int Total, IReadOnlyList<ApprovalEvent> Steps, DateTimeOffset? AsOf)>
        LiveAsync(OrgRegistry orgs, Org org, Period period, CancellationToken cancellationToken)
    {
        var subtree = orgs.Subtree(org.Code, includeSelf: true).ToList();
        var snapshot = await store.ReadAsync(period, [.. subtree.Select(o => o.Code)], cancellationToken);
        var all = await UnitsAsync(subtree, period, snapshot.Records, cancellationToken);
        var shown = all.Where(u => u.Org == org.Code || u.Parent == org.Code).ToList();
        var steps = await store.ReadEventsAsync(period, [.. shown.Select(u => u.Org)], cancellationToken);
        return (shown, snapshot.Records, all.Count(u => u.State == Approved), all.Count(u => u.State == Returned), all.Count, steps, null);
    }

    private async Task<(List<ApprovalUnit> Units, IReadOnlyDictionary<string, ApprovalRecord> Records, int Approved, int Returned, int Total, IReadOnlyList<ApprovalEvent> Steps, DateTimeOffset? AsOf)>
        FromSummariesAsync(OrgRegistry orgs, Org city, Period period, CancellationToken cancellationToken)
    {
        var districts = orgs.Children(city.Code).Where(c => c.Level == OrgLevel.District).ToList();
        var shown = new List<Org> { city };
        shown.AddRange(districts);
        // The city's own row and steps are read while the summaries come.
        var ownRead = store.ReadAsync(period, [city.Code], cancellationToken);
        var ownSteps = store.ReadEventsAsync(period, [city.Code], cancellationToken);
        var found = await summaries.GetAsync(orgs, districts, period, cancellationToken);
        var own = await ownRead;

        // The districts' and their townships' records as the summaries hold them: what the buttons depend on.
        var records = new Dictionary<string, ApprovalRecord>(own.Records, StringComparer.Ordinal);
        var (approved, returned) = (0, 0);
        foreach (var (summary, _) in found)
        {
            var counts = summary.Totals();
            (approved, returned) = (approved + counts.Approved, returned + counts.Returned);
            if (summary.Review?.ToRecord(summary.District, period) is { } districtRecord)
            {
                records[summary.District] = districtRecord;
            }

            foreach (var township in summary.Townships.Where(t => t.Org != summary.District))
            {
                var record = township.Review?.ToRecord(township.Org, period);
                if (record is not null)
                {
                    records[township.Org] = record;
                }

                var state = ApprovalState.Of(false, record, null).State;
                (approved, returned) = (approved + (state == Approved ? 1 : 0), returned + (state == Returned ? 1 : 0));
            }
        }

        var units = shown.Select(o => Unit(o, records.GetValueOrDefault(o.Code), null)).ToList();
        approved += units.Count(u => u.State == Approved);
        returned += units.Count(u => u.State == Returned);
        var steps = (await ownSteps)
            .Concat(found.SelectMany(f => f.Summary.Steps.Select(step => step.ToEvent(f.Summary.District, period))))
            .OrderByDescending(e => e.At).ThenBy(e => e.OrgCode, StringComparer.Ordinal)
            .ToList();
        var asOf = found.Count == 0 ? time.GetUtcNow() : found.Min(f => f.Summary.AsOf);
        return (units, records, approved, returned, orgs.Subtree(city.Code, includeSelf: true).Count(), steps, asOf);
    }

    public async Task<ApprovalOutcome> ActAsync(CallerIdentity caller, Org target, Period period, ApprovalAction action, string? reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(caller);
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var children = orgs.Children(target.Code);
        var snapshot = await store.ReadAsync(period, [target.Code, .. target.ParentCode is { } parentCode ? [parentCode] : Array.Empty<string>(), .. children.Select(c => c.Code)], cancellationToken);
        var reported = false;
        DateTimeOffset? lastReportedAt = null;
        if (target.Level == OrgLevel.Village)
        {
            await foreach (var receipt in values.ReadLatestReceiptsAsync(period, [target.Code], cancellationToken))
            {
                reported |= receipt.HasReported;
                lastReportedAt = receipt.LastReportedAt ?? lastReportedAt;
            }
        }

        var context = new ApprovalContext(
            target,
            snapshot.Find(target.Code),
            target.ParentCode is { } parent ? snapshot.Find(parent) : null,
            [.. children.Select(c => (c, snapshot.Find(c.Code)))],
            reported);
        var trimmed = string.IsNullOrWhiteSpace(reason) ? null : reason.Trim();
        var decision = ApprovalRules.Decide(action, caller.OrgCode, context, trimmed,
            (ancestor, code) => !string.Equals(ancestor, code, StringComparison.Ordinal) && orgs.IsInSubtree(ancestor, code));
        if (!decision.IsAllowed)
        {
            return new ApprovalOutcome(decision, null);
        }

        if (decision.AlreadyDone)
        {
            // Approving an approved org again (a double click, a retry, a second reviewer): one approval, nothing written.
            return new ApprovalOutcome(decision, context.Current, Unit(target, context.Current, lastReportedAt));
        }

        // One write on the target's row: for a village, its review state, its lock and its values' latest receipt are one
        // row, so no merge commits after the approval and the approval's time is after every change it covers.
        var step = new ApprovalEvent(target.Code, period, action, caller.Subject, caller.OrgCode, time.GetUtcNow(), trimmed);
        var record = await store.CommitAsync(snapshot, step, target.ParentCode, cancellationToken);
        await RefreshSummaryAsync(orgs, target, period);
        if (consolidation is not null)
        {
            // The workbooks show the review state as well: the step's area is rebuilt as a submission's is, not at the next
            // timer run. The step stands whatever happens here.
            await consolidation.EnqueueForReviewAsync(target.Code, period, CancellationToken.None);
        }

        return new ApprovalOutcome(decision, record, Unit(target, record, lastReportedAt));
    }

    /// <summary>
    /// A step on a village, township or district changes its district's office summary (the city's page counts from it and
    /// shows the district's state and steps from it): counted again now, after the commit, so the city sees the step at once. A failure here leaves the summary as the next
    /// consolidation unit writes it; the step itself stands.
    /// </summary>
    private async Task RefreshSummaryAsync(OrgRegistry orgs, Org target, Period period)
    {
        var district = target.Level == OrgLevel.District ? target
            : target.Level is OrgLevel.Village or OrgLevel.Township ? orgs.Ancestors(target.Code).FirstOrDefault(a => a.Level == OrgLevel.District)
            : null;
        if (district is null)
        {
            return;
        }

        try
        {
            await summaries.SaveAsync(await summaries.ComputeAsync(orgs, district, period, CancellationToken.None), CancellationToken.None);
        }
        catch (Exception ex) when (Http.StorageFailures.IsUnavailable(ex))
        {
            logger.LogWarning(ex, "Office summary of {District} {Period} not refreshed after a step on {Org}", district.Code, period.ToString(), target.Code);
        }
    }

    /// <summary>Each step <see cref="ApprovalRules.Decide"/> allows on the unit in its current state (a reason is assumed given).</summary>
    private static IReadOnlyList<string> ActionsFor(string callerOrg, ApprovalUnit unit, OrgRegistry orgs, IReadOnlyDictionary<string, ApprovalRecord> records)
    {
        if (!orgs.TryGet(unit.Org, out var target))
        {
            return [];
        }

        var context = new ApprovalContext(
            target,
            records.GetValueOrDefault(target.Code),
            target.ParentCode is { } parent ? records.GetValueOrDefault(parent) : null,
            [.. orgs.Children(target.Code).Select(c => (c, records.GetValueOrDefault(c.Code)))],
            unit.ReportedAt is not null);
        return [.. Enum.GetValues<ApprovalAction>()
            .Where(action =>
            {
                var decision = ApprovalRules.Decide(action, callerOrg, context, "（原因）",
                    (ancestor, code) => !string.Equals(ancestor, code, StringComparison.Ordinal) && orgs.IsInSubtree(ancestor, code));
                return decision.IsAllowed && !decision.AlreadyDone;
            })
            .Select(action => action.ToString().ToLowerInvariant())];
    }

    private async Task<List<ApprovalUnit>> UnitsAsync(IReadOnlyList<Org> orgs, Period period, IReadOnlyDictionary<string, ApprovalRecord> records, CancellationToken cancellationToken)
    {
        var reportedAt = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        var villages = orgs.Where(o => o.Level == OrgLevel.Village).Select(o => o.Code).ToList();
        if (villages.Count > 0)
        {
            await foreach (var receipt in values.ReadLatestReceiptsAsync(period, villages, cancellationToken))
            {
                if (OfficeTally.LastReportedAt(receipt) is { } at)
                {
                    reportedAt[receipt.OrgCode] = at;
                }
            }
        }

        return [.. orgs.Select(o => Unit(o, records.GetValueOrDefault(o.Code), reportedAt.TryGetValue(o.Code, out var at) ? at : null))];
    }

    /// <summary>The state shown everywhere, by the one rule (<see cref="ApprovalState.Of"/>).</summary>
    private static ApprovalUnit Unit(Org org, ApprovalRecord? record, DateTimeOffset? reportedAt)
    {
        var (state, name) = ApprovalState.Of(org.Level == OrgLevel.Village, record, reportedAt);
        return new ApprovalUnit(org.Code, org.Name, org.Level.ToString().ToLowerInvariant(), org.ParentCode, state, name, record?.IsLocked == true,
            reportedAt, record?.BySubject, record?.ByOrg, record?.At, record?.Reason);
    }
}
