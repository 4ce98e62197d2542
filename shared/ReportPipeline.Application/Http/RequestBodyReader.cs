using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReportPipeline.Application.Ingestion;
using ReportPipeline.Application.Options;
using ReportPipeline.Domain.Validation;

namespace ReportPipeline.Application.Http;

/// <summary>How reading a body ended.</summary>
public enum BodyEnd
{
    Complete,
    TooLarge,
    Stalled,
}

/// <summary>A body as read: complete with its bytes, or cut off (too large, stalled).</summary>
public readonly record struct BodyRead(BodyEnd End, byte[]? Content = null);

/// <summary>
/// A JSON body read and checked: its document (every name and string in it is text) and its bytes without a byte order
/// mark, or the problem that answers it. Dispose it to return the document's memory.
/// </summary>
public sealed class JsonBody : IDisposable
{
    private JsonBody(JsonDocument? document, ReadOnlyMemory<byte> bytes, IResult? problem)
    {
        Document = document;
        Bytes = bytes;
        Problem = problem;
    }

    public JsonDocument? Document { get; }

    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>The answer when the body is not JSON that can be read: 400, 408, 413 or 415, Chinese, nothing read.</summary>
    public IResult? Problem { get; }

    internal static JsonBody Refused(IResult problem) => new(null, default, problem);

    internal static JsonBody Read(JsonDocument document, ReadOnlyMemory<byte> bytes) => new(document, bytes, null);

    public void Dispose() => Document?.Dispose();
}

/// <summary>
/// The one reader of request bodies: submissions, approval steps, feedback and template checks all read through it, so a
/// stalled, oversized, hung-up or badly encoded body is answered the same way on every route, before anything is stored.
/// </summary>
public sealed class RequestBodyReader(TimeProvider time, IOptions<PipelineOptions> options, ILogger<RequestBodyReader> logger)
{
    private static readonly JsonDocumentOptions s_jsonOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>
    /// Reads the body up to <paramref name="limit"/> bytes. A client that sends nothing for
    /// <c>Pipeline__UploadIdleTimeoutSeconds</c> is answered 408 instead of holding the request, and the memory reserved
    /// for it, open.
    /// </summary>
    /// <remarks>
    /// The idle wait is ended with <see cref="PipeReader.CancelPendingRead"/>, never by cancelling the read with a token:
    /// a token-cancelled read leaves Kestrel's body reader in the middle of a read, and once the response is sent Kestrel
    /// cannot drain the rest of the body and logs an error ("the body reader is in an invalid state"). A cancelled pending
    /// read returns normally and is advanced like any other, so Kestrel can drain the body or close the connection as it
    /// does for any request that left its body unread. CancelPendingRead is part of the PipeReader contract rather than a
    /// server feature, so this holds under the Functions worker's ASP.NET Core integration (Kestrel there too, behind the
    /// host's proxy) and on any server whose BodyReader only adapts its Body stream.
    /// Kestrel's minimum request body data rate is not the idle timeout: it averages over the whole body, so a client
    /// that stalls after most of a large upload would hold it for hours. It still applies (240 B/s after a 5 s grace by
    /// default) and ends a body that is slow from its start with a BadHttpRequestException (408), which
    /// <see cref="ApiRoute"/> answers.
    /// </remarks>
    public async Task<BodyRead> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var idle = TimeSpan.FromSeconds(options.Value.UploadIdleTimeoutSeconds);
        var reader = request.BodyReader;
        using var buffer = new MemoryStream();
        await using var idleTimer = time.CreateTimer(static state => ((PipeReader)state!).CancelPendingRead(), reader, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        await using var onCancel = cancellationToken.Register(static state => ((PipeReader)state!).CancelPendingRead(), reader);
        var lastData = time.GetTimestamp();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Measured from the last data rather than trusted from the timer: a timer that fired just as data arrived
            // cancels the next read early, which then only waits out the rest.
            var wait = idle - time.GetElapsedTime(lastData);
            if (wait <= TimeSpan.Zero)
            {
                // The client's doing, answered 408 (Problems.RequestTimeout) by every route: information, never an error.
                logger.LogInformation("Body of {Method} {Path} sent nothing for {Seconds} s; answered 408", request.Method, request.Path.Value, options.Value.UploadIdleTimeoutSeconds);
                return new BodyRead(BodyEnd.Stalled);
            }

            // A client that hangs up mid-body (FIN or RST) ends this read with a BadHttpRequestException (unexpected end of
            // the body) or a connection reset; ApiRoute answers either as the client's doing.
            idleTimer.Change(wait, Timeout.InfiniteTimeSpan);
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(CancellationToken.None);
            }
            catch (Exception ex) when (ex is (IOException or OperationCanceledException) and not BadHttpRequestException)
            {
                // Not cancelled by us (the read takes no token): the connection itself ended under the read.
                throw new ConnectionGoneException(ex);
            }

            idleTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            var data = result.Buffer;
            try
            {
                if (buffer.Length + data.Length > limit)
                {
                    return new BodyRead(BodyEnd.TooLarge);
                }

                if (!data.IsEmpty)
                {
                    foreach (var segment in data)
                    {
                        buffer.Write(segment.Span);
                    }

                    lastData = time.GetTimestamp();
                }

                if (result.IsCompleted)
                {
                    return new BodyRead(BodyEnd.Complete, buffer.ToArray());
                }
            }
            finally
            {
                reader.AdvanceTo(data.End);
            }
        }
    }

    /// <summary>
    /// Reads a JSON body of at most <paramref name="limit"/> bytes and checks it before any handler sees it: 415 unless it
    /// is declared JSON in UTF-8, 413 above the limit, 408 when it stalls, 400 when it is empty, not JSON, or holds a
    /// name or string that is not text (a lone surrogate escape such as <c>"\ud800"</c>, or bytes that are not UTF-8,
    /// as a body in GB18030 has). System.Text.Json checks such text only when a string is read, so without this check a
    /// handler reading <c>reason</c> would throw (500); here every name and string is read once, and the problem names
    /// where the bad text is.
    /// </summary>
    public async Task<JsonBody> ReadJsonAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (UploadFormats.FromContentType(request.ContentType) != UploadFormat.Json)
        {
            return JsonBody.Refused(Problems.UnsupportedMediaType(request.ContentType, Problems.JsonOnly));
        }

        if (Charset(request.ContentType) is { } charset && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            return JsonBody.Refused(Problems.UnsupportedMediaType(request.ContentType,
                $"JSON 须以 UTF-8 编码提交，收到的编码为“{UserText.Excerpt(charset)}”：请改用 UTF-8（Content-Type: application/json; charset=utf-8）后重新提交。"));
        }

        if (request.ContentLength > limit)
        {
            return JsonBody.Refused(Problems.PayloadTooLarge(limit));
        }

        var read = await ReadAsync(request, limit, cancellationToken);
        switch (read.End)
        {
            case BodyEnd.Stalled:
                return JsonBody.Refused(Problems.RequestTimeout());
            case BodyEnd.TooLarge:
                return JsonBody.Refused(Problems.PayloadTooLarge(limit));
        }

        ReadOnlyMemory<byte> bytes = read.Content!;
        // Notepad and PowerShell 5 save UTF-8 with a byte order mark, which the JSON reader does not skip.
        if (bytes.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            bytes = bytes[3..];
        }

        if (bytes.Span.IndexOfAnyExcept(" \t\r\n"u8) < 0)
        {
            return JsonBody.Refused(Problems.BadRequest("请求体为空：请提交 JSON。", "empty-body"));
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, s_jsonOptions);
        }
        catch (JsonException ex)
        {
            // The reader's own message is English and may quote the body; the line is what the sender needs.
            return JsonBody.Refused(Problems.BadRequest($"请求体不是有效的 JSON（第 {(ex.LineNumber ?? 0) + 1} 行附近有语法错误）。", "malformed-json"));
        }

        if (JsonText.FindInvalid(document.RootElement, "") is { } where)
        {
            document.Dispose();
            return JsonBody.Refused(Problems.BadRequest(
                $"请求体中{(where.Length == 0 ? "" : $" {where} ")}含有无效字符（不成对的 \\uD800–\\uDFFF 转义或非 UTF-8 字节）：请以 UTF-8 编码重新提交，本次未保存任何数据。",
                "invalid-text"));
        }

        return JsonBody.Read(document, bytes);
    }

    private static string? Charset(string? contentType)
    {
        foreach (var parameter in (contentType ?? "").Split(';').Skip(1))
        {
            var pair = parameter.Split('=', 2);
            if (pair.Length == 2 && pair[0].Trim().Equals("charset", StringComparison.OrdinalIgnoreCase))
            {
                return pair[1].Trim().Trim('"');
            }
        }

        return null;
    }
}

/// <summary>Reading JSON names and strings that may not be text, without throwing.</summary>
public static class JsonText
{
    /// <summary>
    /// System.Text.Json checks escapes and UTF-8 only when a string is read: a lone surrogate escape or an invalid byte
    /// sequence throws there, not at parse time.
    /// </summary>
    public static bool TryRead(Func<string?> read, out string? text)
    {
        ArgumentNullException.ThrowIfNull(read);
        try
        {
            text = read();
            return true;
        }
        catch (InvalidOperationException)
        {
            text = null;
            return false;
        }
    }

    /// <summary>The path (<c>reason</c>, <c>ratings[0].comment</c>) of the first name or string that is not text; null when all are.</summary>
    public static string? FindInvalid(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return TryRead(element.GetString, out _) ? null : path;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FindInvalid(item, $"{path}[{index++}]") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Object:
                var position = 0;
                foreach (var property in element.EnumerateObject())
                {
                    position++;
                    if (!TryRead(() => property.Name, out var name))
                    {
                        return path.Length == 0 ? $"第 {position} 个键" : $"{path} 的第 {position} 个键";
                    }

                    var child = path.Length == 0 ? UserText.Excerpt(name!) : $"{path}.{UserText.Excerpt(name!)}";
                    if (FindInvalid(property.Value, child) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }
}

/// <summary>
/// The request's connection ended while its body was being read: the client reset or closed it, or the server aborted it
/// (at shutdown). Whatever Kestrel reported first — a reset, an abort, or the request's abort token — it is this, so
/// <see cref="ApiRoute"/> answers it as nobody's failure rather than as storage trouble or a bug.
/// </summary>
public sealed class ConnectionGoneException(Exception inner) : IOException("The request's connection ended while its body was read.", inner);
