using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using ReportPipeline.Domain.Burden;
using ReportPipeline.Domain.Consolidation;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Templates;

namespace ReportPipeline.Application.Consolidation;

/// <summary>
/// What a city unit's workbooks are assembled from: each district's roll-up per template and its 减负 counts, as the
/// district pass stored them. A roll-up is used only if its watermark is the one the current receipts give; a stale or
/// missing one (the district's unit has not run yet, or ran on older data) is rebuilt here from that district's values by
/// the same code the district pass uses, one district at a time, for every template of the unit at once, and stored.
/// So the city never reads every village when the districts are done, and is still right when they are not.
/// </summary>
internal sealed class CityInputs
{
    private readonly ConsolidationService _service;
    private readonly OrgRegistry _orgs;
    private readonly Org _city;
    private readonly Period _period;
    private readonly UnitInputs _inputs;
    private readonly IReadOnlyList<ReportTemplate> _unitTemplates;
    private readonly ILogger _logger;
    private readonly CancellationToken _runCancellation;
    private readonly List<Org> _districts;
    private readonly Dictionary<string, IReadOnlyList<string>> _villages;
    private readonly List<string> _allVillages;
    private readonly List<Org> _upperOrgs;
    private readonly Dictionary<string, Dictionary<string, OrgRollup>> _rollups = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, BurdenCounts> _burdenCounts = new(StringComparer.Ordinal);
    private readonly Lock _burdenLock = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    /// <summary>Templates whose city workbook is composed: their roll-ups are let go and not rebuilt.</summary>
    private readonly HashSet<string> _composed = new(StringComparer.Ordinal);
    private Task<BurdenFigures>? _burden;
    private int _rebuilt;
    private int _read;

    public CityInputs(
        ConsolidationService service,
        OrgRegistry orgs,
        Org city,
        Period period,
        UnitInputs inputs,
        IReadOnlyList<ReportTemplate> unitTemplates,
        ILogger logger,
        CancellationToken runCancellation)
    {
        _service = service;
        _orgs = orgs;
        _city = city;
        _period = period;
        _inputs = inputs;
        _unitTemplates = unitTemplates;
        _logger = logger;
        _runCancellation = runCancellation;
        _districts = [.. orgs.Children(city.Code).OrderBy(o => o.Code, StringComparer.Ordinal)];
        _villages = _districts.ToDictionary(d => d.Code, d => (IReadOnlyList<string>)[.. orgs.Villages(d.Code).Select(v => v.Code)], StringComparer.Ordinal);
        _allVillages = [.. orgs.Villages(city.Code).Select(v => v.Code)];
        _upperOrgs = [.. orgs.Subtree(city.Code, includeSelf: true).Where(o => o.Level != OrgLevel.Village)];
    }

    /// <summary>Roll-ups rebuilt here because the stored one was stale or missing (district × template).</summary>
    public int RollupsRebuilt => _rebuilt;

    /// <summary>Stored roll-ups read and used.</summary>
    public int RollupsRead => _read;

    /// <summary>The city workbook of <paramref name="template"/> from its districts' roll-ups, with the 减负 sheet.</summary>
    /// <param name="watermark">The city workbook's watermark, as the caller computed it to decide to build.</param>
    public async Task<ConsolidatedReport> ComposeAsync(ReportTemplate template, DateTimeOffset now, InputWatermark watermark, CancellationToken cancellationToken)
    {
        var rollups = await RollupsOfAsync(template, now, cancellationToken);
        var report = ConsolidationBuilder.BuildFromRollups(
            template,
            _service.CatalogFor(_period),
            _upperOrgs,
            _city.Code,
            _period,
            rollups,
            _inputs.Approvals,
            _service.Calendar,
            watermark,
            now,
            _service.DataAsOf(template, _period, _allVillages, _inputs));

        // Each template's roll-ups serve one city workbook: let them go, so that a unit holds only the templates in flight.
        await _gate.WaitAsync(cancellationToken);
        try
        {
            _rollups.Remove(template.Id);
            _composed.Add(template.Id);
        }
        finally
        {
            _gate.Release();
        }

        return report with { Burden = await BurdenAsync().WaitAsync(cancellationToken) };
    }

    private async Task<IReadOnlyDictionary<string, OrgRollup>> RollupsOfAsync(ReportTemplate template, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var known = Known(template.Id);
            var stale = new List<Org>();
            await Parallel.ForEachAsync(_districts.Where(d => !known.ContainsKey(d.Code)), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (district, ct) =>
            {
                var expected = _service.Watermark(template, _period, district.Code, _villages[district.Code], _inputs);
                var stored = await _service.StoredRollupAsync(_period, template.Id, district.Code, ct);
                lock (known)
                {
                    if (stored?.Watermark == expected)
                    {
                        known[district.Code] = stored;
                        _read++;
                    }
                    else
                    {
                        stale.Add(district);
                    }
                }
            });

            // A district stale for one template is stale for the others (the same receipts): rebuild all of the unit's
            // templates for it from one read of its values, then drop that read, so memory stays at one district's values.
            foreach (var district in stale.OrderBy(d => d.Code, StringComparer.Ordinal))
            {
                await RebuildDistrictAsync(district, now, cancellationToken);
            }

            return known;
        }
        finally
        {
            _gate.Release();
        }
    }

    private Dictionary<string, OrgRollup> Known(string templateId)
        => _rollups.TryGetValue(templateId, out var known) ? known : _rollups[templateId] = new(StringComparer.Ordinal);

    private async Task RebuildDistrictAsync(Org district, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var villages = _villages[district.Code];
        var cache = new DistrictValueCache(_service, villages, _runCancellation);
        foreach (var template in _unitTemplates.Where(t => t.AudienceLevels.Contains(OrgLevel.City) && !_composed.Contains(t.Id)))
        {
            var known = Known(template.Id);
            if (known.ContainsKey(district.Code))
            {
                continue;
            }

            var watermark = _service.WatermarkOf(template, _period, district.Code, villages, _inputs);
            var report = await _service.ComposeAsync(template, _orgs, district.Code, _period, villages, _inputs, cache, watermark, now, cancellationToken);
            var rollup = report.Rollup ?? throw new InvalidOperationException($"No roll-up for {district.Code}.");
            await _service.SaveRollupAsync(_period, rollup, cancellationToken);
            known[district.Code] = rollup;
            _rebuilt++;
        }

        _burdenCounts[district.Code] = (await _service.DistrictBurdenAsync(_period, district.Code, villages, _inputs, cache, cancellationToken)).Counts;
        _logger.LogInformation("City {City} {Period}: rebuilt the stale roll-ups of district {District}", _city.Code, _period.ToString(), district.Code);
    }

    private Task<BurdenFigures> BurdenAsync()
    {
        lock (_burdenLock)
        {
            return _burden ??= ComputeBurdenAsync();
        }
    }

    /// <summary>The city's 减负 figures: the sum of its districts' counts (counted again only for a district whose counts are stale).</summary>
    private async Task<BurdenFigures> ComputeBurdenAsync()
    {
        var total = BurdenCounts.None;
        foreach (var district in _districts)
        {
            if (!_burdenCounts.TryGetValue(district.Code, out var counts))
            {
                var villages = _villages[district.Code];
                counts = (await _service.DistrictBurdenAsync(_period, district.Code, villages, _inputs, new DistrictValueCache(_service, villages, _runCancellation), _runCancellation)).Counts;
            }

            total += counts;
        }

        return _service.BurdenFigures(_city.Code, _period, total);
    }
}
