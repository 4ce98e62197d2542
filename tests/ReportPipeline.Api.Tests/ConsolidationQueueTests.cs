using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Application.Options;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using static ReportPipeline.Api.Tests.PipelineHostFixture;

namespace ReportPipeline.Api.Tests;

/// <summary>
/// The fan-out over the <c>consolidation</c> queue, against the fixture's Azurite: the local host's queue worker runs the
/// same handler as the Functions queue trigger.
/// </summary>
[Collection(PipelineHostCollection.Name)]
public sealed class ConsolidationQueueTests(PipelineHostFixture host)
{
    [Fact]
    public async Task Two_workers_share_units_delivered_twice_and_upload_every_workbook_exactly_once()
    {
        var period = Period.Parse(UniqueMonth());
        foreach (var village in host.Orgs.Villages(host.Townships()[0].Code))
        {
            await PostAsync(village, period);
        }

        var planner = host.Services.GetRequiredService<ConsolidationPlanner>();
        var scheduler = host.Services.GetRequiredService<ScheduledConsolidation>();
        // Every unit twice, as a redelivered message would come: the second copy must change nothing.
        await planner.EnqueueAsync([period], force: false, CancellationToken.None);
        await planner.EnqueueAsync([period], force: false, CancellationToken.None);

        var (first, second) = (NewWorker(), NewWorker());
        var drained = await Task.WhenAll(first.DrainAsync(2, CancellationToken.None), second.DrainAsync(2, CancellationToken.None));

        var ours = drained.SelectMany(d => d).SelectMany(u => u.Results).Where(r => r.Period == period.ToString()).ToList();
        var uploads = ours.Where(r => r.Outcome == BuildOutcome.Built).GroupBy(r => (r.Template, r.Org)).ToList();
        var jobs = await scheduler.PlanAsync([period], CancellationToken.None);
        Assert.Equal(jobs.Count, uploads.Count);
        Assert.All(uploads, workbook => Assert.Single(workbook));
        Assert.True(drained[0].Count > 0 && drained[1].Count > 0, "both workers took units");
        Assert.Equal(0, await host.Services.GetRequiredService<IConsolidationQueue>().CountAsync());
    }

    [Fact]
    public async Task A_unit_that_keeps_failing_moves_to_the_poison_queue_after_the_last_attempt()
    {
        var queue = host.Services.GetRequiredService<IConsolidationQueue>();
        var poisonedBefore = await queue.CountAsync(poison: true);
        await queue.EnqueueAsync(["{\"period\":\"not-a-period\",\"org\":\"1\"}"]);

        var results = await NewWorker(visibilitySeconds: 1).DrainAsync(1, CancellationToken.None);

        Assert.Empty(results);
        Assert.Equal(poisonedBefore + 1, await queue.CountAsync(poison: true));
        Assert.Equal(0, await queue.CountAsync());
    }

