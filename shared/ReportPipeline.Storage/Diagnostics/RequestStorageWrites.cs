using Azure.Core;
using Azure.Core.Pipeline;

namespace ReportPipeline.Storage.Diagnostics;

/// <summary>
/// The table writes one request has sent: whether any went out (so its outcome may be stored), and how many are on the
/// wire now. A request's storage budget consults it so that it never cancels a write that may already have reached the
/// service — an entity group transaction cancelled after it was sent may have committed, and a clerk told "nothing was
/// saved" whose data was saved is a broken promise. <see cref="WriteTrackingPolicy"/> fills it in from the tables
/// clients' pipelines, so the stores need no parameter of their own for it.
/// </summary>
/// <remarks>
/// It is ambient (an <see cref="AsyncLocal{T}"/>, as <c>Activity.Current</c> and logging scopes are) because the writes
/// happen deep inside the stores, behind ports that take only a cancellation token; the HTTP edge begins one per
/// request and reads it when mapping a failure.
/// </remarks>
public sealed class RequestStorageWrites
{
    private static readonly AsyncLocal<RequestStorageWrites?> s_current = new();

    private readonly Lock _gate = new();
    private int _inFlight;
    private bool _anySent;
    private bool _closed;
    private int _tableCalls;
    private int _blobCalls;
    private int _queueCalls;

    private RequestStorageWrites()
    {
    }

    /// <summary>The writes of the request this code runs for; null outside one (timers, queue workers, blob drops).</summary>
    public static RequestStorageWrites? Current => s_current.Value;

    /// <summary>True once a table write was sent: its outcome may be stored, whatever the request answers.</summary>
    public bool AnySent
    {
        get
        {
            lock (_gate)
            {
                return _anySent;
            }
        }
    }

    /// <summary>
    /// The storage calls the request has made so far, by service: one per SDK call (a transaction is one, a query one per
    /// page); transport retries are not calls of their own (they show in the <c>storage.retries</c> counter).
    /// </summary>
    public (int Table, int Blob, int Queue) Calls
    {
        get
        {
            lock (_gate)
            {
                return (_tableCalls, _blobCalls, _queueCalls);
            }
        }
    }

    /// <summary>
    /// Starts tracking for the calling request. Call it from the async method whose callees do the storage work: the
    /// value flows into them and is gone when that method returns.
    /// </summary>
    public static RequestStorageWrites Begin()
    {
        var writes = new RequestStorageWrites();
        s_current.Value = writes;
        return writes;
    }

    /// <summary>
    /// The request's storage time is up: from now on no storage call of the request may start. Returns true when no
    /// table write is on the wire, so the request's token may be cancelled now; false when one is, which is then left
    /// to finish and be read (the caller's own hard limit still applies).
    /// </summary>
    public bool Close()
    {
        lock (_gate)
        {
            _closed = true;
            return _inFlight == 0;
        }
    }

    /// <summary>False when the request's storage time is up: the call must not be sent.</summary>
    internal bool TryStart(StorageService service, bool isWrite)
    {
        lock (_gate)
        {
            if (_closed)
            {
                return false;
            }

            _ = service switch
            {
                StorageService.Table => ++_tableCalls,
                StorageService.Blob => ++_blobCalls,
                _ => ++_queueCalls,
            };

            if (isWrite)
            {
                _inFlight++;
                _anySent = true;
            }

            return true;
        }
    }

    internal void End()
    {
        lock (_gate)
        {
            _inFlight--;
        }
    }
}

/// <summary>
/// Added per call to the storage clients: counts each call of the current request by service. Once the request's storage
/// time is up (<see cref="RequestStorageWrites.Close"/>) no call is sent any more; on the tables client each write (any method but GET and HEAD), its retries included, is
/// recorded from before it is sent until its answer or failure is in, so that it is never cut off.
/// </summary>
public sealed class WriteTrackingPolicy(StorageService service) : HttpPipelinePolicy
{
    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ArgumentNullException.ThrowIfNull(message);
        var writes = Start(message);
        try
        {
            ProcessNext(message, pipeline);
        }
        finally
        {
            writes?.End();
        }
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ArgumentNullException.ThrowIfNull(message);
        var writes = Start(message);
        try
        {
            await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
        }
        finally
        {
            writes?.End();
        }
    }

    /// <summary>The request's writes once this write is counted in them; null for a call that is not a tracked write.</summary>
    private RequestStorageWrites? Start(HttpMessage message)
    {
        if (RequestStorageWrites.Current is not { } writes)
        {
            return null;
        }

        var isWrite = service == StorageService.Table && message.Request.Method != RequestMethod.Get && message.Request.Method != RequestMethod.Head;
        if (!writes.TryStart(service, isWrite))
        {
            // Nothing has left for this call: the request's budget ended first, and the caller answers as for any
            // cancelled storage call.
            throw new OperationCanceledException("The request's storage budget ended before this call was sent.");
        }

        return isWrite ? writes : null;
    }
}
