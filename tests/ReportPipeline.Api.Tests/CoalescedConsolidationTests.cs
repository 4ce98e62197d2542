using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Application.Options;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using static ReportPipeline.Api.Tests.PipelineHostFixture;

namespace ReportPipeline.Api.Tests;

/// <summary>
/// Freshness by coalescing, against the fixture's Azurite: a district's submissions within a window share one delayed
/// unit, a submission that lands while that unit runs gets a later one, and a city unit runs after its districts instead
/// of rebuilding their roll-ups itself.
/// </summary>
[Collection(PipelineHostCollection.Name)]
public sealed class CoalescedConsolidationTests(PipelineHostFixture host)
{
    private IConsolidationQueue Queue => host.Services.GetRequiredService<IConsolidationQueue>();

    [Fact]
    public async Task Submissions_in_one_district_within_a_window_enqueue_one_district_unit_and_after_it_one_city_unit()
    {
        await NewWorker().DrainAsync(2, CancellationToken.None);
        var period = OrdinaryMonth();
        var villages = host.Townships().SelectMany(t => host.Orgs.Villages(t.Code).Take(2)).ToList();
        foreach (var village in villages)
        {
            await PostAsync(village, period);
        }

        // Six submissions in three townships of one district: one message, not two per submission.
        Assert.Equal(1, await Queue.CountAsync());

        var done = await NewWorker().DrainAsync(2, CancellationToken.None);
        var ours = done.Where(u => u.Unit.Period == period.ToString()).ToList();
        var district = Assert.Single(ours, u => host.Orgs.Get(u.Unit.Org).Level == OrgLevel.District);
        var city = Assert.Single(ours, u => host.Orgs.Get(u.Unit.Org).Level == OrgLevel.City && !u.Deferred);
        // The district unit built the three townships' workbooks and its own; the city unit found its roll-ups fresh.
        Assert.Equal(host.Townships().Select(t => t.Code).Order(), district.Results.Where(r => host.Orgs.Get(r.Org).Level == OrgLevel.Township).Select(r => r.Org).Distinct().Order());
        Assert.True(city.Built > 0);
        Assert.Equal(0, city.RollupsRebuilt);
        await AssertCurrentAsync(period, host.Orgs.ByLevel(OrgLevel.District).Concat(host.Orgs.ByLevel(OrgLevel.City)).Concat(host.Townships()));
    }

    [Fact]
    public async Task A_submission_accepted_while_its_district_unit_runs_is_built_by_a_later_unit()
    {
        await NewWorker().DrainAsync(2, CancellationToken.None);
        var period = OrdinaryMonth();
        var (first, second) = (host.Townships()[0], host.Townships()[1]);
        var district = host.Orgs.Ancestors(first.Code).First(a => a.Level == OrgLevel.District);
        await PostAsync(host.Orgs.Villages(first.Code).First(), period);

        var message = await ReceiveAsync();
        var handler = host.Services.GetRequiredService<ConsolidationUnitHandler>();
        var running = handler.HandleAsync(message.Body, CancellationToken.None);
        // Once the unit has claimed the marker's work (it is now reading and building), a village of another township reports.
        var markers = host.Services.GetRequiredService<IPendingConsolidationStore>();
        var claimed = false;
        while (!claimed && !running.IsCompleted)
        {
            claimed = await markers.GetAsync(period, district.Code) is { } marker
                && JsonDocument.Parse(marker.Content).RootElement.GetProperty("claims").GetArrayLength() > 0;
            await Task.Delay(10);
        }

        Assert.True(claimed, "the unit was still running when the second submission came");
        await PostAsync(host.Orgs.Villages(second.Code).First(), period);
        var firstUnit = await running;
        await Queue.DeleteAsync(message);

        // The running unit built the first township only; the second submission's township is built by a later unit.
        Assert.DoesNotContain(firstUnit.Results, r => r.Org == second.Code);
        var later = await NewWorker().DrainAsync(1, CancellationToken.None);
        Assert.Contains(later.SelectMany(u => u.Results), r => r.Org == second.Code && r.Period == period.ToString() && r.Outcome == BuildOutcome.Built);
        await AssertCurrentAsync(period, [first, second, district, .. host.Orgs.ByLevel(OrgLevel.City)]);
    }

