using ReportPipeline.Storage.Diagnostics;

namespace ReportPipeline.Application.Http;

/// <summary>
/// The storage time of one request (<see cref="ApiRoute.StorageBudget"/>): <see cref="Token"/> is cancelled when the
/// client goes away or the budget is spent — in either case only once no table write of the request is on the wire; a
/// write that was sent is waited for and its answer read (its outcome may be a commit), up to the commit timeout more,
/// after which the outcome is unknown. No storage call of the request starts after the client left or the budget ended.
/// </summary>
public sealed class StorageBudget : IDisposable
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _source = new();
    private readonly CancellationTokenRegistration _aborted;
    private readonly ITimer _budget;
    private readonly ITimer _commit;
    private bool _disposed;

    internal StorageBudget(CancellationToken requestAborted, RequestStorageWrites? writes, TimeProvider time, TimeSpan budget, TimeSpan commitTimeout)
    {
        // A write on the wire is left to finish and its answer to be read (the storage clients refuse any further call of
        // the request), whether the budget ended or the client hung up: a transaction cut off after it was sent may or may
        // not have committed. The commit timer below is the hard limit.
        _budget = time.CreateTimer(_ => CloseOrCancel(writes), null, budget, Timeout.InfiniteTimeSpan);
        _commit = time.CreateTimer(_ => Cancel(), null, budget + commitTimeout, Timeout.InfiniteTimeSpan);
        _aborted = requestAborted.Register(() => CloseOrCancel(writes));
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

        _aborted.Dispose();
        _budget.Dispose();
        _commit.Dispose();
        _source.Dispose();
    }

    private void CloseOrCancel(RequestStorageWrites? writes)
    {
        if (writes?.Close() ?? true)
        {
            Cancel();
        }
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
