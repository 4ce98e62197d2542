using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReportPipeline.Domain.Ports;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Api.Tests;

public sealed record RecordedRejection(string Name, int ContentBytes, int ErrorsJsonBytes, IReadOnlyList<ValidationError> Errors);

/// <summary>
/// The real archive (Azurite), with each rejection also recorded: the size of its errors serialised as errors.json is
/// what the echo tests bound.
/// </summary>
public sealed class RecordingArchive(ISubmissionArchive inner, ConcurrentQueue<RecordedRejection> record) : ISubmissionArchive
{
    private static readonly JsonSerializerOptions ErrorJson = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.Create(UnicodeRanges.All),
        WriteIndented = true,
    };

    public static void Decorate(IServiceCollection services, ConcurrentQueue<RecordedRejection> record)
    {
        var real = services.Last(d => d.ServiceType == typeof(ISubmissionArchive));
        services.Remove(real);
        services.AddSingleton<ISubmissionArchive>(sp => new RecordingArchive(
            real.ImplementationFactory is { } factory ? (ISubmissionArchive)factory(sp)
            : real.ImplementationInstance is ISubmissionArchive instance ? instance
            : (ISubmissionArchive)ActivatorUtilities.CreateInstance(sp, real.ImplementationType!), record));
    }

    public Task<string> ArchiveAsync(ReadOnlyMemory<byte> content, string contentType, CancellationToken cancellationToken = default) =>
        inner.ArchiveAsync(content, contentType, cancellationToken);

    public async Task RejectAsync(string name, ReadOnlyMemory<byte> content, string contentType, IReadOnlyList<ValidationError> errors, CancellationToken cancellationToken = default)
    {
        await inner.RejectAsync(name, content, contentType, errors, cancellationToken);
        record.Enqueue(new RecordedRejection(name, content.Length, JsonSerializer.SerializeToUtf8Bytes(errors, ErrorJson).Length, errors));
    }
}

/// <summary>Log entries the host wrote, for tests that assert what was (not) logged as an error.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<(LogLevel Level, string Category, string Message)> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue((logLevel, category, formatter(state, exception) + (exception is null ? "" : " | " + exception.GetType().Name)));
    }
}
