using Azure;
using Microsoft.Extensions.Logging;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Storage.Client;

namespace ReportPipeline.Storage.Stores;

/// <summary>
/// A lock per name as a lease on an empty blob in <c>leases</c>. The lease is renewed in the background while it is
/// held, so work longer than the 60-second lease limit keeps it; a crashed holder loses it when the lease runs out.
/// </summary>
public sealed class BlobLeaseLock(BlobContainerClient container, TimeProvider timeProvider, ILogger<BlobLeaseLock> logger) : IDistributedLock
{
    public async Task<IAsyncDisposable?> TryAcquireAsync(string name, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var blob = "lock/" + name.Replace('\\', '/');
        var lease = TimeSpan.FromSeconds(Math.Clamp(Math.Round(duration.TotalSeconds), 15, 60));
        string leaseId;
        try
        {
            leaseId = await AcquireAsync(blob, lease, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            logger.LogDebug("Lock {Lock} is held by another instance", name);
            return null;
        }
        logger.LogDebug("Acquired lock {Lock} for {Seconds} s leases", name, lease.TotalSeconds);
        return new Handle(container, blob, leaseId, lease / 3, timeProvider, logger);
    }

    /// <summary>
    /// The lock blob exists after the first use, so the lease is tried first and the blob created only when it is
    /// missing: one round trip instead of two on every later build.
    /// </summary>
    private async Task<string> AcquireAsync(string blob, TimeSpan lease, CancellationToken cancellationToken)
    {
        try
        {
            return await container.AcquireLeaseAsync(blob, lease, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            await container.UploadAsync(blob, ReadOnlyMemory<byte>.Empty, new BlobUploadOptions { CreateOnly = true }, cancellationToken).ConfigureAwait(false);
            return await container.AcquireLeaseAsync(blob, lease, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class Handle : IAsyncDisposable
    {
        private readonly BlobContainerClient _container;
        private readonly string _blob;
        private readonly string _leaseId;
        private readonly ILogger _logger;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewal;
        private int _disposed;

        public Handle(BlobContainerClient container, string blob, string leaseId, TimeSpan renewEvery, TimeProvider timeProvider, ILogger logger)
        {
            _container = container;
            _blob = blob;
            _leaseId = leaseId;
            _logger = logger;
            _renewal = RenewAsync(renewEvery, timeProvider);
        }

        private async Task RenewAsync(TimeSpan every, TimeProvider timeProvider)
        {
            using var timer = new PeriodicTimer(every, timeProvider);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
                {
                    await _container.RenewLeaseAsync(_blob, _leaseId, _stop.Token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // Released by the holder.
            }
            catch (RequestFailedException ex)
            {
                // The lease was lost (e.g. broken by an operator); the holder's work is no longer protected.
                _logger.LogWarning(ex, "Could not renew lease on {Blob}", _blob);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }
            await _stop.CancelAsync().ConfigureAwait(false);
            await _renewal.ConfigureAwait(false);
            _stop.Dispose();
            try
            {
                await _container.ReleaseLeaseAsync(_blob, _leaseId).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Already expired or taken over: nothing left to release.
            }
        }
    }
}
