using Azure.Data.Tables;
using Azure.Storage.Blobs;
using ReportPipeline.Storage.Configuration;
using ReportPipeline.Storage.Diagnostics;
using ReportPipeline.Development.Emulator;

namespace ReportPipeline.Testing;

/// <summary>
/// One in-memory Azurite for a test collection. xunit only finds collection definitions in the test assembly itself, so
/// each test project declares <c>[CollectionDefinition(AzuriteFixture.CollectionName)] public sealed class AzuriteCollection : ICollectionFixture&lt;AzuriteFixture&gt;;</c>
/// and its tests carry <c>[Collection(AzuriteFixture.CollectionName)]</c>.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public const string CollectionName = "Azurite";

    private AzuriteEmulator? _emulator;

    public AzuriteEmulator Emulator => _emulator ?? throw new InvalidOperationException("Azurite has not started.");

    public string ConnectionString => Emulator.ConnectionString;

    public ReportStorageSettings Settings => Emulator.Settings;

    public async Task InitializeAsync() => _emulator = await AzuriteEmulator.StartAsync();

    public async Task DisposeAsync()
    {
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }
    }

    /// <summary>
    /// A table client (the SDK's, built as the hosts build it) on a fresh table with a unique name, with its own counters;
    /// the table is deleted when the returned scope is disposed.
    /// </summary>
    public async Task<TemporaryTable> CreateTableAsync()
    {
        var counters = new StorageDiagnostics();
        var table = StorageClients.CreateTableServiceClient(Settings, counters).GetTableClient(UniqueNames.Table());
        await table.CreateIfNotExistsAsync();
        return new TemporaryTable(table, counters);
    }

    /// <summary>A container with a unique name and its own counters, deleted when the returned scope is disposed.</summary>
    public async Task<TemporaryContainer> CreateContainerAsync()
    {
        var counters = new StorageDiagnostics();
        var container = StorageClients.CreateBlobServiceClient(Settings, counters).GetBlobContainerClient(UniqueNames.Container());
        await container.CreateIfNotExistsAsync();
        return new TemporaryContainer(container, counters);
    }
}

public sealed class TemporaryTable(TableClient client, StorageDiagnostics counters) : IAsyncDisposable
{
    public TableClient Client { get; } = client;

    /// <summary>Requests, retries, conflicts and entities written through <see cref="Client"/>.</summary>
    public StorageDiagnostics Counters { get; } = counters;

    public async ValueTask DisposeAsync() => await Client.DeleteAsync();
}

public sealed class TemporaryContainer(BlobContainerClient client, StorageDiagnostics counters) : IAsyncDisposable
{
    public BlobContainerClient Client { get; } = client;

    /// <summary>Requests, retries and conflicts through <see cref="Client"/>.</summary>
    public StorageDiagnostics Counters { get; } = counters;

    public async ValueTask DisposeAsync() => await Client.DeleteIfExistsAsync();
}

/// <summary>Names that are unique per test and valid for the services (tables: letters and digits; containers: lower case).</summary>
public static class UniqueNames
{
    public static string Table(string prefix = "t") => prefix + Guid.NewGuid().ToString("N")[..20];

    public static string Container(string prefix = "c") => prefix + "-" + Guid.NewGuid().ToString("N")[..20];
}
