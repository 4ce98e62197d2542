using Microsoft.Extensions.Options;
using ReportPipeline.Application.Ingestion;
using ReportPipeline.Application.Options;
using ReportPipeline.Excel;

namespace ReportPipeline.Application.Http;

/// <summary>
/// Bytes that uploads being read and parsed hold on this instance, bounded by <c>Pipeline__MaxUploadBytesInFlight</c>.
/// A request reserves what its body will take before reading it, and what parsing will take once the body is known;
/// above the bound it is refused (503 with Retry-After) rather than queued, so memory never exceeds the bound. Files dropped
/// into the inbox are admitted by the same two steps (<see cref="UploadDeferredException"/> when they do not fit now).
/// </summary>
public sealed class UploadBudget(IOptions<PipelineOptions> options)
{
    private readonly long _maxInflated = options.Value.MaxInflatedBytes;

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

    /// <summary>
    /// What an upload holds while it is parsed: its bytes, plus a workbook's declared inflated size (capped where the
    /// reader refuses it) times what EPPlus holds, or for text formats about their own size again as strings.
    /// </summary>
    public long WhileParsing(UploadFormat format, byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        return content.Length + (format == UploadFormat.Workbook
            ? PipelineOptions.WorkbookMemoryFactor * Math.Min(FormWorkbookReader.DeclaredUncompressedSize(content) ?? 0, _maxInflated)
            : 2L * content.Length);
    }

    /// <summary>The refusal of a dropped file that needs <paramref name="bytes"/> now: it stays for a later pass.</summary>
    public UploadDeferredException Defer(string blobName, long bytes) => new(blobName, bytes, InFlight, Capacity);

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

        /// <summary>Grows the lease from the body to what parsing it will hold (<see cref="WhileParsing"/>); false when that does not fit.</summary>
        public bool TryAdmitParsing(UploadFormat format, byte[] content) => TryResize(_budget.WhileParsing(format, content));

        public void Dispose()
        {
            _budget.Release(_bytes);
            _bytes = 0;
        }
    }
}

/// <summary>
/// A dropped file that does not fit the upload memory budget now. It is left where it is, neither ingested nor set aside:
/// the local host's poller meets it on its next pass, and in Azure the failed trigger makes Event Grid redeliver the event.
/// </summary>
public sealed class UploadDeferredException(string blobName, long bytes, long inFlight, long capacity)
    : Exception($"Dropped file {blobName} needs {bytes} bytes of upload memory; {inFlight} of {capacity} are in use. It stays for a later pass.")
{
    public string BlobName { get; } = blobName;
}
