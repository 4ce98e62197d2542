using Azure.Storage.Blobs;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using ReportPipeline.Application.Audit;
using ReportPipeline.Application.Hosting;
using ReportPipeline.Application.Prefill;
using ReportPipeline.Functions.Hosting;

namespace ReportPipeline.Functions.Functions;

/// <summary>Departments: pushing their values down (带数下发) and the record of who read which villages' data.</summary>
public sealed class DepartmentFunctions(PrefillApi prefill, AccessLogApi accessLog)
{
    [Function(nameof(PushPrefill))]
    public async Task<IActionResult> PushPrefill(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = ApiRoutes.Prefill)] HttpRequest req,
        string dept, string period, CancellationToken cancellationToken)
        => new ResultAction(await prefill.PushAsync(req, dept, period, cancellationToken));

    [Function(nameof(GetAccessLog))]
    public async Task<IActionResult> GetAccessLog(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = ApiRoutes.AccessLog)] HttpRequest req,
        CancellationToken cancellationToken)
        => new ResultAction(await accessLog.GetAsync(req, cancellationToken));
}

/// <summary>
/// A department's file dropped into <c>prefill/{period}/{dept}/{name}</c>, delivered by Event Grid like a submission drop;
/// the handler reads it through the pipeline's own client, so the lazy <see cref="BlobClient"/> binding downloads nothing.
/// </summary>
public sealed class IngestPrefillBlob(PrefillBlobHandler handler)
{
    [Function(nameof(IngestPrefillBlob))]
    public Task Run(
        [BlobTrigger(TriggerBindings.PrefillBlobPath, Source = BlobTriggerSource.EventGrid, Connection = TriggerBindings.StorageConnection)] BlobClient blob,
        string name,
        CancellationToken cancellationToken)
        => handler.IngestAsync(name, cancellationToken);
}
