namespace ReportPipeline.Domain.Ports;

/// <summary>A message taken from the consolidation queue, invisible to other consumers until its visibility timeout ends.</summary>
/// <param name="DequeueCount">How many times the message has been handed out, this time included.</param>
public sealed record QueuedMessage(string MessageId, string PopReceipt, string Body, long DequeueCount);

/// <summary>
/// The <c>consolidation</c> queue and its poison queue. In Azure the queue trigger consumes it; the local host's worker
/// receives, deletes and poisons through this port with the same rules (visibility timeout, maximum dequeue count).
/// </summary>
public interface IConsolidationQueue
{
    Task EnqueueAsync(IEnumerable<string> bodies, CancellationToken cancellationToken = default);

    /// <summary>One message that becomes visible to consumers only after <paramref name="delay"/> (the send's visibility timeout).</summary>
    Task EnqueueDelayedAsync(string body, TimeSpan delay, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="maxMessages"/> messages (1–32), hidden from other consumers for <paramref name="visibilityTimeout"/>.</summary>
    Task<IReadOnlyList<QueuedMessage>> ReceiveAsync(int maxMessages, TimeSpan visibilityTimeout, CancellationToken cancellationToken = default);

    /// <summary>Removes a handled message; a message whose pop receipt is no longer valid (redelivered elsewhere) is left alone.</summary>
    Task DeleteAsync(QueuedMessage message, CancellationToken cancellationToken = default);

    /// <summary>Copies the message to <c>consolidation-poison</c> and removes it from the work queue.</summary>
    Task MoveToPoisonAsync(QueuedMessage message, CancellationToken cancellationToken = default);

    /// <summary>Approximate number of messages waiting (for progress and tests).</summary>
    Task<int> CountAsync(bool poison = false, CancellationToken cancellationToken = default);
}
