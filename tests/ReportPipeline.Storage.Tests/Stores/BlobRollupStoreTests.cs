using System.Text;
using System.Text.Json;
using ReportPipeline.Domain.Burden;
using ReportPipeline.Domain.Consolidation;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Quality;
using ReportPipeline.Storage.Stores;
using ReportPipeline.Testing;

namespace ReportPipeline.Storage.Tests.Stores;

[Collection(AzuriteFixture.CollectionName)]
public sealed class BlobRollupStoreTests(AzuriteFixture azurite)
{
    private static readonly Period Month = Period.Parse("2026-11");

    private static TallySnapshot Tally(string org, decimal? sum) => new()
    {
        OrgCode = org,
        Expected = 3,
        Reported = 2,
        Late = 1,
        Latest = new DateTimeOffset(2026, 12, 3, 9, 30, 15, 123, TimeSpan.Zero),
        SubmissionIds = ["sub-1", "sub-2"],
        ColumnSums = [sum, null, 0.000001m],
        InputSums = [null, new Dictionary<string, decimal> { ["pop"] = 12345678901234.5678m, ["party"] = 7m }, null],
    };

    [Fact]
    public async Task A_rollup_reads_back_exactly_as_written_and_an_absent_or_unreadable_one_is_null()
    {
        await using var container = await azurite.CreateContainerAsync();
        var store = new BlobRollupStore(container.Client);
        var rollup = new OrgRollup
        {
            TemplateId = "mz_dibao_monthly",
            Period = "2026-11",
            OrgCode = "500103000000",
            Watermark = "n=2;at=1;h=abc",
            Columns = ["c1", "c2", "c3"],
            Self = Tally("500103000000", 1234.5m),
            Children = [Tally("500103001000", 1000m), Tally("500103002000", 234.5m)],
            Completeness = [new CompletenessRow("500103001001", "金汤街社区", "七星岗街道", "渝中区", ReportingStatus.Late, DateTimeOffset.UnixEpoch, "sub-1", "http")],
            Quality = [new QualityFlag("500103001001", "金汤街社区", "七星岗街道", "pop", "户籍人口", "人", 9000m, 900m, "quality_change", "较上期变化过大", "新建小区入住")],
        };

        await store.SaveAsync(Month, rollup);
        var read = await store.GetAsync(Month, "mz_dibao_monthly", "500103000000");

        Assert.NotNull(read);
        Assert.Equal(JsonSerializer.Serialize(rollup), JsonSerializer.Serialize(read with { StoredAt = null }));
        Assert.InRange(read.StoredAt!.Value, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
        Assert.Equal(ReportingStatus.Late, read.Completeness[0].Status);
        Assert.Null(await store.GetAsync(Month, "mz_dibao_monthly", "500104000000"));

        await container.Client.GetBlobClient(BlobRollupStore.BlobName(Month, "broken", "500103000000")).UploadAsync(new BinaryData(Encoding.UTF8.GetBytes("{not json")));
        Assert.Null(await store.GetAsync(Month, "broken", "500103000000"));
    }

    [Fact]
    public async Task Adding_a_rollup_stores_it_only_where_none_is_stored()
    {
        await using var container = await azurite.CreateContainerAsync();
        var store = new BlobRollupStore(container.Client);
        var stored = new OrgRollup
        {
            TemplateId = "_sums",
            Period = "2026-11",
            OrgCode = "500103000000",
            Watermark = "n=2",
            Columns = ["c1", "c2", "c3"],
            Self = Tally("500103000000", 1234.5m),
            Children = [],
            Completeness = [],
            CatalogVersion = "v1",
        };

        Assert.True(await store.AddAsync(Month, stored));
        // A reader's later (older) computation never replaces what is stored.
        Assert.False(await store.AddAsync(Month, stored with { Watermark = "n=1", Self = Tally("500103000000", 1m) }));

        var read = await store.GetAsync(Month, "_sums", "500103000000");
        Assert.Equal("n=2", read?.Watermark);
        Assert.Equal(1234.5m, read?.Self.ColumnSums[0]);
        Assert.Equal("v1", read?.CatalogVersion);
    }

    [Fact]
    public async Task Burden_counts_are_kept_apart_from_every_template()
    {
        await using var container = await azurite.CreateContainerAsync();
        var store = new BlobRollupStore(container.Client);
        var burden = new BurdenRollup("2026-11", "500103000000", "n=1", new BurdenCounts(275, 270, 81_000, 12_345));

        await store.SaveBurdenAsync(Month, burden);

        var read = await store.GetBurdenAsync(Month, "500103000000");
        Assert.NotNull(read);
        Assert.Equal(burden, read with { StoredAt = null });
        // As of when: the time the store wrote it.
        Assert.InRange(read.StoredAt!.Value, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(5));
        // Read as a template's roll-up, the counts are not one (no template is called _burden).
        Assert.Null(await store.GetAsync(Month, "_burden", "500103000000"));
    }

    [Fact]
    public async Task Quality_counts_are_kept_per_field_and_check_apart_from_every_template_and_say_when_they_were_stored()
    {
        await using var container = await azurite.CreateContainerAsync();
        var store = new BlobRollupStore(container.Client);
        var counts = new QualityCounts("500103000000", [new QualityTally("pop_resident", "quality_change", 3, 1), new QualityTally("pop_resident", "quality_outlier", 2, 0)]);

        await store.SaveQualityAsync(Month, new QualityRollup("2026-11", "500103000000", counts));

        var read = await store.GetQualityAsync(Month, "500103000000");
        Assert.NotNull(read);
        Assert.Equal(counts.Tallies, read.Counts.Tallies);
        Assert.Equal(5, read.Counts.Flags);
        Assert.Equal(1, read.Counts.Explained);
        Assert.NotNull(read.StoredAt);
        Assert.Null(await store.GetAsync(Month, "_quality", "500103000000"));
        Assert.Null(await store.GetQualityAsync(Month, "500104000000"));
    }
}
