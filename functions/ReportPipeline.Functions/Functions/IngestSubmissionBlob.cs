using Azure.Storage.Blobs;
using Microsoft.Azure.Functions.Worker;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Application.Http;

namespace ReportPipeline.Functions.Functions;

/// <summary>
/// A file dropped into <c>submissions/{period}/{org}/{name}</c>. Event Grid is the only blob-trigger source the Flex
/// Consumption plan supports. The trigger parameter is a <see cref="BlobClient"/> because that binding is lazy: the
/// handler reads the blob through the pipeline's own storage client, so nothing is downloaded here; only the bound
/// <c>{name}</c> is handed over. A failure propagates, so the event is redelivered and the handler's idempotency makes
/// the retry harmless.
/// </summary>
public sealed class IngestSubmissionBlob(IBlobIngestionHandler ingestion)
{
    [Function(nameof(IngestSubmissionBlob))]
    public Task Run(
        [BlobTrigger(TriggerBindings.SubmissionBlobPath, Source = BlobTriggerSource.EventGrid, Connection = TriggerBindings.StorageConnection)] BlobClient blob,
        string name,
        CancellationToken cancellationToken)
        => ingestion.IngestAsync(name, cancellationToken);
}