    [Fact]
    public async Task A_city_unit_waits_while_its_district_is_busy_and_then_rebuilds_no_district_rollup()
    {
        await NewWorker().DrainAsync(2, CancellationToken.None);
        var period = OrdinaryMonth();
        var villages = host.Orgs.Villages(host.Townships()[0].Code).Take(2).ToList();
        var handler = host.Services.GetRequiredService<ConsolidationUnitHandler>();

        // The district unit of the first submission runs; it marks the city, whose unit waits its window.
        await PostAsync(villages[0], period);
        var districtMessage = await ReceiveAsync();
        await handler.HandleAsync(districtMessage.Body, CancellationToken.None);
        await Queue.DeleteAsync(districtMessage);

        // A second submission makes the district busy again before the city unit comes: the city unit runs first.
        await PostAsync(villages[1], period);
        QueuedMessage[] waiting = [await ReceiveAsync(), await ReceiveAsync()];
        var cityMessage = Assert.Single(waiting, m => host.Orgs.Get(ConsolidationUnit.Parse(m.Body).Org).Level == OrgLevel.City);
        var city = await handler.HandleAsync(cityMessage.Body, CancellationToken.None);
        Assert.True(city.Deferred, "the city unit waited for the busy district");
        Assert.Empty(city.Results);
        var units = new List<UnitResult> { city };
        foreach (var message in waiting)
        {
            if (message != cityMessage)
            {
                units.Add(await handler.HandleAsync(message.Body, CancellationToken.None));
            }

            await Queue.DeleteAsync(message);
        }

        units.AddRange(await NewWorker().DrainAsync(2, CancellationToken.None));
        var cities = units.Where(u => u.Unit.Period == period.ToString() && host.Orgs.Get(u.Unit.Org).Level == OrgLevel.City && !u.Deferred).ToList();
        Assert.Single(cities);
        Assert.True(cities[0].Built > 0);
        Assert.Equal(0, cities.Sum(u => u.RollupsRebuilt));
        Assert.True(cities[0].RollupsRead > 0);
        await AssertCurrentAsync(period, host.Orgs.ByLevel(OrgLevel.City));
    }

    [Fact]
    public async Task A_city_unit_that_has_waited_its_windows_builds_the_marked_district_work_itself_and_the_district_unit_then_finds_none()
    {
        await NewWorker().DrainAsync(2, CancellationToken.None);
        var period = OrdinaryMonth();
        var (first, second) = (host.Townships()[0], host.Townships()[1]);
        var district = host.Orgs.Ancestors(first.Code).First(a => a.Level == OrgLevel.District);
        var handler = host.Services.GetRequiredService<ConsolidationUnitHandler>();
        await PostAsync(host.Orgs.Villages(first.Code).First(), period);
        var firstDistrict = await ReceiveAsync();
        await handler.HandleAsync(firstDistrict.Body, CancellationToken.None);
        await Queue.DeleteAsync(firstDistrict);

        // The second township's submission marks the district, and its unit is held back (received, not run).
        await PostAsync(host.Orgs.Villages(second.Code).First(), period);
        QueuedMessage[] waiting = [await ReceiveAsync(), await ReceiveAsync()];
        var heldDistrict = Assert.Single(waiting, m => ConsolidationUnit.Parse(m.Body).Org == district.Code);
        UnitResult city;
        var message = waiting.Single(m => m != heldDistrict);
        for (var attempt = 0; ; attempt++)
        {
            city = await handler.HandleAsync(message.Body, CancellationToken.None);
            await Queue.DeleteAsync(message);
            if (!city.Deferred || attempt == 10)
            {
                break;
            }

            message = await ReceiveAsync();
        }

        // After its windows the city unit built the second township, the district and the city, and rebuilt no roll-up.
        Assert.False(city.Deferred);
        var pulled = Assert.Single(city.Pulled);
        Assert.Contains(pulled.Results, r => r.Org == second.Code && r.Outcome == BuildOutcome.Built);
        Assert.Contains(pulled.Results, r => r.Org == district.Code && r.Outcome == BuildOutcome.Built);
        Assert.Contains(city.Results, r => host.Orgs.Get(r.Org).Level == OrgLevel.City && r.Outcome == BuildOutcome.Built);
        Assert.Equal(0, city.RollupsRebuilt);
        var held = await handler.HandleAsync(heldDistrict.Body, CancellationToken.None);
        await Queue.DeleteAsync(heldDistrict);
        Assert.Empty(held.Results);
        await AssertCurrentAsync(period, [first, second, district, .. host.Orgs.ByLevel(OrgLevel.City)]);
    }

