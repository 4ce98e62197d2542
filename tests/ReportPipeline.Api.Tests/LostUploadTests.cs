using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using ReportPipeline.Application.Consolidation;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Application.Reference;
using ReportPipeline.Domain.Orgs;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;

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
    private SeededCityHost _host = null!;
    private OtherUnitStoresFirst _reports = null!;

    public async Task InitializeAsync() => _host = await SeededCityHost.StartAsync(1, 2, 3, Month,
        new() { ["Consolidation:CoalesceSeconds"] = "0" },
        services =>
        {
            var registered = services.Last(d => d.ServiceType == typeof(IReportStore));
            services.Remove(registered);
            services.AddSingleton<IReportStore>(provider => _reports = new OtherUnitStoresFirst((IReportStore)(registered.ImplementationInstance
                ?? registered.ImplementationFactory?.Invoke(provider)
                ?? ActivatorUtilities.CreateInstance(provider, registered.ImplementationType!))));
        });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_unit_whose_upload_another_unit_beat_comes_back_and_the_workbook_follows_the_newest_submission()
    {
        var worker = _host.Services.GetRequiredService<ConsolidationQueueWorker>();
        await _host.Services.GetRequiredService<ConsolidationPlanner>().EnqueueAsync([Month], force: false, CancellationToken.None);
        await worker.DrainAsync(2, CancellationToken.None);

        var district = _host.Orgs.ByLevel(OrgLevel.District).Single();
        var township = _host.Orgs.Children(district.Code).OrderBy(t => t.Code, StringComparer.Ordinal).First();
        var village = _host.Orgs.Villages(township.Code).First();
        await _host.SubmitAsync(village.Code, Month, new Dictionary<string, string> { ["pop_resident"] = "17400", ["pop_age_60_plus"] = "1830", ["employed_local"] = "1600" });

        // The submission's unit lists the township's workbooks; before each upload, a unit that read the inputs earlier
        // stores that workbook first (its older watermark), so the upload finds another ETag and loses.
        _reports.StoreFirst = report => report.OrgCode == township.Code && report.Period == Month;
        var units = await worker.DrainAsync(1, CancellationToken.None);

        Assert.Contains(units.SelectMany(u => u.Results), r => r.Org == township.Code && r.Outcome == BuildOutcome.Busy);
        Assert.NotEmpty(_reports.StoredFirst);
        var consolidation = _host.Services.GetRequiredService<ConsolidationService>();
        var bundle = await _host.Services.GetRequiredService<ReferenceData>().CatalogForAsync(Month, CancellationToken.None);
        foreach (var (templateId, org) in _reports.StoredFirst)
        {
            var stored = await _reports.GetPropertiesAsync(Month, templateId, org);
            var current = await consolidation.CurrentWatermarkAsync(bundle.FindTemplate(templateId)!, org, Month, CancellationToken.None);
            Assert.True(stored?.InputWatermark == current, $"{templateId} of {org}: the workbook stayed as the other unit stored it");
        }

        Assert.Equal(0, await _host.Services.GetRequiredService<IConsolidationQueue>().CountAsync());
        Assert.True((await _host.Services.GetRequiredService<PendingConsolidation>().WaitingAsync(Month, district.Code, CancellationToken.None)).IsEmpty);
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
