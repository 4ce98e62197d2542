using ReportPipeline.Storage.Client;
using ReportPipeline.Storage.Emulator;

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

    public StorageConnection Connection => Emulator.Connection;

    public async Task InitializeAsync() => _emulator = await AzuriteEmulator.StartAsync();

    public async Task DisposeAsync()
    {
        if (_emulator is not null)
        {
            await _emulator.DisposeAsync();
        }
    }

    /// <summary>A table client on a fresh table with a unique name, deleted when the returned scope is disposed.</summary>
    public async Task<TemporaryTable> CreateTableAsync(StorageClientOptions? options = null)
    {
        var service = Connection.CreateTableServiceClient(options);
        var table = service.GetTableClient(UniqueNames.Table());
        await table.CreateIfNotExistsAsync();
        return new TemporaryTable(table);
    }

    /// <summary>A container with a unique name, deleted when the returned scope is disposed.</summary>
    public async Task<TemporaryContainer> CreateContainerAsync(StorageClientOptions? options = null)
    {
        var service = Connection.CreateBlobServiceClient(options);
        var container = service.GetBlobContainerClient(UniqueNames.Container());
        await container.CreateIfNotExistsAsync();
        return new TemporaryContainer(container);
    }
}


public sealed class TemporaryTable(TableClient client) : IAsyncDisposable
{
    public TableClient Client { get; } = client;

    public async ValueTask DisposeAsync() => await Client.DeleteAsync();
}

public sealed class TemporaryContainer(BlobContainerClient client) : IAsyncDisposable
{
    public BlobContainerClient Client { get; } = client;

    public async ValueTask DisposeAsync() => await Client.DeleteIfExistsAsync();
}

/// <summary>Names that are unique per test and valid for the services (tables: letters and digits; containers: lower case).</summary>
public static class UniqueNames
{
    public static string Table(string prefix = "t") => prefix + Guid.NewGuid().ToString("N")[..20];

    public static string Container(string prefix = "c") => prefix + "-" + Guid.NewGuid().ToString("N")[..20];
}
