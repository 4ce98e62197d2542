using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Development.Synthetic;
using ReportPipeline.Domain.Validation;
using ReportPipeline.Domain.Values;

namespace ReportPipeline.Development.Seeding;

/// <summary>What a seed wrote; <see cref="Transactions"/> counts entity group transactions and merges (null when not counted).</summary>
public sealed record SeedSummary(int Orgs, int Villages, int PrefilledValues, int HistoryValues, int EntitiesWritten, int? Transactions = null);

/// <summary>
/// Writes a city to storage: the org registry, the values upper-level sources push down for the period (数据下沉),
/// and last period's values so that forms show 上期数值 and carry slowly changing items forward.
/// Re-running it writes nothing new: the merges are idempotent by content.
/// </summary>
public sealed class CitySeeder(
    ReferenceData reference,
    IOrgRegistrySource orgSource,
    IFieldValueStore values,
    TimeProvider time,
    ILogger<CitySeeder> logger)
{
    public async Task<SeedSummary> SeedAsync(OrgRegistry orgs, Period period, bool withHistory, IProgress<(int Done, int Total)>? progress, CancellationToken cancellationToken)
    {
        await orgSource.SaveAsync([.. orgs.All], cancellationToken);
        reference.InvalidateOrgs();

        var catalog = (await reference.CatalogForAsync(null, cancellationToken)).Catalog;
        var validator = new SubmissionValidator(catalog);
        var villages = orgs.All.Where(o => o.Level == OrgLevel.Village).ToList();
        int prefilled = 0, history = 0, written = 0, done = 0, transactions = 0;
        if (values is IBulkValueWriter)
        {
            (written, transactions) = await WriteByDistrictAsync(villages, village =>
            {
                var (pushed, previous) = Generate(catalog, validator, village, period, withHistory);
                var requests = new List<MergeRequest>();
                if (pushed.Count > 0)
                {
                    requests.Add(Request(village, period, pushed, ValueOrigin.Prefilled));
                    prefilled += pushed.Count;
                }

                if (previous is not null)
                {
                    requests.Add(Request(village, period.Previous(), previous, ValueOrigin.Typed));
                    history += previous.Count;
                }

                return requests;
            }, progress, cancellationToken);
        }
        else
        {
            await Parallel.ForEachAsync(villages, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (village, ct) =>
            {
                var (pushed, previous) = Generate(catalog, validator, village, period, withHistory);
                if (pushed.Count > 0)
                {
                    var receipt = await values.MergeAsync(Request(village, period, pushed, ValueOrigin.Prefilled), ct);
                    Interlocked.Add(ref prefilled, pushed.Count);
                    Interlocked.Add(ref written, receipt.EntitiesWritten);
                }

                if (previous is not null)
                {
                    var receipt = await values.MergeAsync(Request(village, period.Previous(), previous, ValueOrigin.Typed), ct);
                    Interlocked.Add(ref history, previous.Count);
                    Interlocked.Add(ref written, receipt.EntitiesWritten);
                }

                progress?.Report((Interlocked.Increment(ref done), villages.Count));
            });
        }

        logger.LogInformation(
            "Seeded {OrgCount} orgs ({VillageCount} villages) for {Period}: {Prefilled} pre-filled values, {History} history values, {Entities} entities written",
            orgs.Count, villages.Count, period.ToString(), prefilled, history, written);
        return new SeedSummary(orgs.Count, villages.Count, prefilled, history, written, values is IBulkValueWriter ? transactions : null);
    }

    /// <summary>
    /// A city in which every village has reported for the period (the consolidation benchmark's data): the registry, and
    /// per village one typed report of every field it holds at the period's frequency, written through the bulk writer
    /// district by district. The report is the village's own (reported, on time), so it carries no separate pre-fill.
    /// </summary>
    public async Task<SeedSummary> SeedReportedAsync(OrgRegistry orgs, Period period, IProgress<(int Done, int Total)>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(orgs);
        await orgSource.SaveAsync([.. orgs.All], cancellationToken);
        reference.InvalidateOrgs();

        var catalog = (await reference.CatalogForAsync(null, cancellationToken)).Catalog;
        var validator = new SubmissionValidator(catalog);
        var villages = orgs.All.Where(o => o.Level == OrgLevel.Village).ToList();
        var typed = 0;
        var (written, transactions) = await WriteByDistrictAsync(villages, village =>
        {
            var raw = SyntheticValues.Generate(catalog, village, period, StableSeed(village.Code))
                .Where(kv => catalog.Find(kv.Key) is { Source: not FieldSource.Derived } f && f.Frequency == period.Kind)
                .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            var report = Normalise(validator, raw, period);
            typed += report.Count;
            var id = $"BENCH-{period}-{village.Code}";
            return [new MergeRequest(village.Code, period, id, ValueOrigin.Typed, report, ContentHash.Compute(report), id, "bench", time.GetUtcNow())];
        }, progress, cancellationToken);

        logger.LogInformation("Seeded {VillageCount} reported villages for {Period}: {Values} values, {Entities} entities written", villages.Count, period.ToString(), typed, written);
        return new SeedSummary(orgs.Count, villages.Count, 0, 0, written, values is IBulkValueWriter ? transactions : null);
    }

    /// <summary>
    /// Writes the villages' requests one district at a time (its requests in memory, not the whole city's; its villages
    /// share the district's partitions, so the bulk writer packs them into full transactions), or merge by merge where
    /// the store has no bulk writer. Returns the entities written and the transactions and merges spent.
    /// </summary>
    private async Task<(int Written, int Transactions)> WriteByDistrictAsync(
        IReadOnlyList<Org> villages, Func<Org, IEnumerable<MergeRequest>> requestsOf, IProgress<(int Done, int Total)>? progress, CancellationToken cancellationToken)
    {
        int done = 0, written = 0, transactions = 0;
        foreach (var district in villages.GroupBy(v => Domain.Orgs.OrgRegistry.DistrictPrefix(v.Code)))
        {
            var requests = district.SelectMany(requestsOf).ToList();
            var districtStart = done;
            var districtVillages = district.Count();
            if (values is IBulkValueWriter bulk)
            {
                var requestsDone = 0;
                var result = await bulk.WriteNewAsync(requests, BulkConcurrency, new Progress<int>(count =>
                    progress?.Report((districtStart + districtVillages * Interlocked.Add(ref requestsDone, count) / Math.Max(1, requests.Count), villages.Count))), cancellationToken);
                (written, transactions) = (written + result.Entities, transactions + result.Transactions + result.Merged);
            }
            else
            {
                foreach (var request in requests)
                {
                    written += (await values.MergeAsync(request, cancellationToken)).EntitiesWritten;
                    transactions++;
                }
            }

            done += districtVillages;
            progress?.Report((done, villages.Count));
        }

        return (written, transactions);
    }

    /// <summary>Transactions in flight at once; Azurite serves one request at a time, so more only queue there.</summary>
    private const int BulkConcurrency = 8;

    private static (IReadOnlyDictionary<string, FieldValue> Pushed, IReadOnlyDictionary<string, FieldValue>? Previous) Generate(
        FieldCatalog catalog, SubmissionValidator validator, Org village, Period period, bool withHistory)
    {
        var seed = StableSeed(village.Code);
        var pushed = Normalise(validator, SyntheticValues.GeneratePrefilled(catalog, village, period, seed), period);
        var previous = withHistory ? Normalise(validator, SyntheticValues.Generate(catalog, village, period.Previous(), seed), period.Previous()) : null;
        return (pushed, previous);
    }

    private MergeRequest Request(Org village, Period period, IReadOnlyDictionary<string, FieldValue> normalised, ValueOrigin origin) => new(
        village.Code,
        period,
        $"SEED-{period}-{village.Code}-{origin}",
        origin,
        normalised,
        ContentHash.Compute(normalised),
        $"seed:{origin}:{period}",
        ReportingCalendar.SeedChannel,
        time.GetUtcNow());

    private static IReadOnlyDictionary<string, FieldValue> Normalise(SubmissionValidator validator, IReadOnlyDictionary<string, string> raw, Period period)
    {
        var outcome = validator.Validate([.. raw.Select(kv => new RawValue(kv.Key, kv.Value))], new Dictionary<string, FieldValue>(), period.Kind);
        // Seed data bypasses the required-field check (it is a partial set) but never stores a value that fails its own rules.
        return outcome.Values;
    }

    /// <summary>The seed the synthetic values of a village come from, so a demo village types numbers consistent with its pre-fill.</summary>
    public static int StableSeed(string code) => (int)(long.Parse(code, System.Globalization.CultureInfo.InvariantCulture) % int.MaxValue);
}
