using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Storage.Configuration;
using ReportPipeline.Storage.Diagnostics;

namespace ReportPipeline.Storage.Stores;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Registers the SDK clients (Tables, Blobs, Queues) once, through Microsoft.Extensions.Azure, from the
    /// <c>ReportStorage</c> settings the Functions storage extensions read, and every storage adapter of the domain ports.
    /// Settings are read when a client is first needed, so a host that never touches storage starts without them.
    /// Tables, containers and queues are created once at host start (<see cref="StorageProvisioner"/>); code without a
    /// host calls <c>StorageProvisioner.EnsureCreatedAsync</c> itself.
    /// </summary>
    /// <param name="orgsPath">The org registry file to use instead of the seeded one (<c>Pipeline__OrgsPath</c>), if any.</param>
    public static IServiceCollection AddReportStorage(this IServiceCollection services, IConfiguration configuration, Func<IServiceProvider, string?>? orgsPath = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddLogging();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(new ValueStoreOptions());
        services.TryAddSingleton<StorageDiagnostics>();
        services.TryAddSingleton(_ => ReportStorageSettings.Read(configuration));

        services.AddAzureClients(clients =>
        {
            // One credential for the three clients; only built for identity-based settings.
            clients.UseCredential(sp => sp.GetRequiredService<ReportStorageSettings>() is { UsesConnectionString: false } settings
                ? settings.CreateCredential()
                : NoCredential.Instance);
            clients.AddClient<TableServiceClient, TableClientOptions>((options, credential, sp) =>
                    StorageClients.CreateTableServiceClient(sp.GetRequiredService<ReportStorageSettings>(), options, credential))
                .ConfigureOptions((options, sp) => StorageClients.Configure(options, sp.GetRequiredService<StorageDiagnostics>(), StorageService.Table));
            clients.AddClient<BlobServiceClient, BlobClientOptions>((options, credential, sp) =>
                    StorageClients.CreateBlobServiceClient(sp.GetRequiredService<ReportStorageSettings>(), options, credential))
                .ConfigureOptions((options, sp) => StorageClients.Configure(options, sp.GetRequiredService<StorageDiagnostics>(), StorageService.Blob));
            clients.AddClient<QueueServiceClient, QueueClientOptions>((options, credential, sp) =>
                    StorageClients.CreateQueueServiceClient(sp.GetRequiredService<ReportStorageSettings>(), options, credential))
                .ConfigureOptions((options, sp) => StorageClients.Configure(options, sp.GetRequiredService<StorageDiagnostics>(), StorageService.Queue));
        });

        services.TryAddSingleton<StorageProvisioner>();
        services.AddHostedService(sp => sp.GetRequiredService<StorageProvisioner>());

        services.TryAddSingleton<IFieldValueStore>(sp => new TableFieldValueStore(
            Table(sp, StorageNames.ValuesTable),
            sp.GetRequiredService<ILogger<TableFieldValueStore>>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ValueStoreOptions>()));
        services.TryAddSingleton<IApprovalStore>(sp => new TableApprovalStore(Table(sp, StorageNames.ValuesTable), sp.GetRequiredService<ILogger<TableApprovalStore>>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IFeedbackStore>(sp => new TableFeedbackStore(Table(sp, StorageNames.FeedbackTable)));
        services.TryAddSingleton<IOrgRegistrySource>(sp => new BlobOrgRegistrySource(Container(sp, StorageNames.ReferenceContainer), orgsPath?.Invoke(sp)));
        services.TryAddSingleton<ISubmissionArchive>(sp => new BlobSubmissionArchive(
            Container(sp, StorageNames.ArchiveContainer), Container(sp, StorageNames.RejectedContainer), sp.GetRequiredService<ILogger<BlobSubmissionArchive>>()));
        services.TryAddSingleton<ISubmissionInbox>(sp => new BlobSubmissionInbox(Container(sp, StorageNames.SubmissionsContainer)));
        services.TryAddSingleton<IPrefillInbox>(sp => new BlobPrefillInbox(Container(sp, StorageNames.PrefillContainer)));
        services.TryAddSingleton<IAccessLog>(sp => new TableAccessLog(Table(sp, StorageNames.AccessLogTable)));
        services.TryAddSingleton<IReportStore>(sp => new BlobReportStore(Container(sp, StorageNames.ReportsContainer)));
        services.TryAddSingleton<IRollupStore>(sp => new BlobRollupStore(Container(sp, StorageNames.RollupsContainer)));
        services.TryAddSingleton<IProposalStore>(sp => new BlobProposalStore(Container(sp, StorageNames.CatalogContainer)));
        services.TryAddSingleton<IOfficeSummaryStore>(sp => new BlobOfficeSummaryStore(Container(sp, StorageNames.RollupsContainer)));
        services.TryAddSingleton<IPendingConsolidationStore>(sp => new BlobPendingConsolidationStore(Container(sp, StorageNames.RollupsContainer)));
        services.TryAddSingleton<IConsolidationQueue>(sp => new QueueConsolidationQueue(
            Queue(sp, StorageNames.ConsolidationQueue), Queue(sp, StorageNames.ConsolidationPoisonQueue)));
        return services;
    }

    private static TableClient Table(IServiceProvider services, string name) => services.GetRequiredService<TableServiceClient>().GetTableClient(name);

    private static QueueClient Queue(IServiceProvider services, string name) => services.GetRequiredService<QueueServiceClient>().GetQueueClient(name);

    private static BlobContainerClient Container(IServiceProvider services, string name) => services.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(name);

    /// <summary>Stands in for a credential when a connection string carries the key; never asked for a token.</summary>
    private sealed class NoCredential : TokenCredential
    {
        public static readonly NoCredential Instance = new();

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
            => throw new InvalidOperationException("A connection string is configured; no token is needed.");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
            => throw new InvalidOperationException("A connection string is configured; no token is needed.");
    }
}

/// <summary>Creates the pipeline's tables, containers and queues once; safe to call from several places.</summary>
public sealed class StorageProvisioner(TableServiceClient tables, BlobServiceClient blobs, QueueServiceClient queues, ILogger<StorageProvisioner> logger) : IHostedService
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
        foreach (var table in StorageNames.Tables)
        {
            await tables.CreateTableIfNotExistsAsync(table, cancellationToken).ConfigureAwait(false);
        }
        foreach (var container in StorageNames.Containers)
        {
            await blobs.GetBlobContainerClient(container).CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        foreach (var queue in StorageNames.Queues)
        {
            await queues.GetQueueClient(queue).CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        logger.LogInformation("Storage ready: tables {Tables}, containers {Containers}, queues {Queues}",
            string.Join(',', StorageNames.Tables), string.Join(',', StorageNames.Containers), string.Join(',', StorageNames.Queues));
    }

    Task IHostedService.StartAsync(CancellationToken cancellationToken) => EnsureCreatedAsync(cancellationToken);

    Task IHostedService.StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
