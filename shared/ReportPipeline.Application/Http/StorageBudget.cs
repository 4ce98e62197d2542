using ReportPipeline.Storage.Diagnostics;

namespace ReportPipeline.Application.Http;

/// <summary>
/// The storage time of one request (<see cref="ApiRoute.StorageBudget"/>): <see cref="Token"/> is cancelled with the
/// request, or when the budget is spent and no table write of the request is on the wire; a write that was sent is
/// waited for and its answer read (its outcome may be a commit), up to the commit timeout more, after which the outcome
/// is unknown. No storage call of the request starts after the budget is spent.
/// </summary>
public sealed class StorageBudget : IDisposable
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _source;
    private readonly ITimer _budget;
    private readonly ITimer _commit;
    private bool _disposed;

    internal StorageBudget(CancellationToken requestAborted, RequestStorageWrites? writes, TimeProvider time, TimeSpan budget, TimeSpan commitTimeout)
    {
        _source = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        _budget = time.CreateTimer(_ =>
        {
            // A write on the wire is left to finish and its answer to be read (the storage clients refuse any further
            // call of the request); the commit timer below is the hard limit.
            if (writes?.Close() ?? true)
            {
                Cancel();
            }
        }, null, budget, Timeout.InfiniteTimeSpan);
        _commit = time.CreateTimer(_ => Cancel(), null, budget + commitTimeout, Timeout.InfiniteTimeSpan);
    }

    public CancellationToken Token => _source.Token;

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _budget.Dispose();
        _commit.Dispose();
        _source.Dispose();
    }

    private void Cancel()
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                _source.Cancel();
            }
        }
    }
}
