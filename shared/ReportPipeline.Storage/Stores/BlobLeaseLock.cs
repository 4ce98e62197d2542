using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Storage.Stores;

/// <summary>
/// A lock per name as a lease (the SDK's <see cref="BlobLeaseClient"/>) on an empty blob in <c>leases</c>. The lease is renewed in the background while it is
/// held, so work longer than the 60-second lease limit keeps it; a crashed holder loses it when the lease runs out.
/// </summary>
public sealed class BlobLeaseLock(BlobContainerClient container, TimeProvider timeProvider, ILogger<BlobLeaseLock> logger) : IDistributedLock
{
    public async Task<IAsyncDisposable?> TryAcquireAsync(string name, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var blob = "lock/" + name.Replace('\\', '/');
        var lease = TimeSpan.FromSeconds(Math.Clamp(Math.Round(duration.TotalSeconds), 15, 60));
        BlobLeaseClient leaseClient;
        try
        {
            leaseClient = await AcquireAsync(container.GetBlobClient(blob), lease, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            logger.LogDebug("Lock {Lock} is held by another instance", name);
            return null;
        }
        logger.LogDebug("Acquired lock {Lock} for {Seconds} s leases", name, lease.TotalSeconds);
        return new Handle(leaseClient, blob, lease / 3, timeProvider, logger);
    }

    /// <summary>
    /// The lock blob exists after the first use, so the lease is tried first and the blob created only when it is
    /// missing: one round trip instead of two on every later build.
    /// </summary>
    private static async Task<BlobLeaseClient> AcquireAsync(BlobClient blob, TimeSpan lease, CancellationToken cancellationToken)
    {
        var leaseClient = blob.GetBlobLeaseClient();
        try
        {
            await leaseClient.AcquireAsync(lease, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (BlobErrors.IsNotFound(ex))
        {
            try
            {
                await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException created) when (BlobErrors.IsAlreadyExists(created))
            {
                // Another instance created it first; the lease decides who holds the lock.
            }
            await leaseClient.AcquireAsync(lease, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        return leaseClient;
    }

    private sealed class Handle : IAsyncDisposable
    {
        private readonly BlobLeaseClient _lease;
        private readonly string _blob;
        private readonly ILogger _logger;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _renewal;
        private int _disposed;

        public Handle(BlobLeaseClient lease, string blob, TimeSpan renewEvery, TimeProvider timeProvider, ILogger logger)
        {
            _lease = lease;
            _blob = blob;
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
                    await _lease.RenewAsync(cancellationToken: _stop.Token).ConfigureAwait(false);
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
                await _lease.ReleaseAsync().ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Already expired or taken over: nothing left to release.
            }
        }
    }
}
