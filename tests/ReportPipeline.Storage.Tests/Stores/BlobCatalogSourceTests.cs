using System.Text;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ReportPipeline.Domain.Catalog;
using ReportPipeline.Domain.Periods;
using ReportPipeline.Storage.Files;
using ReportPipeline.Storage.Stores;
using ReportPipeline.Testing;

namespace ReportPipeline.Storage.Tests.Stores;

[Collection(AzuriteFixture.CollectionName)]
public sealed class BlobCatalogSourceTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Each_period_gets_the_published_version_in_force_and_it_parses_like_the_folder()
    {
        await using var container = await azurite.CreateContainerAsync();
        var shipped = FileCatalogSource.Shipped.Read();
        await PublishAsync(container.Client, "2026.11.1", shipped.Documents, inForceFrom: null);
        await PublishAsync(container.Client, "2027.1.1", WithVersion(shipped.Documents, "2027.1.1"), inForceFrom: "2027-01");
        // Documents without their manifest: a publisher that has not finished, not a version yet.
        await PublishAsync(container.Client, "2027.2.1", shipped.Documents.Where(d => d.Name != CatalogLayout.Manifest), inForceFrom: null);
        var source = new BlobCatalogSource(container.Client);

        var december = await CatalogLoader.LoadAsync(source, Period.Parse("2026-12"), CancellationToken.None);
        var march = await CatalogLoader.LoadAsync(source, Period.Parse("2027-03"), CancellationToken.None);
        var newest = await source.GetVersionAsync(period: null, CancellationToken.None);

        Assert.Equal("2026.11.1", december.Catalog.Version);
        Assert.Equal("2027.1.1", march.Catalog.Version);
        Assert.Equal("2027.1.1", newest);
        var folder = FileCatalogSource.Shipped.LoadBundle();
        Assert.Equal(folder.Catalog.Fields.Select(f => f.Id), december.Catalog.Fields.Select(f => f.Id));
        Assert.Equal(folder.Catalog.Rules.Count, december.Catalog.Rules.Count);
        Assert.Equal(folder.Templates.Select(t => t.Id), december.Templates.Select(t => t.Id));
    }

    [Fact]
    public async Task A_version_is_fetched_once_and_an_unpublished_one_is_refused()
    {
        await using var container = await azurite.CreateContainerAsync();
        var shipped = FileCatalogSource.Shipped.Read();
        await PublishAsync(container.Client, "2026.11.1", shipped.Documents, inForceFrom: null);
        await PublishAsync(container.Client, "2027.2.1", shipped.Documents.Where(d => d.Name != CatalogLayout.Manifest), inForceFrom: null);
        var source = new BlobCatalogSource(container.Client);

        var first = await source.LoadAsync("2026.11.1", CancellationToken.None);
        var before = container.Counters.Snapshot();
        var again = await source.LoadAsync("2026.11.1", CancellationToken.None);
        var spent = container.Counters.Snapshot() - before;
        var error = await Assert.ThrowsAsync<CatalogLoadException>(() => source.LoadAsync("2027.2.1", CancellationToken.None));

        Assert.Equal(shipped.Documents.Select(d => d.Name).Order(StringComparer.Ordinal), first.Documents.Select(d => d.Name));
        Assert.Same(first, again);
        Assert.Equal(0, spent.RoundTrips);
        Assert.Contains("no such catalog version", Assert.Single(error.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_period_before_every_version_and_a_malformed_start_are_refused_with_the_reason()
    {
        await using var container = await azurite.CreateContainerAsync();
        var shipped = FileCatalogSource.Shipped.Read();
        await PublishAsync(container.Client, "2027.1.1", shipped.Documents, inForceFrom: "2027-01");
        var source = new BlobCatalogSource(container.Client);

        var early = await Assert.ThrowsAsync<CatalogLoadException>(() => source.GetVersionAsync(Period.Parse("2026-12"), CancellationToken.None));
        await PublishAsync(container.Client, "2028.1.1", shipped.Documents, inForceFrom: "next year");
        var malformed = await Assert.ThrowsAsync<CatalogLoadException>(() => source.GetVersionAsync(null, CancellationToken.None));

        Assert.Contains("no catalog version in force for 2026-12", Assert.Single(early.Problems).Message, StringComparison.Ordinal);
        var problem = Assert.Single(malformed.Problems);
        Assert.Equal($"{container.Client.Name}/catalog/2028.1.1/catalog.json", problem.File);
        Assert.Contains("inforcefrom is not a period", problem.Message, StringComparison.Ordinal);
    }

    private static async Task PublishAsync(BlobContainerClient container, string version, IEnumerable<CatalogDocument> documents, string? inForceFrom)
    {
        foreach (var document in documents)
        {
            var options = new BlobUploadOptions();
            if (document.Name == CatalogLayout.Manifest && inForceFrom is not null)
            {
                options.Metadata = new Dictionary<string, string> { [BlobCatalogSource.InForceFromMetadata] = inForceFrom };
            }

            await container.GetBlobClient($"{BlobCatalogSource.Prefix}{version}/{document.Name}").UploadAsync(BinaryData.FromBytes(document.Json), options);
        }
    }

    private static IEnumerable<CatalogDocument> WithVersion(IEnumerable<CatalogDocument> documents, string version) =>
        documents.Select(d => d.Name == CatalogLayout.Manifest
            ? d with { Json = Encoding.UTF8.GetBytes($$"""{ "version": "{{version}}" }""") }
            : d);
}
