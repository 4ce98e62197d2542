using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using ReportPipeline.Application.Auth;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Application.Reference;
using ReportPipeline.Development.Seeding;
using ReportPipeline.Development.Synthetic;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.LocalHost;

namespace ReportPipeline.Api.Tests;

/// <summary>
/// Two units of one org run at once when a mark comes while one of them is running (in one process or several). The one
/// whose conditional upload loses must not leave its newer inputs unbuilt: the workbook follows the newest submission.
/// On a host of its own (its report store wrapped so that another unit's upload lands first), against its own Azurite.
/// </summary>
[Collection(DedicatedHostsRunAlone.Name)]
public sealed class LostUploadTests : IAsyncLifetime
{
    private static readonly Period Month = Period.Parse("2026-11");
    private LocalHostRuntime _runtime = null!;
    private HttpClient _http = null!;
    private OrgRegistry _orgs = null!;
    private OtherUnitStoresFirst _reports = null!;

    public async Task InitializeAsync()
    {
        _runtime = await DedicatedHost.StartAsync(
            new() { ["Pipeline:RequestStorageBudgetSeconds"] = "60", ["Consolidation:CoalesceSeconds"] = "0" },
            configureServices: services =>
            {
                var registered = services.Last(d => d.ServiceType == typeof(IReportStore));
                services.Remove(registered);
                services.AddSingleton<IReportStore>(provider => _reports = new OtherUnitStoresFirst((IReportStore)(registered.ImplementationInstance
                    ?? registered.ImplementationFactory?.Invoke(provider)
                    ?? ActivatorUtilities.CreateInstance(provider, registered.ImplementationType!))));
            });
        _http = new HttpClient { BaseAddress = new Uri(_runtime.BaseAddress) };
        var seeder = ActivatorUtilities.CreateInstance<CitySeeder>(_runtime.Services);
        await seeder.SeedAsync(SyntheticCity.Generate(1, 2, 3), Month, withHistory: true, progress: null, CancellationToken.None);
        _orgs = await _runtime.Services.GetRequiredService<ReferenceData>().GetOrgsAsync(CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _runtime.App.StopAsync();
        await _runtime.DisposeAsync();
    }

    [Fact]
    public async Task A_unit_whose_upload_another_unit_beat_comes_back_and_the_workbook_follows_the_newest_submission()
    {
        var worker = _runtime.Services.GetRequiredService<ConsolidationQueueWorker>();
        await _runtime.Services.GetRequiredService<ConsolidationPlanner>().EnqueueAsync([Month], force: false, CancellationToken.None);
        await worker.DrainAsync(2, CancellationToken.None);

        var district = _orgs.ByLevel(OrgLevel.District).Single();
        var township = _orgs.Children(district.Code).OrderBy(t => t.Code, StringComparer.Ordinal).First();
        var village = _orgs.Villages(township.Code).First();
        using (var submit = new HttpRequestMessage(HttpMethod.Post, $"/api/orgs/{village.Code}/submissions/{Month}"))
        {
            submit.Content = PipelineHostFixture.Json(new { values = new Dictionary<string, string> { ["pop_resident"] = "17400", ["pop_age_60_plus"] = "1830", ["employed_local"] = "1600" } });
            submit.Headers.Authorization = new AuthenticationHeaderValue("Bearer",
                _runtime.Services.GetRequiredService<DevelopmentTokenIssuer>().Mint(village.Code, ["submitter"], null, TimeSpan.FromHours(1)));
            using var accepted = await _http.SendAsync(submit);
            Assert.True(accepted.StatusCode == HttpStatusCode.Created, await accepted.Content.ReadAsStringAsync());
        }

        // The submission's unit lists the township's workbooks; before each upload, a unit that read the inputs earlier
        // stores that workbook first (its older watermark), so the upload finds another ETag and loses.
        _reports.StoreFirst = report => report.OrgCode == township.Code && report.Period == Month;
        var units = await worker.DrainAsync(1, CancellationToken.None);

        Assert.Contains(units.SelectMany(u => u.Results), r => r.Org == township.Code && r.Outcome == BuildOutcome.Busy);
        Assert.NotEmpty(_reports.StoredFirst);
        var consolidation = _runtime.Services.GetRequiredService<ConsolidationService>();
        var bundle = await _runtime.Services.GetRequiredService<ReferenceData>().CatalogForAsync(Month, CancellationToken.None);
        foreach (var (templateId, org) in _reports.StoredFirst)
        {
            var stored = await _reports.GetPropertiesAsync(Month, templateId, org);
            var current = await consolidation.CurrentWatermarkAsync(bundle.FindTemplate(templateId)!, org, Month, CancellationToken.None);
            Assert.True(stored?.InputWatermark == current, $"{templateId} of {org}: the workbook stayed as the other unit stored it");
        }

        Assert.Equal(0, await _runtime.Services.GetRequiredService<IConsolidationQueue>().CountAsync());
        Assert.True((await _runtime.Services.GetRequiredService<PendingConsolidation>().WaitingAsync(Month, district.Code, CancellationToken.None)).IsEmpty);
    }

    /// <summary>The real report store, with another unit's upload (of older inputs) landing just before the first upload of each chosen workbook.</summary>
    private sealed class OtherUnitStoresFirst(IReportStore inner) : IReportStore
    {
        private readonly ConcurrentDictionary<(string Template, string Org), bool> _storedFirst = new();

        public Func<StoredReport, bool>? StoreFirst { get; set; }

        public IReadOnlyCollection<(string Template, string Org)> StoredFirst => [.. _storedFirst.Keys];

        public async Task<bool> TrySaveAsync(StoredReport report, ReadOnlyMemory<byte> workbook, string? expectedETag, CancellationToken cancellationToken = default)
        {
            if (StoreFirst?.Invoke(report) == true && _storedFirst.TryAdd((report.TemplateId, report.OrgCode), true))
            {
                var now = await inner.GetPropertiesAsync(report.Period, report.TemplateId, report.OrgCode, cancellationToken);
                Assert.True(await inner.TrySaveAsync(report with { InputWatermark = "older-inputs-of-another-unit" }, workbook, now?.ETag, cancellationToken));
            }

            return await inner.TrySaveAsync(report, workbook, expectedETag, cancellationToken);
        }

        public Task SaveAsync(StoredReport report, ReadOnlyMemory<byte> workbook, CancellationToken cancellationToken = default) => inner.SaveAsync(report, workbook, cancellationToken);

        public Task<StoredReport?> GetPropertiesAsync(Period period, string templateId, string orgCode, CancellationToken cancellationToken = default)
            => inner.GetPropertiesAsync(period, templateId, orgCode, cancellationToken);

        public IAsyncEnumerable<StoredReport> ListAsync(Period period, CancellationToken cancellationToken = default) => inner.ListAsync(period, cancellationToken);

        public IAsyncEnumerable<StoredReport> ListAsync(Period period, string templateId, string orgPrefix, CancellationToken cancellationToken = default)
            => inner.ListAsync(period, templateId, orgPrefix, cancellationToken);

        public Task<Stream?> OpenReadAsync(Period period, string templateId, string orgCode, CancellationToken cancellationToken = default)
            => inner.OpenReadAsync(period, templateId, orgCode, cancellationToken);
    }
}
