using System.Text;
using Azure;
using ReportPipeline.Storage.Client;
using ReportPipeline.Testing;

namespace ReportPipeline.Storage.Tests.Client;

[Collection(AzuriteFixture.CollectionName)]
public sealed class BlobContainerClientTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task An_upload_round_trips_with_content_type_and_metadata()
    {
        await using var container = await azurite.CreateContainerAsync();
        var bytes = Encoding.UTF8.GetBytes("村,户数\n石桥村,120\n");

        await container.Client.UploadAsync("2026-11/500103001001/报表 1.csv", bytes, new BlobUploadOptions
        {
            ContentType = "text/csv",
            Metadata = new Dictionary<string, string> { ["Org"] = "500103001001" },
        });
        var properties = await container.Client.GetPropertiesAsync("2026-11/500103001001/报表 1.csv");
        var download = await container.Client.DownloadContentAsync("2026-11/500103001001/报表 1.csv");
        var streamed = await container.Client.DownloadStreamingAsync("2026-11/500103001001/报表 1.csv");
        using var reader = new StreamReader(streamed.Content);

        Assert.NotNull(properties);
        Assert.Equal(bytes.Length, properties.ContentLength);
        Assert.Equal("text/csv", properties.ContentType);
        Assert.Equal("500103001001", properties.Metadata["Org"]);
        Assert.Equal(bytes, download!.Value.Content);
        Assert.Equal("村,户数\n石桥村,120\n", await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task A_create_only_upload_leaves_an_existing_blob_alone()
    {
        await using var container = await azurite.CreateContainerAsync();
        var first = await container.Client.UploadAsync("a.bin", new byte[] { 1 }, new BlobUploadOptions { CreateOnly = true });

        var second = await container.Client.UploadAsync("a.bin", new byte[] { 2 }, new BlobUploadOptions { CreateOnly = true });

        Assert.True(first.Created);
        Assert.False(second.Created);
        Assert.Equal(new byte[] { 1 }, (await container.Client.DownloadContentAsync("a.bin"))!.Value.Content);
    }

    [Fact]
    public async Task An_upload_conditional_on_a_stale_etag_fails_with_412()
    {
        await using var container = await azurite.CreateContainerAsync();
        var first = await container.Client.UploadAsync("a.bin", new byte[] { 1 });
        await container.Client.UploadAsync("a.bin", new byte[] { 2 });

        var ex = await Assert.ThrowsAsync<RequestFailedException>(
            () => container.Client.UploadAsync("a.bin", new byte[] { 3 }, new BlobUploadOptions { IfMatch = first.ETag }));

        Assert.Equal(412, ex.Status);
        Assert.Equal("ConditionNotMet", ex.ErrorCode);
    }

    [Fact]
    public async Task Missing_blobs_read_as_null_and_stream_as_404()
    {
        await using var container = await azurite.CreateContainerAsync();

        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => container.Client.DownloadStreamingAsync("missing"));

        Assert.Null(await container.Client.GetPropertiesAsync("missing"));
        Assert.Null(await container.Client.DownloadContentAsync("missing"));
        Assert.Equal(404, ex.Status);
        Assert.Equal("BlobNotFound", ex.ErrorCode);
    }

    [Fact]
    public async Task Listing_by_prefix_pages_through_every_match()
    {
        await using var container = await azurite.CreateContainerAsync();
        for (var i = 0; i < 7; i++)
        {
            await container.Client.UploadAsync($"2026-11/{i}.csv", new byte[] { 1 });
        }
        await container.Client.UploadAsync("2026-10/x.csv", new byte[] { 1 });

        var pages = new List<int>();
        var names = new List<string>();
        await foreach (var page in container.Client.GetBlobsAsync("2026-11/", pageSize: 3).AsPages())
        {
            pages.Add(page.Values.Count);
            names.AddRange(page.Values.Select(b => b.Name));
        }

        Assert.Equal([3, 3, 1], pages);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => $"2026-11/{i}.csv"), names);
    }

    [Fact]
    public async Task Delete_removes_a_blob_once()
    {
        await using var container = await azurite.CreateContainerAsync();
        await container.Client.UploadAsync("a", new byte[] { 1 });

        Assert.True(await container.Client.DeleteIfExistsAsync("a"));
        Assert.False(await container.Client.DeleteIfExistsAsync("a"));
    }

    [Fact]
    public async Task A_lease_held_by_one_caller_is_refused_to_another_until_released()
    {
        await using var container = await azurite.CreateContainerAsync();
        await container.Client.UploadAsync("lock", ReadOnlyMemory<byte>.Empty);
        var holder = await container.Client.AcquireLeaseAsync("lock", TimeSpan.FromSeconds(15));

        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => container.Client.AcquireLeaseAsync("lock", TimeSpan.FromSeconds(15)));
        await container.Client.RenewLeaseAsync("lock", holder);
        await container.Client.ReleaseLeaseAsync("lock", holder);
        var next = await container.Client.AcquireLeaseAsync("lock", TimeSpan.FromSeconds(15));

        Assert.Equal(409, refused.Status);
        Assert.Equal("LeaseAlreadyPresent", refused.ErrorCode);
        Assert.NotEqual(holder, next);
    }
}
