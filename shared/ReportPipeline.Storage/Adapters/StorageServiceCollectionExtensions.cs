using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Storage.Adapters;
using ReportPipeline.Storage.Client;

namespace ReportPipeline.Storage;

/// <summary>Registers the storage clients for the <c>ReportStorage</c> connection and the adapters of the domain's storage ports.</summary>
public static class StorageServiceCollectionExtensions
{
    public const string ValuesTable = "FieldValues";
    public const string SubmissionsContainer = "submissions";
    public const string RejectedContainer = "submissions-rejected";
    public const string ArchiveContainer = "submissions-archive";
    public const string ReportsContainer = "reports";
    public const string LeasesContainer = "leases";

    public static IServiceCollection AddReportStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(_ => StorageConnection.FromConfiguration(configuration));
        services.TryAddSingleton(sp => sp.GetRequiredService<StorageConnection>().CreateTableServiceClient());
        services.TryAddSingleton(sp => sp.GetRequiredService<StorageConnection>().CreateBlobServiceClient());

        services.TryAddSingleton<IFieldValueStore>(sp => new TableFieldValueStore(
            sp.GetRequiredService<TableServiceClient>().GetTableClient(ValuesTable),
            sp.GetRequiredService<ILogger<TableFieldValueStore>>()));
        services.TryAddSingleton<ISubmissionArchive>(sp => new BlobSubmissionArchive(Container(sp, ArchiveContainer), Container(sp, RejectedContainer)));
        services.TryAddSingleton<ISubmissionInbox>(sp => new BlobSubmissionInbox(Container(sp, SubmissionsContainer)));
        services.TryAddSingleton<IReportStore>(sp => new BlobReportStore(Container(sp, ReportsContainer)));
        services.TryAddSingleton<IDistributedLock>(sp => new BlobLeaseLock(Container(sp, LeasesContainer)));
        return services;
    }

    private static BlobContainerClient Container(IServiceProvider services, string name) =>
        services.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(name);
}
