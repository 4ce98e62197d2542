using Azure;
using Azure.Storage.Queues;
using ReportPipeline.Domain.Ports;

namespace ReportPipeline.Storage.Stores;

/// <summary>
/// <see cref="IConsolidationQueue"/> on Azure Storage Queues. The clients come from the registered
/// <c>QueueServiceClient</c>, whose Base64 message encoding is what the Functions queue trigger reads, so messages sent
/// here are consumed unchanged by either host.
/// </summary>
public sealed class QueueConsolidationQueue(QueueClient workQueue, QueueClient poisonQueue) : IConsolidationQueue
{
    public async Task EnqueueAsync(IEnumerable<string> bodies, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(bodies);
        // One request per message (the service has no batch send); a few in flight keep a large plan quick.
        await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (body, ct) => await workQueue.SendMessageAsync(body, ct).ConfigureAwait(false)).ConfigureAwait(false);
    }

    public async Task EnqueueDelayedAsync(string body, TimeSpan delay, CancellationToken cancellationToken = default)
        => await workQueue.SendMessageAsync(body, visibilityTimeout: delay <= TimeSpan.Zero ? null : delay, timeToLive: null, cancellationToken).ConfigureAwait(false);

    public async Task<IReadOnlyList<QueuedMessage>> ReceiveAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default)
    {
        var received = await workQueue.ReceiveMessagesAsync(Math.Clamp(maxMessages, 1, 32), visibilityTimeout, cancellationToken).ConfigureAwait(false);
        return [.. received.Value.Select(m => new QueuedMessage(m.MessageId, m.PopReceipt, m.Body.ToString(), m.DequeueCount))];
    }

    public async Task DeleteAsync(QueuedMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        try
        {
            await workQueue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // The visibility timeout ran out and another consumer took (or deleted) it: its work is idempotent, nothing to undo.
        }
    }

    public async Task MoveToPoisonAsync(QueuedMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        await poisonQueue.SendMessageAsync(message.Body, cancellationToken).ConfigureAwait(false);
        await DeleteAsync(message, cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> CountAsync(bool poison = false, CancellationToken cancellationToken = default)
    {
        var properties = await (poison ? poisonQueue : workQueue).GetPropertiesAsync(cancellationToken).ConfigureAwait(false);
        return properties.Value.ApproximateMessagesCount;
    }
}
