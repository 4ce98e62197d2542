using Microsoft.Extensions.DependencyInjection;
using ReportPipeline.Application.Forms;
using ReportPipeline.Application.Ingestion;
using ReportPipeline.Application.Reference;
using ReportPipeline.Development.Seeding;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Validation;
using ReportPipeline.Domain.Values;

namespace ReportPipeline.Api.Tests;

/// <summary>
/// The sample city seeded for December, its quarter and its year, each with the previous period's values as history,
/// holds together: every rule, across periods too, holds for every seeded village and period, and a form downloaded and
/// uploaded unchanged is accepted — short only of required items nobody could have filled in for the clerk (typed, and
/// not carried forward from last period).
/// </summary>
[Collection(PipelineHostCollection.Name)]
public sealed class SampleCityConsistencyTests(PipelineHostFixture host)
{
    // Periods no other test uses.
    private static readonly Period Month = Period.Month(2015, 12);
    private static readonly Period[] Current = [Month, Month.Enclosing(PeriodKind.Quarter), Month.Enclosing(PeriodKind.Year)];
    private static readonly Period[] Seeded = [.. Current, .. Current.Select(p => p.Previous())];

    [Fact]
    public async Task Every_seeded_village_and_period_satisfies_every_rule_including_those_across_periods()
    {
        await SeedAsync();
        var store = host.Services.GetRequiredService<IFieldValueStore>();
        var validator = new SubmissionValidator(host.Bundle().Catalog);
        var problems = new List<string>();
        var checkedPeriods = 0;

        foreach (var village in host.Villages())
        {
            foreach (var period in Seeded)
            {
                var stored = await store.GetAsync(village.Code, period);
                Assert.NotEmpty(stored.Values);
                var related = new List<RelatedPeriodValues>();
                foreach (var other in validator.RelatedPeriods(period))
                {
                    var values = await store.GetAsync(village.Code, other);
                    related.Add(new RelatedPeriodValues(other, values.Values.ToDictionary(kv => kv.Key, kv => kv.Value.Value, StringComparer.Ordinal)));
                }

                // Every stored value as if sent again: every rule is touched, so every rule is checked.
                var outcome = validator.Validate([.. stored.Values.Select(kv => new RawValue(kv.Key, kv.Value.Value.Canonical))], new Dictionary<string, FieldValue>(), period, related);
                problems.AddRange(outcome.Errors.Where(e => e.Code.StartsWith("rule_", StringComparison.Ordinal)).Concat(outcome.Warnings.Where(w => !ReportPipeline.Domain.Quality.QualityExplanations.IsQualityWarning(w.Code)))
                    .Select(e => $"{village.Code} {period}: {e.Message}"));
                checkedPeriods++;
            }
        }

        Assert.Equal(host.Villages().Count * Seeded.Length, checkedPeriods);
        Assert.Empty(problems);
    }

    [Fact]
    public async Task This_periods_pre_fill_and_last_periods_values_agree_in_magnitude()
    {
        await SeedAsync();
        var store = host.Services.GetRequiredService<IFieldValueStore>();
        var compared = 0;
        var apart = new List<string>();

        foreach (var village in host.Villages())
        {
            foreach (var period in Current)
            {
                var now = (await store.GetAsync(village.Code, period)).Values;
                var before = (await store.GetAsync(village.Code, period.Previous())).Values;
                foreach (var (id, value) in now)
                {
                    if (value.Value.Number is { } a && before.GetValueOrDefault(id)?.Value.Number is { } b)
                    {
                        compared++;
                        // A village's population does not halve or double from one month to the next.
                        if (a > 10 && b > 10 && (a > 2 * b || b > 2 * a))
                        {
                            apart.Add($"{village.Code} {period} {id}: {a} vs {b} in {period.Previous()}");
                        }
                    }
                }
            }
        }

        Assert.True(compared > host.Villages().Count, $"only {compared} values compared");
        Assert.Empty(apart);
    }

    [Fact]
    public async Task A_form_downloaded_for_a_seeded_period_and_uploaded_unchanged_is_accepted()
    {
        await SeedAsync();
        var forms = host.Services.GetRequiredService<FormService>();
        var submissions = host.Services.GetRequiredService<SubmissionService>();
        var failures = new List<string>();

        foreach (var village in host.Villages().Where((_, i) => i % 7 == 0))
        {
            foreach (var period in Seeded)
            {
                var workbook = await forms.BuildAsync(village, period, CancellationToken.None);
                var outcome = await submissions.SubmitAsync(
                    new SubmissionInput(village.Code, period, UploadFormat.Workbook, workbook, "form", FileName: $"roundtrip/{period}/{village.Code}.xlsx"),
                    CancellationToken.None);
                failures.AddRange(outcome.Errors.Where(e => !ClerksToType(e)).Select(e => $"{village.Code} {period}: {e.Code} {e.Message}"));
            }
        }

        Assert.Empty(failures);
    }

    private bool ClerksToType(ValidationError error) =>
        error.Code == ValidationCodes.Required && host.Bundle().Catalog.Find(error.FieldId!) is { Source: Domain.Catalog.FieldSource.Typed, CarryForward: false };

    private async Task SeedAsync()
    {
        await SeedOnce.WaitAsync();
        try
        {
            if (!_seeded)
            {
                var seeder = ActivatorUtilities.CreateInstance<CitySeeder>(host.Services);
                var registry = await host.Services.GetRequiredService<ReferenceData>().GetOrgsAsync(CancellationToken.None);
                foreach (var period in Current)
                {
                    await seeder.SeedAsync(registry, period, withHistory: true, progress: null, CancellationToken.None);
                }

                _seeded = true;
            }
        }
        finally
        {
            SeedOnce.Release();
        }
    }

    private static readonly SemaphoreSlim SeedOnce = new(1, 1);
    private static bool _seeded;
}
