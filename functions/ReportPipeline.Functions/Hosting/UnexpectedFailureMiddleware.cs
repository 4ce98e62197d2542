using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;
using ReportPipeline.Application.Http;

namespace ReportPipeline.Functions.Hosting;

/// <summary>
/// The worker's counterpart of the local host's exception handler: an exception escaping an HTTP function is logged and
/// answered with <see cref="UnexpectedFailure"/>'s problem+json, never with its text. Exceptions of other triggers
/// (blob, timer, queue) propagate, so the platform retries them and, for queues, moves them to the poison queue.
/// </summary>
public sealed partial class UnexpectedFailureMiddleware(ILogger<UnexpectedFailureMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            await next(context);
        }
        catch (Exception exception) when (context.GetHttpContext() is { Response.HasStarted: false } http)
        {
            LogUnexpectedFailure(exception, context.FunctionDefinition.Name, context.InvocationId);
            await UnexpectedFailure.TryWriteAsync(http, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Function {Function} failed unexpectedly (invocation {InvocationId})")]
    private partial void LogUnexpectedFailure(Exception exception, string function, string invocationId);
}
