using Azure;

namespace ReportPipeline.Storage.Client;

/// <summary>An <see cref="AsyncPageable{T}"/> that fetches one page per call, following continuation tokens.</summary>
internal sealed class ContinuationPageable<T>(Func<string?, int?, CancellationToken, Task<Page<T>>> fetchPage, CancellationToken cancellationToken)
    : AsyncPageable<T>(cancellationToken)
    where T : notnull
{
    public override async IAsyncEnumerable<Page<T>> AsPages(string? continuationToken = null, int? pageSizeHint = null)
    {
        var token = continuationToken;
        do
        {
            var page = await fetchPage(token, pageSizeHint, CancellationToken).ConfigureAwait(false);
            yield return page;
            token = page.ContinuationToken;
        }
        while (!string.IsNullOrEmpty(token));
    }
}