    // The workbooks show each unit's 审核状态 (a village's 填报情况 row, an office's unit and 合计 rows), so a review step is a
    // change to them like a submission: it marks its area the same way, and its district, township and city workbooks are
    // rebuilt by the units that follow rather than at the next timer run.
    [Theory]
    [InlineData("village")]
    [InlineData("township")]
    public async Task An_approval_step_marks_its_area_as_a_submission_does_and_its_workbooks_are_rebuilt_with_it(string level)
    {
        await NewWorker().DrainAsync(2, CancellationToken.None);
        var period = OrdinaryMonth();
        var township = host.Townships()[0];
        var village = host.Orgs.Villages(township.Code).First();
        var district = host.Orgs.Ancestors(township.Code).First(a => a.Level == OrgLevel.District);
        Org[] area = [township, district, .. host.Orgs.ByLevel(OrgLevel.City)];
        await PostAsync(village, period);
        await NewWorker().DrainAsync(2, CancellationToken.None);
        await AssertCurrentAsync(period, area);

        // 审核通过 of the village by its township, or 退回 of the township by its district.
        var (target, reviewer, body) = level == "village"
            ? (village, township, """{"action":"approve"}""")
            : (township, district, """{"action":"return","reason":"请核实常住人口"}""");
        using (var step = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{target.Code}/approval/{period}", host.Token(reviewer.Code, "admin"),
            new StringContent(body, System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.True(step.StatusCode == HttpStatusCode.OK, await step.Content.ReadAsStringAsync());
        }

        // One district unit, as a submission's; it builds the township, the district and then the city.
        Assert.Equal(1, await Queue.CountAsync());
        var done = (await NewWorker().DrainAsync(2, CancellationToken.None)).Where(u => u.Unit.Period == period.ToString()).ToList();
        Assert.Contains(done.SelectMany(u => u.Results), r => r.Org == township.Code && r.Outcome == BuildOutcome.Built);
        Assert.Contains(done.SelectMany(u => u.Results), r => r.Org == district.Code && r.Outcome == BuildOutcome.Built);
        await AssertCurrentAsync(period, area);
    }

    /// <summary>A month no other test uses that ends no quarter, so a submission reaches only its month's workbooks.</summary>
    private static Period OrdinaryMonth()
    {
        while (true)
        {
            var month = Period.Parse(UniqueMonth());
            if (month.Number % 3 != 0)
            {
                return month;
            }
        }
    }

    /// <summary>Every workbook of these orgs for the period is stored with the watermark the current receipts give.</summary>
    private async Task AssertCurrentAsync(Period period, IEnumerable<Org> orgs)
    {
        var consolidation = host.Services.GetRequiredService<ConsolidationService>();
        var reports = host.Services.GetRequiredService<IReportStore>();
        var templates = host.Services.GetRequiredService<ReferenceData>().Catalog.Templates.Where(t => t.PeriodKind == period.Kind).ToList();
        foreach (var org in orgs.DistinctBy(o => o.Code))
        {
            var current = await consolidation.CurrentWatermarksAsync([.. templates.Where(t => t.AudienceLevels.Contains(org.Level))], org.Code, period, CancellationToken.None);
            foreach (var (template, watermark) in current)
            {
                Assert.Equal((org.Code, template, watermark), (org.Code, template, (await reports.GetPropertiesAsync(period, template, org.Code))?.InputWatermark));
            }
        }
    }

    /// <summary>The next unit, waiting out its coalescing delay; hidden from others until the test deletes it.</summary>
    private async Task<QueuedMessage> ReceiveAsync()
    {
        for (var waited = 0; waited < 600; waited++)
        {
            if ((await Queue.ReceiveAsync(1, TimeSpan.FromMinutes(10))) is [var message])
            {
                return message;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("No consolidation unit came.");
    }

    private ConsolidationQueueWorker NewWorker() => new(
        Queue,
        host.Services.GetRequiredService<ConsolidationUnitHandler>(),
        Microsoft.Extensions.Options.Options.Create(new ConsolidationQueueOptions { VisibilityTimeoutSeconds = 600, PollSeconds = 0.2 }),
        TimeProvider.System,
        NullLogger<ConsolidationQueueWorker>.Instance);

    private async Task PostAsync(Org village, Period period)
    {
        var values = host.TypedValues(village, period.ToString(), seed: 1);
        using var response = await host.SendAsync(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{period}", host.Token(village.Code), Json(new { values }));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }
}
