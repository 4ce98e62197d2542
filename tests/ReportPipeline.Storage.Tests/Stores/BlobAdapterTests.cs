using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Validation;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using ReportPipeline.Storage.Diagnostics;
using ReportPipeline.Storage.Stores;
using ReportPipeline.Testing;

namespace ReportPipeline.Storage.Tests.Stores;

[Collection(AzuriteFixture.CollectionName)]
public sealed class BlobAdapterTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task The_archive_is_content_addressed_and_create_only()
    {
        await using var archive = await azurite.CreateContainerAsync();
        await using var rejected = await azurite.CreateContainerAsync();
        var store = new BlobSubmissionArchive(archive.Client, rejected.Client, NullLogger<BlobSubmissionArchive>.Instance);
        var bytes = Encoding.UTF8.GetBytes("{\"values\":{\"F0001\":3}}");

        var hash = await store.ArchiveAsync(bytes, "application/json");
        var before = archive.Counters.Snapshot();
        var again = await store.ArchiveAsync(bytes, "application/json");
        var spent = archive.Counters.Snapshot() - before;
        var blobs = await archive.Client.GetBlobsAsync().ToListAsync();

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), hash);
        Assert.Equal(hash, again);
        Assert.Equal([hash + ".json"], blobs.Select(b => b.Name));
        Assert.Equal(1, spent.RoundTrips);
        Assert.Equal(1, spent.Conflicts);
    }

    [Fact]
    public async Task A_rejected_upload_is_kept_with_its_errors_beside_it()
    {
        await using var archive = await azurite.CreateContainerAsync();
        await using var rejected = await azurite.CreateContainerAsync();
        var store = new BlobSubmissionArchive(archive.Client, rejected.Client, NullLogger<BlobSubmissionArchive>.Instance);
        var errors = new List<ValidationError> { new("F0001", "out_of_range", "户数不能为负数", "D17") };

        await store.RejectAsync("2026-11/500103001001/upload.csv", Encoding.UTF8.GetBytes("x"), "text/csv", errors);
        var file = await rejected.Client.GetBlobClient("2026-11/500103001001/upload.csv").DownloadContentAsync();
        var report = await rejected.Client.GetBlobClient("2026-11/500103001001/upload.csv.errors.json").DownloadContentAsync();
        var text = report.Value.Content.ToString();

        Assert.Equal("x"u8.ToArray(), file.Value.Content.ToArray());
        Assert.Contains("户数不能为负数", text, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(text);
        Assert.Equal("D17", json.RootElement[0].GetProperty("cell").GetString());
    }

    [Fact]
    public async Task The_inbox_lists_reads_and_deletes_dropped_files()
    {
        await using var container = await azurite.CreateContainerAsync();
        var inbox = new BlobSubmissionInbox(container.Client);
        await inbox.PutAsync("2026-11/500103001001/a.csv", "a,b"u8.ToArray(), "text/csv");

        var listed = await inbox.ListAsync().ToListAsync();
        var content = await inbox.ReadAsync("2026-11/500103001001/a.csv");
        await inbox.DeleteAsync("2026-11/500103001001/a.csv");

        Assert.Equal(("2026-11/500103001001/a.csv", 3L), (listed.Single().Name, listed.Single().Size));
        Assert.Equal("a,b"u8.ToArray(), content);
        Assert.Empty(await inbox.ListAsync().ToListAsync());
        await Assert.ThrowsAsync<FileNotFoundException>(() => inbox.ReadAsync("2026-11/500103001001/a.csv"));
    }

    [Fact]
    public async Task A_report_round_trips_with_its_build_time_and_watermark()
    {
        await using var container = await azurite.CreateContainerAsync();
        var store = new BlobReportStore(container.Client);
        var built = new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero);
        var report = new StoredReport("civil-affairs-01", "500103000000", Submissions.November, built, 0, "2026-11-30T23:59:00Z#417");

        await store.SaveAsync(report, new byte[] { 0x50, 0x4B, 3, 4 });
        var properties = await store.GetPropertiesAsync(Submissions.November, "civil-affairs-01", "500103000000");
        await using var stream = await store.OpenReadAsync(Submissions.November, "civil-affairs-01", "500103000000");
        using var copy = new MemoryStream();
        await stream!.CopyToAsync(copy);

        Assert.Equal(report with { Size = 4 }, properties! with { ETag = null, StoredAt = null });
        Assert.NotNull(properties.ETag);
        Assert.NotNull(properties.StoredAt);
        Assert.Equal(new byte[] { 0x50, 0x4B, 3, 4 }, copy.ToArray());
        Assert.True((await container.Client.GetBlobClient("2026-11/civil-affairs-01/500103000000.xlsx").ExistsAsync()).Value);
        Assert.Null(await store.OpenReadAsync(Submissions.November, "other", "500103000000"));
        Assert.Null(await store.GetPropertiesAsync(Submissions.November, "other", "500103000000"));
    }

    [Fact]
    public async Task Listing_a_period_returns_every_report_with_its_watermark_and_nothing_of_other_periods()
    {
        await using var container = await azurite.CreateContainerAsync();
        var store = new BlobReportStore(container.Client);
        var built = new DateTimeOffset(2026, 12, 1, 2, 0, 0, TimeSpan.Zero);
        StoredReport[] november =
        [
            new("civil-affairs-01", "500103000000", Submissions.November, built, 4, "w1#17"),
            new("civil-affairs-01", "500103001000", Submissions.November, built, 4, "w2 with spaces/and slashes"),
            new("party-02", "500103000000", Submissions.November, built, 4, null),
        ];
        foreach (var report in november)
        {
            await store.SaveAsync(report, new byte[] { 0x50, 0x4B, 3, 4 });
        }

        await store.SaveAsync(new StoredReport("civil-affairs-01", "500103000000", Domain.Periods.Period.Month(2026, 10), built, 4, "older"), new byte[] { 1, 2, 3, 4 });

        var listed = new List<StoredReport>();
        await foreach (var report in store.ListAsync(Submissions.November))
        {
            Assert.NotNull(report.StoredAt);
            listed.Add(report with { ETag = null, StoredAt = null });
        }

        Assert.Equal(
            november.OrderBy(r => r.TemplateId).ThenBy(r => r.OrgCode),
            listed.OrderBy(r => r.TemplateId).ThenBy(r => r.OrgCode));
    }

    [Fact]
    public async Task The_composition_root_provisions_storage_and_resolves_every_adapter()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ReportStorage"] = azurite.ConnectionString,
        }).Build();
        await using var provider = new ServiceCollection().AddReportStorage(configuration).BuildServiceProvider();
        var tables = provider.GetRequiredService<TableServiceClient>();
        var blobs = provider.GetRequiredService<BlobServiceClient>();
        var queues = provider.GetRequiredService<QueueServiceClient>();

        try
        {
            await provider.GetRequiredService<StorageProvisioner>().EnsureCreatedAsync();
            var counters = provider.GetRequiredService<StorageDiagnostics>().Snapshot();
            var receipt = await provider.GetRequiredService<IFieldValueStore>().MergeAsync(Submissions.Request("500103001001", Submissions.Numbers(3)));
            await provider.GetRequiredService<ISubmissionInbox>().PutAsync("x.csv", "1"u8.ToArray(), "text/csv");
            var spent = provider.GetRequiredService<StorageDiagnostics>().Snapshot() - counters;
            var queueNames = await queues.GetQueuesAsync().Select(q => q.Name).ToListAsync();

            Assert.Equal(3, receipt.Changed);
            Assert.Equal(3, spent.RoundTrips); // merge: one query, one transaction; the inbox: one upload
            Assert.Equal(receipt.EntitiesWritten, spent.EntitiesWritten);
            Assert.Equal(StorageNames.Queues.Order(StringComparer.Ordinal), queueNames.Order(StringComparer.Ordinal));
            Assert.NotNull(provider.GetRequiredService<ISubmissionArchive>());
            Assert.NotNull(provider.GetRequiredService<IReportStore>());
            Assert.NotNull(provider.GetRequiredService<IConsolidationQueue>());
            Assert.NotNull(provider.GetRequiredService<IFeedbackStore>());
            Assert.NotNull(provider.GetRequiredService<IOrgRegistrySource>());
        }
        finally
        {
            foreach (var table in StorageNames.Tables)
            {
                await tables.DeleteTableAsync(table);
            }
            foreach (var container in StorageNames.Containers)
            {
                await blobs.GetBlobContainerClient(container).DeleteIfExistsAsync();
            }
            foreach (var queue in StorageNames.Queues)
            {
                await queues.GetQueueClient(queue).DeleteIfExistsAsync();
            }
        }
    }
}
