using System.Net.Sockets;
using Azure;

namespace ReportPipeline.Application.Http;

/// <summary>Whether an exception means "storage could not be reached or is failing", as opposed to a bug or bad input.</summary>
public static class StorageFailures
{
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        // Azure.Core throws status 0 when no response came (refused, reset, DNS), and 5xx/408/429 when the service failed.
        RequestFailedException failed => failed.Status is 0 or 408 or 429 or >= 500,
        // Once its retries are spent, Azure.Core throws every attempt's failure together.
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsUnavailable),
        HttpRequestException or SocketException or TimeoutException => true,
        _ => exception.InnerException is { } inner && IsUnavailable(inner),
    };
}
