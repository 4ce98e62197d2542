using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Storage.Client;

namespace ReportPipeline.Storage.Stores;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the storage clients for the <c>ReportStorage</c> connection and every storage adapter of the domain
    /// ports. Tables and containers are created once at host start (<see cref="StorageProvisioner"/>); code without a
    /// host calls <c>StorageProvisioner.EnsureCreatedAsync</c> itself.
    /// </summary>
    public static IServiceCollection AddReportStorage(this IServiceCollection services, IConfiguration configuration, ReportStorageNames? names = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(names ?? new ReportStorageNames());
        services.TryAddSingleton(new ValueStoreOptions());
        services.TryAddSingleton(_ => StorageConnection.FromConfiguration(configuration));
        services.TryAddSingleton(sp => new StorageClientOptions { TimeProvider = sp.GetRequiredService<TimeProvider>() });
        services.TryAddSingleton(sp => sp.GetRequiredService<StorageConnection>().CreateTableServiceClient(sp.GetRequiredService<StorageClientOptions>()));
        services.TryAddSingleton(sp => sp.GetRequiredService<StorageConnection>().CreateBlobServiceClient(sp.GetRequiredService<StorageClientOptions>()));
        services.TryAddSingleton<StorageProvisioner>();
        services.AddHostedService(sp => sp.GetRequiredService<StorageProvisioner>());

        services.TryAddSingleton<IFieldValueStore>(sp => new TableFieldValueStore(
            sp.GetRequiredService<TableServiceClient>().GetTableClient(sp.GetRequiredService<ReportStorageNames>().ValuesTable),
            sp.GetRequiredService<ILogger<TableFieldValueStore>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ValueStoreOptions>()));
        services.TryAddSingleton<ISubmissionArchive>(sp => new BlobSubmissionArchive(
            Container(sp, n => n.ArchiveContainer), Container(sp, n => n.RejectedContainer), sp.GetRequiredService<ILogger<BlobSubmissionArchive>>()));
        services.TryAddSingleton<ISubmissionInbox>(sp => new BlobSubmissionInbox(Container(sp, n => n.SubmissionsContainer)));
        services.TryAddSingleton<IReportStore>(sp => new BlobReportStore(Container(sp, n => n.ReportsContainer)));
        services.TryAddSingleton<IDistributedLock>(sp => new BlobLeaseLock(
            Container(sp, n => n.LeasesContainer), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<BlobLeaseLock>>()));
        return services;
    }

    private static BlobContainerClient Container(IServiceProvider services, Func<ReportStorageNames, string> name)
        => services.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(name(services.GetRequiredService<ReportStorageNames>()));
}

/// <summary>Creates the pipeline's tables and containers once; safe to call from several places.</summary>
public sealed class StorageProvisioner(TableServiceClient tables, BlobServiceClient blobs, ReportStorageNames names, ILogger<StorageProvisioner> logger) : IHostedService
{
    private readonly Lock _gate = new();
    private Task? _created;

    public Task EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            if (_created is null || _created.IsFaulted || _created.IsCanceled)
            {
                _created = CreateAsync(cancellationToken);
            }
            return _created;
        }
    }

    private async Task CreateAsync(CancellationToken cancellationToken)
    {
        foreach (var table in names.Tables)
        {
            await tables.GetTableClient(table).CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        }
        foreach (var container in names.Containers)
        {
            await blobs.GetBlobContainerClient(container).CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        }
        logger.LogInformation("Storage ready: tables {Tables}, containers {Containers}", string.Join(',', names.Tables), string.Join(',', names.Containers));
    }

    Task IHostedService.StartAsync(CancellationToken cancellationToken) => EnsureCreatedAsync(cancellationToken);

    Task IHostedService.StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
