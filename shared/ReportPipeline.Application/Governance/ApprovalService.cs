using ReportPipeline.Application.Auth;
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

/// <summary>The review state of an org's subtree for a period, with every step taken on it, newest first.</summary>
public sealed record ApprovalReport(
    string Org,
    string OrgName,
    string Period,
    ApprovalUnit Self,
    int Approved,
    int Returned,
    int Total,
    IReadOnlyList<ApprovalUnit> Units,
    IReadOnlyList<ApprovalStep> Steps);

/// <summary>What a step did: the decision, and the new record when it was taken.</summary>
/// <param name="Unit">The target's state after the step, by the one rule (<see cref="ApprovalState.Of"/>); null when refused.</param>
public sealed record ApprovalOutcome(ApprovalDecision Decision, ApprovalRecord? Record, ApprovalUnit? Unit = null);

/// <summary>
/// The approval chain over the store: reads the state of a subtree, takes a step under <see cref="ApprovalRules"/>, and
/// answers the lock check every submission makes, whatever its channel.
/// </summary>
public sealed class ApprovalService(ReferenceData reference, IApprovalStore store, IFieldValueStore values, TimeProvider time)
{
    public const string NotReported = ApprovalState.NotReported;
    public const string Reported = ApprovalState.Reported;
    public const string Pending = ApprovalState.Pending;
    public const string Approved = ApprovalState.Approved;
    public const string Returned = ApprovalState.Returned;

    public Task<ApprovalReport> GetAsync(Org org, Period period, CancellationToken cancellationToken) =>
        GetAsync(org, period, caller: null, cancellationToken);

    /// <summary>The same, with each unit's <see cref="ApprovalUnit.Actions"/> for <paramref name="caller"/> (when an admin).</summary>
    public async Task<ApprovalReport> GetAsync(Org org, Period period, CallerIdentity? caller, CancellationToken cancellationToken)
    {
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var subtree = orgs.Subtree(org.Code, includeSelf: true).ToList();
        var snapshot = await store.ReadAsync(period, [.. subtree.Select(o => o.Code)], cancellationToken);
        var units = await UnitsAsync(subtree, period, snapshot.Records, cancellationToken);
        string? NameOf(string? code) => code is not null && orgs.TryGet(code, out var named) ? named.Name : null;
        units = [.. units.Select(u => u with { ByOrgName = NameOf(u.ByOrg) })];
        if (caller is not null && caller.IsInRole(CallerRoles.Admin))
        {
            units = [.. units.Select(u => u with { Actions = ActionsFor(caller.OrgCode, u, orgs, snapshot.Records) })];
        }

        var steps = await store.ReadEventsAsync(period, [.. subtree.Select(o => o.Code)], cancellationToken);
        return new ApprovalReport(
            org.Code,
            org.Name,
            period.ToString(),
            units.Single(u => u.Org == org.Code),
            units.Count(u => u.State == Approved),
            units.Count(u => u.State == Returned),
            units.Count,
            units,
            [.. steps.Select(s => new ApprovalStep(s.OrgCode, s.Action.ToString().ToLowerInvariant(), ApprovalNames.Of(s.Action), s.BySubject, s.ByOrg, s.At, s.Reason)
            {
                ByOrgName = NameOf(s.ByOrg),
            })]);
    }

    /// <summary>
    /// The states of the given orgs (the status route's villages and townships) from one read of the period; the caller
    /// has read the villages' receipts already and passes when each last reported.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, ApprovalUnit>> StatesAsync(
        IReadOnlyList<Org> orgs, Period period, IReadOnlyDictionary<string, DateTimeOffset> lastReportedAt, CancellationToken cancellationToken)
    {
        var snapshot = await store.ReadAsync(period, [.. orgs.Select(o => o.Code)], cancellationToken);
        return orgs.Select(o => Unit(o, snapshot.Find(o.Code), lastReportedAt.TryGetValue(o.Code, out var at) ? at : null))
            .ToDictionary(u => u.Org, StringComparer.Ordinal);
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
        return new ApprovalOutcome(decision, record, Unit(target, record, lastReportedAt));
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
                if (receipt.LastReportedAt is { } at)
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
