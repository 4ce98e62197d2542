using ReportPipeline.Domain.Ports;
using ReportPipeline.Storage.Configuration;
using ReportPipeline.Storage.Diagnostics;
using ReportPipeline.Storage.Stores;
using ReportPipeline.Testing;

namespace ReportPipeline.Storage.Tests.Stores;

/// <summary>What replaces the per-workbook lease: conditional uploads, and the consolidation queue with its poison queue.</summary>
[Collection(AzuriteFixture.CollectionName)]
public sealed class ConsolidationStorageTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Two_builders_of_one_workbook_upload_once_and_a_stale_etag_is_refused()
    {
        await using var container = await azurite.CreateContainerAsync();
        var store = new BlobReportStore(container.Client);
        var report = new StoredReport("civil-affairs-01", "500103000000", Submissions.November, DateTimeOffset.UnixEpoch, 4, "w1");

        // Both read "absent" before building; only the first create lands.
        var first = await store.TrySaveAsync(report, new byte[] { 1, 2, 3, 4 }, expectedETag: null);
        var second = await store.TrySaveAsync(report, new byte[] { 5, 6, 7, 8 }, expectedETag: null);
        var stored = await store.GetPropertiesAsync(Submissions.November, "civil-affairs-01", "500103000000");
        var replaced = await store.TrySaveAsync(report with { InputWatermark = "w2" }, new byte[] { 9, 9, 9, 9 }, stored!.ETag);
        var stale = await store.TrySaveAsync(report with { InputWatermark = "w3" }, new byte[] { 0, 0, 0, 0 }, stored.ETag);

        Assert.True(first);
        Assert.False(second);
        Assert.True(replaced);
        Assert.False(stale);
        Assert.Equal("w2", (await store.GetPropertiesAsync(Submissions.November, "civil-affairs-01", "500103000000"))!.InputWatermark);
    }

    [Fact]
    public async Task A_listing_by_template_and_org_prefix_gives_each_workbooks_watermark_and_an_etag_that_conditions_the_next_upload()
    {
        await using var container = await azurite.CreateContainerAsync();
        var store = new BlobReportStore(container.Client);
        var district = new StoredReport("civil-affairs-01", "500103000000", Submissions.November, DateTimeOffset.UnixEpoch, 4, "d1");
        var township = district with { OrgCode = "500103001000", InputWatermark = "t1" };
        Assert.True(await store.TrySaveAsync(district, new byte[] { 1, 2, 3, 4 }, expectedETag: null));
        Assert.True(await store.TrySaveAsync(township, new byte[] { 1, 2, 3, 4 }, expectedETag: null));
        Assert.True(await store.TrySaveAsync(district with { OrgCode = "500104000000" }, new byte[] { 1 }, expectedETag: null));
        Assert.True(await store.TrySaveAsync(district with { TemplateId = "civil-affairs-02" }, new byte[] { 1 }, expectedETag: null));

        var listed = await store.ListAsync(Submissions.November, "civil-affairs-01", "500103").ToListAsync();

        Assert.Equal([("500103000000", "d1"), ("500103001000", "t1")], listed.Select(r => (r.OrgCode, r.InputWatermark)).Order());
        var listedTownship = listed.Single(r => r.OrgCode == township.OrgCode);
        Assert.True(await store.TrySaveAsync(township with { InputWatermark = "t2" }, new byte[] { 5 }, listedTownship.ETag));
        Assert.False(await store.TrySaveAsync(township with { InputWatermark = "t3" }, new byte[] { 6 }, listedTownship.ETag));
        Assert.Equal("t2", (await store.GetPropertiesAsync(Submissions.November, "civil-affairs-01", township.OrgCode))!.InputWatermark);
    }

    [Fact]
    public async Task A_received_message_is_hidden_deleted_once_handled_and_moved_whole_to_the_poison_queue()
    {
        var queues = StorageClients.CreateQueueServiceClient(azurite.Settings, new StorageDiagnostics());
        var (work, poison) = (queues.GetQueueClient("w" + Guid.NewGuid().ToString("N")[..20]), queues.GetQueueClient("p" + Guid.NewGuid().ToString("N")[..20]));
        await work.CreateAsync();
        await poison.CreateAsync();
        try
        {
            IConsolidationQueue queue = new QueueConsolidationQueue(work, poison);
            await queue.EnqueueAsync(["{\"period\":\"2026-11\",\"org\":\"500103000000\"}", "奇怪的消息"]);

            var received = await queue.ReceiveAsync(32, TimeSpan.FromMinutes(1));
            var whileHidden = await queue.ReceiveAsync(32, TimeSpan.FromMinutes(1));
            await queue.DeleteAsync(received.Single(m => m.Body.StartsWith('{')));
            await queue.MoveToPoisonAsync(received.Single(m => !m.Body.StartsWith('{')));
            var poisoned = (await poison.ReceiveMessagesAsync(32)).Value;

            Assert.Equal(2, received.Count);
            Assert.All(received, m => Assert.Equal(1, m.DequeueCount));
            Assert.Empty(whileHidden);
            Assert.Equal(0, await queue.CountAsync());
            Assert.Equal("奇怪的消息", Assert.Single(poisoned).Body.ToString());
        }
        finally
        {
            await work.DeleteAsync();
            await poison.DeleteAsync();
        }
    }

    [Fact]
    public async Task A_delayed_unit_stays_invisible_until_its_delay_ends_and_is_counted_meanwhile()
    {
        var queues = StorageClients.CreateQueueServiceClient(azurite.Settings, new StorageDiagnostics());
        var (work, poison) = (queues.GetQueueClient("w" + Guid.NewGuid().ToString("N")[..20]), queues.GetQueueClient("p" + Guid.NewGuid().ToString("N")[..20]));
        await work.CreateAsync();
        await poison.CreateAsync();
        try
        {
            IConsolidationQueue queue = new QueueConsolidationQueue(work, poison);
            await queue.EnqueueDelayedAsync("{\"period\":\"2026-11\",\"org\":\"500103000000\"}", TimeSpan.FromSeconds(2));

            var early = await queue.ReceiveAsync(32, TimeSpan.FromMinutes(1));
            // A drain that waits for an empty queue must still see it.
            Assert.Equal(1, await queue.CountAsync());
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            var due = await queue.ReceiveAsync(32, TimeSpan.FromMinutes(1));

            Assert.Empty(early);
            Assert.Single(due);
        }
        finally
        {
            await work.DeleteAsync();
            await poison.DeleteAsync();
        }
    }

    [Fact]
    public async Task A_pending_marker_is_created_once_and_replaced_only_at_the_version_read()
    {
        await using var container = await azurite.CreateContainerAsync();
        var markers = new BlobPendingConsolidationStore(container.Client);

        var created = await markers.TrySaveAsync(Submissions.November, "500103000000", "{\"a\":1}", etag: null);
        var createdAgain = await markers.TrySaveAsync(Submissions.November, "500103000000", "{\"a\":2}", etag: null);
        var read = await markers.GetAsync(Submissions.November, "500103000000");
        var replaced = await markers.TrySaveAsync(Submissions.November, "500103000000", "{\"a\":3}", read!.ETag);
        var stale = await markers.TrySaveAsync(Submissions.November, "500103000000", "{\"a\":4}", read.ETag);

        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal("{\"a\":1}", read.Content);
        Assert.True(replaced);
        Assert.False(stale);
        Assert.Equal("{\"a\":3}", (await markers.GetAsync(Submissions.November, "500103000000"))!.Content);
        Assert.Null(await markers.GetAsync(Submissions.November, "500103000001"));
    }
}
