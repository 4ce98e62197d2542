using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Options;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Templates;

namespace ReportPipeline.Application.Consolidation;

/// <summary>
/// One message of the <c>consolidation</c> queue. A district unit builds, for one period, every township workbook of the
/// district and the district's own workbook, for every template of the period's kind (or the listed ones), sharing one
/// read of the district's values per source period; a city unit builds the city's workbooks. Why a district and not one
/// workbook: 36 templates × 26 orgs read the same table partition, so a workbook unit would read it 936 times
/// (docs/storage-design.md, "Fan-out").
/// </summary>
public sealed record ConsolidationUnit(
    [property: JsonPropertyName("period")] string Period,
    [property: JsonPropertyName("org")] string Org,
    [property: JsonPropertyName("templates")] IReadOnlyList<string>? Templates = null,
    [property: JsonPropertyName("force")] bool Force = false)
{
    /// <summary>
    /// Set on a unit enqueued through its org's pending marker (<see cref="PendingConsolidation"/>): it builds what the
    /// marker holds when it starts, not a list of its own; the ticket names its claim, so a retry takes the same work again.
    /// </summary>
    [JsonPropertyName("ticket")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Ticket { get; init; }

    /// <summary>
    /// Set on a district unit of an explicit plan: the ticket under which the planner announced it on the district's
    /// marker when it was enqueued, so that its city waits for it from then on, not only once it runs.
    /// </summary>
    [JsonPropertyName("announced")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Announced { get; init; }

    /// <summary>Set on a city unit of an explicit plan that came back later because its districts were busy: since when it waits.</summary>
    [JsonPropertyName("waitingSince")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public DateTimeOffset? WaitingSince { get; init; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string ToMessage() => JsonSerializer.Serialize(this, Json);

    /// <summary>The unit in a message; <see cref="FormatException"/> for anything else (it ends in the poison queue).</summary>
    public static ConsolidationUnit Parse(string message)
    {
        ConsolidationUnit? unit;
        try
        {
            unit = JsonSerializer.Deserialize<ConsolidationUnit>(message, Json);
        }
        catch (JsonException ex)
        {
            throw new FormatException("The consolidation message is not a unit (JSON with period and org).", ex);
        }

        return unit is { Period: not null, Org: not null } && Domain.Periods.Period.TryParse(unit.Period, out _)
            ? unit
            : throw new FormatException("The consolidation message has no valid period or org.");
    }
}

/// <summary>What one unit did.</summary>
public sealed record UnitResult(ConsolidationUnit Unit, IReadOnlyList<BuildResult> Results, int Failed)
{
    /// <summary>District roll-ups a city unit found stale and rebuilt from the districts' values (0 when the districts were done first).</summary>
    public int RollupsRebuilt { get; init; }

    /// <summary>District roll-ups a city unit read and used as stored.</summary>
    public int RollupsRead { get; init; }

    public int Built => Results.Count(r => r.Outcome == BuildOutcome.Built);

    /// <summary>When the unit began reading its inputs: every submission accepted before this is in what it built or skipped.</summary>
    public DateTimeOffset InputsReadAt { get; init; }

    /// <summary>A city unit that found districts still busy and put its work back for later (nothing built).</summary>
    public bool Deferred { get; init; }

    /// <summary>The marked district work a city unit built itself after waiting its windows, each part with its own read time.</summary>
    public IReadOnlyList<UnitResult> Pulled { get; init; } = [];
}

/// <summary>
/// Builds one <see cref="ConsolidationUnit"/>: the queue-triggered function and the local host's queue worker call this,
/// and so does nothing else, so the two hosts share one path. Safe to run twice or on two instances at once: each
/// workbook is skipped when its watermark is unchanged and stored only if the blob is still the version read.
/// </summary>
public sealed class ConsolidationUnitHandler(
    ReferenceData reference,
    ConsolidationService consolidation,
    PendingConsolidation pending,
    Quality.QualityService quality,
    TimeProvider time,
    ILogger<ConsolidationUnitHandler> logger,
    OfficeSummaries summaries,
    FieldSums fieldSums)
{
    public Task<UnitResult> HandleAsync(string message, CancellationToken cancellationToken)
        => HandleAsync(ConsolidationUnit.Parse(message), cancellationToken);

    /// <exception cref="AggregateException">When any workbook failed: the message is then retried (and poisoned after the last try).</exception>
    public Task<UnitResult> HandleAsync(ConsolidationUnit unit, CancellationToken cancellationToken)
        => HandleAsync(unit, fromQueue: true, cancellationToken);

    /// <param name="fromQueue">
    /// False when a caller builds a plan in its own process (<see cref="ScheduledConsolidation.RunAsync"/>, districts
    /// first): a city unit then builds at once instead of sending itself back to the queue while districts are busy.
    /// </param>
    public async Task<UnitResult> HandleAsync(ConsolidationUnit unit, bool fromQueue, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var period = Period.Parse(unit.Period);
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var root = orgs.TryGet(unit.Org, out var found) ? found : throw new FormatException($"The consolidation message names org {unit.Org}, which is not in the registry.");
        return unit.Ticket is { } ticket
            ? await HandleMarkedAsync(unit, ticket, period, orgs, root, cancellationToken)
            : await HandleExplicitAsync(unit, period, orgs, root, fromQueue, cancellationToken);
    }

    /// <summary>
    /// A unit of an explicit plan (every district, then the city). A district is announced on its marker from when it was
    /// enqueued (or, sent without, from when it starts) until it is done. A city unit that finds any of its districts
    /// announced comes back one window later (a delayed copy of its message; it holds no worker meanwhile), for at most
    /// <see cref="PendingConsolidation.ExplicitCityWait"/>, so that with several workers it reads their fresh roll-ups
    /// instead of rebuilding them.
    /// </summary>
    private async Task<UnitResult> HandleExplicitAsync(ConsolidationUnit unit, Period period, OrgRegistry orgs, Org root, bool fromQueue, CancellationToken cancellationToken)
    {
        if (root.Level == OrgLevel.City)
        {
            var now = time.GetUtcNow();
            var since = unit.WaitingSince ?? now;
            if (fromQueue && now - since < pending.ExplicitCityWait
                && (await pending.BusyAsync(period, orgs.Children(root.Code).Select(d => d.Code), cancellationToken)).Any(d => d.Running))
            {
                await pending.RequeueAsync(unit with { WaitingSince = since }, cancellationToken);
                logger.LogInformation("City unit {Org} {Period} comes back after a window: districts are still running", root.Code, period.ToString());
                return new UnitResult(unit, [], 0) { InputsReadAt = now, Deferred = true };
            }

            return await BuildAsync(unit, period, orgs, root, townships: null, cancellationToken);
        }

        if (root.Level != OrgLevel.District)
        {
            return await BuildAsync(unit, period, orgs, root, townships: null, cancellationToken);
        }

        var ticket = unit.Announced ?? Guid.NewGuid().ToString("N");
        if (unit.Announced is null)
        {
            await pending.BeginAsync(period, root.Code, ticket, cancellationToken);
        }

        try
        {
            return await BuildAsync(unit, period, orgs, root, townships: null, cancellationToken);
        }
        finally
        {
            await pending.CompleteAsync(period, root.Code, ticket, CancellationToken.None);
        }
    }

    /// <summary>
    /// A unit enqueued through its org's marker: claims what was marked. A district builds the marked townships' workbooks
    /// and its own, then marks its city; a city waits (bounded) while any of its districts is still busy, so that it finds
    /// their roll-ups fresh instead of rebuilding them itself.
    /// </summary>
    private async Task<UnitResult> HandleMarkedAsync(ConsolidationUnit unit, string ticket, Period period, OrgRegistry orgs, Org root, CancellationToken cancellationToken)
    {
        var claimed = await pending.ClaimAsync(period, root.Code, ticket, cancellationToken);
        if (claimed.Work.IsEmpty)
        {
            // Another unit of this org took the work (a duplicate delivery, or a unit sent while one was running).
            return new UnitResult(unit, [], 0) { InputsReadAt = time.GetUtcNow() };
        }

        if (root.Level == OrgLevel.City)
        {
            return await HandleCityAsync(unit, ticket, claimed, period, orgs, root, cancellationToken);
        }

        var result = await BuildAsync(unit with { Templates = claimed.Work.Templates }, period, orgs, root, claimed.Work.Orgs, cancellationToken);
        if (orgs.Ancestors(root.Code).FirstOrDefault(a => a.Level == OrgLevel.City) is { } city)
        {
            // Marked before the claim goes: a city unit that looks meanwhile sees this district busy rather than missing it.
            await pending.MarkAsync(period, city.Code, new PendingWork(claimed.Work.Templates, [root.Code]), cancellationToken);
        }

        await pending.CompleteAsync(period, root.Code, ticket, cancellationToken);
        return result;
    }

    /// <summary>
    /// A city unit: while any district has work marked or running it waits a window at a time (at most
    /// <see cref="ConsolidationQueueOptions.CityDeferWindows"/>); after that it builds the marked work of districts that no
    /// unit is running itself — their township, district and roll-up builds happen once, here, and their own delayed unit
    /// finds nothing — and only the roll-ups of districts still running (or whose unit died) are rebuilt by the city build.
    /// </summary>
    private async Task<UnitResult> HandleCityAsync(ConsolidationUnit unit, string ticket, ClaimedWork claimed, Period period, OrgRegistry orgs, Org root, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var busy = await pending.BusyAsync(period, orgs.Children(root.Code).Select(d => d.Code), cancellationToken);
        var patient = claimed.DeferredSince is not { } since || now - since < pending.Window * ConsolidationQueueOptions.CityDeferWindows;
        if (busy.Count > 0 && patient)
        {
            await pending.PutBackAsync(period, root.Code, ticket, claimed.Work, waiting: true, cancellationToken);
            logger.LogInformation("City unit {Org} {Period} waits for {Busy} busy districts", root.Code, period.ToString(), busy.Count);
            return new UnitResult(unit, [], 0) { InputsReadAt = now, Deferred = true };
        }

        var work = claimed.Work;
        var pulled = new List<UnitResult>();
        foreach (var district in busy.Where(b => !b.Running))
        {
            if (await BuildMarkedDistrictAsync(period, orgs, orgs.Get(district.Code), cancellationToken) is { } done)
            {
                pulled.Add(done.Result);
                work = work.Union(done.Work with { Orgs = [district.Code] });
            }
        }

        var result = await BuildAsync(unit with { Templates = work.Templates }, period, orgs, root, null, cancellationToken);
        await pending.CompleteAsync(period, root.Code, ticket, cancellationToken);
        return result with { Pulled = pulled };
    }

    /// <summary>A district's marked work, claimed and built by a city unit that has waited long enough for it; null when there was none.</summary>
    private async Task<(UnitResult Result, PendingWork Work)?> BuildMarkedDistrictAsync(Period period, OrgRegistry orgs, Org district, CancellationToken cancellationToken)
    {
        var ticket = Guid.NewGuid().ToString("N");
        var claimed = await pending.ClaimAsync(period, district.Code, ticket, cancellationToken);
        if (claimed.Work.IsEmpty)
        {
            return null;
        }

        try
        {
            var result = await BuildAsync(new ConsolidationUnit(period.ToString(), district.Code, claimed.Work.Templates) { Ticket = ticket }, period, orgs, district, claimed.Work.Orgs, cancellationToken);
            await pending.CompleteAsync(period, district.Code, ticket, cancellationToken);
            return (result, claimed.Work);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Back to the district's own unit; the city unit fails and is retried.
            await pending.PutBackAsync(period, district.Code, ticket, claimed.Work, waiting: false, CancellationToken.None);
            throw;
        }
    }

    /// <param name="townships">A district's townships to build (null: all of them); the district's own workbooks are always built.</param>
    private async Task<UnitResult> BuildAsync(ConsolidationUnit unit, Period period, OrgRegistry orgs, Org root, IReadOnlyCollection<string>? townships, CancellationToken cancellationToken)
    {
        var templates = await ConsolidationPlanner.TemplatesOfAsync(reference, period, unit.Templates, cancellationToken);

        // District: its townships and itself. City (or any other root): itself only; districts come in their own units.
        var targets = root.Level == OrgLevel.District
            ? [.. orgs.Subtree(root.Code, includeSelf: true).Where(o => o.Level == OrgLevel.District || (o.Level == OrgLevel.Township && (townships is null || townships.Contains(o.Code))))]
            : new List<Org> { root };
        var jobs = (from template in templates
                    from org in targets
                    where template.IsFor(org.Level, period.Kind)
                    select (template, org)).ToList();

        var villages = orgs.Villages(root.Code).Select(v => v.Code).ToList();
        var inputsReadAt = time.GetUtcNow();
        // The 减负 counts' periods too: a district stores its counts, a city sums them.
        var inputs = await consolidation.ReadInputsAsync(templates, period, orgs, villages, withBurden: true, cancellationToken);

        // A district's values are read once per source period for all its workbooks; a city workbook is assembled from
        // the districts' roll-ups.
        var cache = root.Level == OrgLevel.District ? new DistrictValueCache(consolidation, villages, cancellationToken) : null;
        var city = root.Level == OrgLevel.City ? new CityInputs(consolidation, orgs, root, period, inputs, templates, logger, cancellationToken) : null;
        // Each workbook's watermark and ETag from one listing per template, not a properties read per workbook.
        var stored = await consolidation.ListStoredAsync(period, jobs, cancellationToken);
        var results = new List<BuildResult>();
        var failures = new List<Exception>();
        // Twice the cores for a district: while some workbooks wait for their upload, others are composed and written.
        var options = new ParallelOptions { MaxDegreeOfParallelism = cache is null ? 2 : Math.Max(4, 2 * Environment.ProcessorCount), CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(jobs, options, async (job, ct) =>
        {
            try
            {
                var own = job.org.Code == root.Code ? villages : [.. orgs.Villages(job.org.Code).Select(v => v.Code)];
                var result = await consolidation.BuildAsync(job.template, orgs, job.org.Code, period, own, inputs, unit.Force, cache, job.org.Code == root.Code ? city : null, stored, ct);
                lock (results)
                {
                    results.Add(result);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The others still build; the service has logged and counted this one.
                lock (failures)
                {
                    failures.Add(ex);
                }
            }
        });

        await ComeBackForLostUploadsAsync(period, root, results, failures, cancellationToken);

        if (cache is not null)
        {
            try
            {
                // The office pages' counts for the city, from what this unit read (OfficeSummaries).
                await summaries.SaveFromUnitAsync(period, root, inputs, inputsReadAt, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Storing the office summary of district {Org} {Period} failed", root.Code, period.ToString());
                failures.Add(ex);
            }

            try
            {
                await consolidation.DistrictBurdenAsync(period, root.Code, villages, inputs, cache, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The city counts a stale district itself; only a log here.
                logger.LogError(ex, "Counting the 减负 entries of district {Org} {Period} failed", root.Code, period.ToString());
                failures.Add(ex);
            }

            await SummarizeQualityAsync(root, period, results, cache, failures, cancellationToken);
            try
            {
                // The trend/series route's sums for the offices above (FieldSums).
                await fieldSums.SaveFromUnitAsync(period, root, villages, inputs, cache, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Storing the field sums of district {Org} {Period} failed", root.Code, period.ToString());
                failures.Add(ex);
            }
        }

        logger.LogInformation(
            "Consolidation unit {Org} {Period}: {Built} built, {Skipped} unchanged, {Busy} stored by another instance, {Failed} failed; {RollupsRead} district roll-ups read, {RollupsRebuilt} rebuilt; {ComposeMs} ms composing, {WriteMs} ms writing, {StoreMs} ms storing (summed over workbooks)",
            unit.Org, unit.Period, results.Count(r => r.Outcome == BuildOutcome.Built), results.Count(r => r.Outcome == BuildOutcome.Skipped),
            results.Count(r => r.Outcome == BuildOutcome.Busy), failures.Count, city?.RollupsRead ?? 0, city?.RollupsRebuilt ?? 0,
            Math.Round(results.Sum(r => r.ComposeMs)), Math.Round(results.Sum(r => r.WriteMs)), Math.Round(results.Sum(r => r.StoreMs)));
        if (failures.Count > 0)
        {
            throw new AggregateException($"{failures.Count} workbook(s) of unit {unit.Org} {unit.Period} failed.", failures);
        }

        return new UnitResult(unit, results, 0) { RollupsRebuilt = city?.RollupsRebuilt ?? 0, RollupsRead = city?.RollupsRead ?? 0, InputsReadAt = inputsReadAt };
    }

    /// <summary>
    /// A workbook whose conditional upload lost (<see cref="BuildOutcome.Busy"/>: another unit stored it after this one
    /// listed it) may hold older inputs than this unit read — two units of one org run at once when a mark comes while
    /// one is running, in one process or several. The loser does not overwrite; it marks its org again for those
    /// templates (and townships), so a unit comes after the window, reads the inputs afresh and skips if the winner's
    /// workbook is already current. Without this a change claimed by the losing unit waited for the timer.
    /// </summary>
    private async Task ComeBackForLostUploadsAsync(Period period, Org root, List<BuildResult> results, List<Exception> failures, CancellationToken cancellationToken)
    {
        var lost = results.Where(r => r.Outcome == BuildOutcome.Busy).ToList();
        if (lost.Count == 0 || root.Level is not (OrgLevel.District or OrgLevel.City))
        {
            return;
        }

        var townships = lost.Select(r => r.Org).Where(org => org != root.Code).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var templates = lost.Select(r => r.Template).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        try
        {
            await pending.MarkAsync(period, root.Code, new PendingWork(templates, townships), cancellationToken);
            logger.LogInformation("Unit {Org} {Period}: {Count} workbook(s) stored by another unit first; marked again to be checked after the window", root.Code, period.ToString(), lost.Count);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not marked: the message is retried, and the retry rebuilds what is not current.
            logger.LogError(ex, "Marking {Org} {Period} again after a lost upload failed", root.Code, period.ToString());
            failures.Add(ex);
        }
    }

    /// <summary>
    /// The district's 数据质量 counts for the offices above, from the unit's shared read: again when a workbook of the
    /// district was built (its villages' data changed) or none is stored yet.
    /// </summary>
    private async Task SummarizeQualityAsync(Org district, Period period, List<BuildResult> results, DistrictValueCache cache, List<Exception> failures, CancellationToken cancellationToken)
    {
        try
        {
            if (results.Any(r => r.Outcome == BuildOutcome.Built) || await quality.StoredDistrictAsync(district, period, cancellationToken) is null)
            {
                await quality.SummarizeDistrictAsync(district, period, (source, some, _, ct) => cache.ReadAsync(source, some, ct), cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The city counts a district without stored counts itself; only a log here.
            logger.LogError(ex, "Counting the 数据质量 flags of district {Org} {Period} failed", district.Code, period.ToString());
            failures.Add(ex);
        }
    }
}

/// <summary>
/// Plans consolidation as queue units: the timer, the local CLI and an accepted submission come here, so they enqueue
/// the same units that the queue builders handle.
/// </summary>
public sealed class ConsolidationPlanner(ReferenceData reference, IConsolidationQueue queue, PendingConsolidation pending, ILogger<ConsolidationPlanner> logger)
{
    /// <summary>One unit per district and one per city (or other root above districts) for each period, the districts first.</summary>
    public async Task<IReadOnlyList<ConsolidationUnit>> PlanAsync(IEnumerable<Period> periods, bool force, CancellationToken cancellationToken)
    {
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var planned = new List<Period>();
        foreach (var period in periods)
        {
            if ((await TemplatesOfAsync(reference, period, null, cancellationToken)).Count > 0)
            {
                planned.Add(period);
            }
        }

        // Every district unit before any city unit: a queue hands messages out roughly in order, so the city units start
        // when the districts' roll-ups are (nearly all) stored, and rebuild only the few still in flight.
        return
        [
            .. from period in planned
               from district in orgs.ByLevel(OrgLevel.District).OrderBy(o => o.Code, StringComparer.Ordinal)
               select new ConsolidationUnit(period.ToString(), district.Code, null, force),
            .. from period in planned
               from city in orgs.ByLevel(OrgLevel.City).OrderBy(o => o.Code, StringComparer.Ordinal)
               select new ConsolidationUnit(period.ToString(), city.Code, null, force),
        ];
    }

    /// <summary>
    /// Enqueues the plan. Each district unit is first announced on its district's marker (the queue does not hand
    /// messages out strictly in order), so that a city unit that comes early waits for it rather than rebuilding its roll-ups.
    /// </summary>
    public async Task<IReadOnlyList<ConsolidationUnit>> EnqueueAsync(IEnumerable<Period> periods, bool force, CancellationToken cancellationToken)
    {
        var orgs = await reference.GetOrgsAsync(cancellationToken);
        var units = (await PlanAsync(periods, force, cancellationToken))
            .Select(u => orgs.Get(u.Org).Level == OrgLevel.District ? u with { Announced = Guid.NewGuid().ToString("N") } : u)
            .ToList();
        await Parallel.ForEachAsync(units.Where(u => u.Announced is not null), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (unit, ct) => await pending.BeginAsync(Period.Parse(unit.Period), unit.Org, unit.Announced!, ct));
        await queue.EnqueueAsync(units.Select(u => u.ToMessage()), cancellationToken);
        logger.LogInformation("Enqueued {UnitCount} consolidation units", units.Count);
        return units;
    }

    /// <summary>
    /// After a village's accepted submission: marks its district (<see cref="PendingConsolidation"/>) with its township and
    /// the templates to rebuild, for the submission's period and for each coarser period that reads this one at its end
    /// (期末数) — the templates that use a submitted field (directly or through an expression), or every template of the
    /// period when the village reported for the first time, since its 填报情况 row changes in all of them. The first mark
    /// of a window enqueues the district's unit with the coalescing delay; later ones only add to the marker; the district
    /// unit marks the city when it is done. Returns the district units marked. Failing to mark does not fail the
    /// submission: the timer catches up.
    /// </summary>
    public async Task<IReadOnlyList<ConsolidationUnit>> EnqueueForChangeAsync(
        string villageCode, Period period, IReadOnlyCollection<string> fieldIds, bool firstReport, CancellationToken cancellationToken)
    {
        var units = new List<ConsolidationUnit>();
        try
        {
            var orgs = await reference.GetOrgsAsync(cancellationToken);
            if (!orgs.TryGet(villageCode, out var village) || village.Level != OrgLevel.Village)
            {
                return units;
            }

            var fields = fieldIds.ToHashSet(StringComparer.Ordinal);
            foreach (var kind in new[] { PeriodKind.Month, PeriodKind.Quarter, PeriodKind.Year }.Where(k => (int)k >= (int)period.Kind))
            {
                var target = kind == period.Kind ? period : period.Enclosing(kind);
                if (SourcePeriods.EndOf(target, period.Kind) != period)
                {
                    continue;
                }

                var templates = (await TemplatesOfAsync(reference, target, null, cancellationToken))
                    .Where(t => (firstReport && kind == period.Kind) || t.FieldIds().Any(fields.Contains))
                    .Select(t => t.Id)
                    .ToList();
                if (await MarkAreaAsync(orgs, village, target, templates, cancellationToken) is { } unit)
                {
                    units.Add(unit);
                }
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Enqueueing consolidation after {Org} {Period} failed; the next timer run rebuilds what changed", villageCode, period.ToString());
        }

        return units;
    }

    /// <summary>
    /// After an approval step (审核通过, 退回, 解锁) on a village, township, district or the city: the org's 审核状态 shows
    /// in every workbook of the period — its 填报情况 row or unit row, and an office's 合计 row — so its area is marked
    /// for every template of the period exactly as a submission marks it (<see cref="MarkAreaAsync"/>): a village's or a
    /// township's district with that township, a district itself (its unit then marks the city), the city itself. Coarser
    /// periods keep their own review states and are not marked. Failing to mark does not fail the step: the timer catches up.
    /// </summary>
    public async Task<ConsolidationUnit?> EnqueueForReviewAsync(string orgCode, Period period, CancellationToken cancellationToken)
    {
        try
        {
            var orgs = await reference.GetOrgsAsync(cancellationToken);
            return orgs.TryGet(orgCode, out var org)
                ? await MarkAreaAsync(orgs, org, period, [.. (await TemplatesOfAsync(reference, period, null, cancellationToken)).Select(t => t.Id)], cancellationToken)
                : null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Enqueueing consolidation after a review step on {Org} {Period} failed; the next timer run rebuilds what changed", orgCode, period.ToString());
            return null;
        }
    }

    /// <summary>
    /// Marks the area of <paramref name="org"/> for <paramref name="templates"/> of <paramref name="period"/> (the one way a
    /// change anywhere reaches the units): the district it is in or is (or, above districts, the city), with the township
    /// it is in or is as the township to rebuild. Null when there is nothing to mark.
    /// </summary>
    private async Task<ConsolidationUnit?> MarkAreaAsync(OrgRegistry orgs, Org org, Period period, IReadOnlyList<string> templates, CancellationToken cancellationToken)
    {
        var selfAndAbove = orgs.Ancestors(org.Code).Prepend(org).ToList();
        var township = selfAndAbove.FirstOrDefault(a => a.Level == OrgLevel.Township);
        // A village hangs below a district in every registry the loader accepts; a city marked directly covers the rest.
        var marked = selfAndAbove.FirstOrDefault(a => a.Level == OrgLevel.District) ?? selfAndAbove.FirstOrDefault(a => a.Level == OrgLevel.City);
        if (marked is null || templates.Count == 0)
        {
            return null;
        }

        await pending.MarkAsync(period, marked.Code, new PendingWork(templates, township is null ? [] : [township.Code]), cancellationToken);
        return new ConsolidationUnit(period.ToString(), marked.Code, templates);
    }

    internal static async Task<IReadOnlyList<ReportTemplate>> TemplatesOfAsync(ReferenceData reference, Period period, IReadOnlyList<string>? only, CancellationToken cancellationToken) =>
        [.. (await reference.CatalogForAsync(period, cancellationToken)).Templates.Where(t => t.PeriodKind == period.Kind && (only is null || only.Contains(t.Id, StringComparer.Ordinal)))];
}