    [Fact]
    public async Task A_correction_of_one_field_rebuilds_only_the_templates_using_it_above_the_village()
    {
        var period = Period.Parse(UniqueMonth());
        var township = host.Townships()[0];
        var village = host.Orgs.Villages(township.Code).First();
        foreach (var v in host.Orgs.Villages(township.Code))
        {
            await PostAsync(v, period);
        }

        var scheduler = host.Services.GetRequiredService<ScheduledConsolidation>();
        await NewWorker().DrainAsync(2, CancellationToken.None);
        await scheduler.RunAsync([period], force: false, progress: null, CancellationToken.None);

        // One typed field, corrected in one village that has already reported: a field in no cross-field rule, so the
        // value of another seed is valid on its own.
        var bundle = host.Bundle();
        var (before, after) = (host.TypedValues(village, period.ToString(), seed: 1), host.TypedValues(village, period.ToString(), seed: 2));
        var inRules = bundle.Catalog.Rules.SelectMany(r => r.Others.Append(r.Field)).ToHashSet(StringComparer.Ordinal);
        var field = before.Keys.Order(StringComparer.Ordinal).First(id => !inRules.Contains(id) && after.TryGetValue(id, out var other) && other != before[id]
            && bundle.Templates.Any(t => t.PeriodKind == PeriodKind.Month && t.FieldIds().Contains(id)));
        using (var response = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}", host.Token(village.Code),
                   Json(new { values = new Dictionary<string, string> { [field] = after[field] } })))
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        var rebuilt = (await NewWorker().DrainAsync(1, CancellationToken.None))
            .SelectMany(u => u.Results).Where(r => r.Period == period.ToString() && r.Outcome == BuildOutcome.Built).ToList();

        var using_ = bundle.Templates.Where(t => t.PeriodKind == PeriodKind.Month && t.FieldIds().Contains(field)).ToList();
        var expected = using_.Sum(t => host.Orgs.Ancestors(village.Code).Count(a => t.AudienceLevels.Contains(a.Level)));
        var all = (await scheduler.PlanAsync([period], CancellationToken.None)).Count(j => host.Orgs.IsInSubtree(j.Org, village.Code));
        Assert.Equal(expected, rebuilt.Count);
        Assert.All(rebuilt, r => Assert.Contains(r.Template, using_.Select(t => t.Id)));
        Assert.True(expected < all);
    }

    [Fact]
    public async Task A_unit_finds_its_workbooks_watermarks_in_one_listing_per_template_not_a_properties_read_per_workbook()
    {
        var period = Period.Parse(UniqueMonth());
        var township = host.Townships()[0];
        foreach (var village in host.Orgs.Villages(township.Code))
        {
            await PostAsync(village, period);
        }

        var reports = new CountingReportStore(host.Services.GetRequiredService<IReportStore>());
        var consolidation = ActivatorUtilities.CreateInstance<ConsolidationService>(host.Services, reports);
        var handler = ActivatorUtilities.CreateInstance<ConsolidationUnitHandler>(host.Services, consolidation);
        var district = host.Orgs.Get(township.ParentCode!);
        var unit = new ConsolidationUnit(period.ToString(), district.Code);

        var built = await handler.HandleAsync(unit, CancellationToken.None);
        var (propertiesFirst, listingsFirst) = (reports.PropertyReads, reports.Listings);
        var again = await handler.HandleAsync(unit, CancellationToken.None);

        var templates = built.Results.Select(r => r.Template).Distinct().Count();
        Assert.True(built.Results.Count > 2 * templates, "the unit builds several workbooks per template");
        Assert.All(built.Results, r => Assert.Equal(BuildOutcome.Built, r.Outcome));
        Assert.All(again.Results, r => Assert.Equal(BuildOutcome.Skipped, r.Outcome));
        Assert.Equal(built.Results.Count, again.Results.Count);
        Assert.Equal((0, templates), (propertiesFirst, listingsFirst));
        Assert.Equal((0, 2 * templates), (reports.PropertyReads, reports.Listings));
        Assert.Equal(built.Results.Count, reports.Saves);
    }

    [Fact]
    public async Task A_city_unit_of_a_plan_comes_back_later_while_a_district_unit_is_announced_and_then_reads_its_rollup_instead_of_rebuilding_it()
    {
        var period = Period.Parse(UniqueMonth());
        var village = host.Orgs.Villages(host.Townships()[0].Code).First();
        await PostAsync(village, period);
        await NewWorker().DrainAsync(2, CancellationToken.None);
        var district = host.Orgs.Ancestors(village.Code).First(a => a.Level == OrgLevel.District);
        var city = host.Orgs.Ancestors(village.Code).First(a => a.Level == OrgLevel.City);
        var handler = host.Services.GetRequiredService<ConsolidationUnitHandler>();
        var pending = host.Services.GetRequiredService<PendingConsolidation>();
        // Every workbook current; then one of the district's roll-ups is stale, as before its unit of a new plan has run.
        var rollups = host.Services.GetRequiredService<IRollupStore>();
        var template = host.Bundle().Templates.First(t => t.PeriodKind == PeriodKind.Month && t.AudienceLevels.Contains(OrgLevel.City));
        await rollups.SaveAsync(period, (await rollups.GetAsync(period, template.Id, district.Code))! with { Watermark = "stale" });

        // The district's unit of a plan is announced (queued or running elsewhere): the city unit of the plan comes back later.
        await pending.BeginAsync(period, district.Code, "announced", CancellationToken.None);
        var deferred = await handler.HandleAsync(new ConsolidationUnit(period.ToString(), city.Code, Force: true), CancellationToken.None);
        Assert.True(deferred.Deferred);
        Assert.Empty(deferred.Results);
        await handler.HandleAsync(new ConsolidationUnit(period.ToString(), district.Code, Force: true), CancellationToken.None);
        await pending.CompleteAsync(period, district.Code, "announced", CancellationToken.None);
        var later = (await NewWorker().DrainAsync(1, CancellationToken.None)).Where(u => u.Unit.Org == city.Code && u.Unit.Period == period.ToString()).ToList();

        var built = Assert.Single(later);
        Assert.False(built.Deferred);
        Assert.True(built.Built > 0);
        Assert.Equal(0, built.RollupsRebuilt);
        Assert.True(built.RollupsRead > 0);
    }

    [Fact]
    public async Task A_plan_built_in_process_builds_its_city_workbooks_even_while_another_process_runs_a_district_unit()
    {
        var period = Period.Parse(UniqueMonth());
        var village = host.Orgs.Villages(host.Townships()[0].Code).First();
        await PostAsync(village, period);
        await NewWorker().DrainAsync(2, CancellationToken.None);
        var district = host.Orgs.Ancestors(village.Code).First(a => a.Level == OrgLevel.District);
        var city = host.Orgs.Ancestors(village.Code).First(a => a.Level == OrgLevel.City);
        var pending = host.Services.GetRequiredService<PendingConsolidation>();
        await pending.BeginAsync(period, district.Code, "elsewhere", CancellationToken.None);
        try
        {
            var run = await host.Services.GetRequiredService<ScheduledConsolidation>().RunAsync([period], force: true, progress: null, CancellationToken.None, parallelUnits: 2);

            Assert.Contains(run.Results, r => r.Org == city.Code && r.Outcome == BuildOutcome.Built);
            Assert.Equal(0, await host.Services.GetRequiredService<IConsolidationQueue>().CountAsync());
        }
        finally
        {
            await pending.CompleteAsync(period, district.Code, "elsewhere", CancellationToken.None);
        }
    }

    /// <summary>The report store, counting how a unit reaches it.</summary>
    private sealed class CountingReportStore(IReportStore inner) : IReportStore
    {
        private int _propertyReads;
        private int _listings;
        private int _saves;

        public int PropertyReads => _propertyReads;
        public int Listings => _listings;
        public int Saves => _saves;

        public Task SaveAsync(StoredReport report, ReadOnlyMemory<byte> workbook, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _saves);
            return inner.SaveAsync(report, workbook, cancellationToken);
        }

        public Task<bool> TrySaveAsync(StoredReport report, ReadOnlyMemory<byte> workbook, string? expectedETag, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _saves);
            return inner.TrySaveAsync(report, workbook, expectedETag, cancellationToken);
        }

        public Task<StoredReport?> GetPropertiesAsync(Period period, string templateId, string orgCode, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _propertyReads);
            return inner.GetPropertiesAsync(period, templateId, orgCode, cancellationToken);
        }

        public IAsyncEnumerable<StoredReport> ListAsync(Period period, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _listings);
            return inner.ListAsync(period, cancellationToken);
        }

        public IAsyncEnumerable<StoredReport> ListAsync(Period period, string templateId, string orgPrefix, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _listings);
            return inner.ListAsync(period, templateId, orgPrefix, cancellationToken);
        }

        public Task<Stream?> OpenReadAsync(Period period, string templateId, string orgCode, CancellationToken cancellationToken = default)
            => inner.OpenReadAsync(period, templateId, orgCode, cancellationToken);
    }

    private ConsolidationQueueWorker NewWorker(int visibilitySeconds = 600) => new(
        host.Services.GetRequiredService<IConsolidationQueue>(),
        host.Services.GetRequiredService<ConsolidationUnitHandler>(),
        Microsoft.Extensions.Options.Options.Create(new ConsolidationQueueOptions { VisibilityTimeoutSeconds = visibilitySeconds, PollSeconds = 0.2 }),
        TimeProvider.System,
        NullLogger<ConsolidationQueueWorker>.Instance);

    private async Task PostAsync(Org village, Period period, int seed = 1)
    {
        var values = host.TypedValues(village, period.ToString(), seed: seed);
        using var response = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}", host.Token(village.Code), Json(new { values }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}
