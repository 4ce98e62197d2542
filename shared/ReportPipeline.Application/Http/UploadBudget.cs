using Microsoft.Extensions.Options;
using ReportPipeline.Application.Options;

namespace ReportPipeline.Application.Http;

/// <summary>
/// Bytes that uploads being read and parsed hold on this instance, bounded by <c>Pipeline__MaxUploadBytesInFlight</c>.
/// A request reserves what its body will take before reading it, and what parsing will take once the body is known;
/// above the bound it is refused (503 with Retry-After) rather than queued, so memory never exceeds the bound.
/// </summary>
public sealed class UploadBudget(IOptions<PipelineOptions> options)
{
    private readonly Lock _gate = new();
    private long _inFlight;

    public long Capacity { get; } = options.Value.MaxUploadBytesInFlight;

    public long InFlight
    {
        get
        {
            lock (_gate)
            {
                return _inFlight;
            }
        }
    }

    /// <summary>A lease on <paramref name="bytes"/>, or null when they do not fit now.</summary>
    public Lease? TryReserve(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        return TryAdd(bytes) ? new Lease(this, bytes) : null;
    }

    private bool TryAdd(long bytes)
    {
        lock (_gate)
        {
            if (bytes > 0 && _inFlight + bytes > Capacity)
            {
                return false;
            }

            _inFlight += bytes;
            return true;
        }
    }

    private void Release(long bytes)
    {
        lock (_gate)
        {
            _inFlight -= bytes;
        }
    }

    public sealed class Lease : IDisposable
    {
        private readonly UploadBudget _budget;
        private long _bytes;

        internal Lease(UploadBudget budget, long bytes)
        {
            _budget = budget;
            _bytes = bytes;
        }

        /// <summary>Changes the lease to <paramref name="bytes"/>; false (and unchanged) when a larger amount does not fit.</summary>
        public bool TryResize(long bytes)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(bytes);
            var delta = bytes - _bytes;
            if (delta > 0 && !_budget.TryAdd(delta))
            {
                return false;
            }

            if (delta < 0)
            {
                _budget.Release(-delta);
            }

            _bytes = bytes;
            return true;
        }

        public void Dispose()
        {
            _budget.Release(_bytes);
            _bytes = 0;
        }
    }
}
