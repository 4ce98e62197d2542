using Microsoft.AspNetCore.Http;

namespace ReportPipeline.Application.Http;

/// <summary>
/// The contract's HTTP routes as handlers. Both hosts call these and nothing else: the local host from minimal-API
/// endpoints, the Functions app from one thin function per route. Each returns an <see cref="IResult"/> that the host executes.
/// </summary>
public interface IPipelineHttpApi
{
    Task<IResult> GetHealthAsync(HttpRequest request, CancellationToken cancellationToken);
    Task<IResult> GetCatalogAsync(HttpRequest request, CancellationToken cancellationToken);
    Task<IResult> GetFormAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken);
    Task<IResult> SubmitAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken);
    Task<IResult> GetValuesAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken);
    Task<IResult> GetStatusAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken);
    Task<IResult> GetReportAsync(HttpRequest request, string org, string period, string template, CancellationToken cancellationToken);
    Task<IResult> BuildReportAsync(HttpRequest request, string org, string period, string template, CancellationToken cancellationToken);
    Task<IResult> GetBurdenAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken);
    Task<IResult> PostFeedbackAsync(HttpRequest request, string org, string period, CancellationToken cancellationToken);
}

/// <summary>Blob-drop ingestion of <c>submissions/{period}/{org}/{name}</c>; the blob trigger and the local poller call it.</summary>
public interface IBlobIngestionHandler
{
    /// <summary><paramref name="blobName"/> is the name inside the <c>submissions</c> container.</summary>
    Task IngestAsync(string blobName, CancellationToken cancellationToken);
}

/// <summary>The consolidation timer's work: builds every workbook whose inputs changed since its last build.</summary>
public interface IScheduledConsolidation
{
    Task RunAsync(bool isPastDue, CancellationToken cancellationToken);
}
