using System.Text.Json;
using System.Xml.Linq;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace ReportPipeline.Storage.Client;

/// <summary>The Azure.Core pipeline one service client sends through, with its auth, counting and error mapping.</summary>
internal sealed class StoragePipeline
{
    private const string StorageScope = "https://storage.azure.com/.default";

    private StoragePipeline(HttpPipeline pipeline, StorageClientOptions options)
    {
        Pipeline = pipeline;
        Options = options;
    }

    public HttpPipeline Pipeline { get; }

    public StorageClientOptions Options { get; }

    public static StoragePipeline Create(StorageService service, StorageSharedKeyCredential? sharedKey, TokenCredential? tokenCredential, StorageClientOptions? options)
    {
        options ??= new StorageClientOptions();
        HttpPipelinePolicy auth = sharedKey is not null
            ? new SharedKeyPolicy(sharedKey, service, options.TimeProvider)
            : tokenCredential is not null
                ? new BearerTokenAuthenticationPolicy(tokenCredential, StorageScope)
                : throw new ArgumentException("需要存储账户密钥或令牌凭据。 A shared key or a token credential is required.");
        // Counting sits after the retry policy so that each attempt is one round trip; auth comes last so the date is fresh per attempt.
        var pipeline = HttpPipelineBuilder.Build(
            options,
            perCallPolicies: [],
            perRetryPolicies: [new StorageCountingPolicy(options.Counters, service), auth],
            responseClassifier: new ResponseClassifier());
        return new StoragePipeline(pipeline, options);
    }

    public HttpMessage CreateMessage(string operation, RequestMethod method, Uri uri)
    {
        var message = Pipeline.CreateMessage();
        message.SetProperty(StorageCountingPolicy.OperationProperty, operation);
        message.Request.Method = method;
        message.Request.Uri.Reset(uri);
        return message;
    }

    /// <summary>Sends and throws <see cref="RequestFailedException"/> unless the status is one of <paramref name="expected"/>.</summary>
    public async Task<Response> SendAsync(HttpMessage message, CancellationToken cancellationToken, params int[] expected)
    {
        await Pipeline.SendAsync(message, cancellationToken).ConfigureAwait(false);
        var response = message.Response;
        if (expected.Length == 0 ? response.IsError : Array.IndexOf(expected, response.Status) < 0)
        {
            throw Failure(response);
        }
        return response;
    }

    public static RequestFailedException Failure(Response response) => new(response, null, StorageErrorParser.Instance);
}

/// <summary>Reads the service's error code from <c>x-ms-error-code</c>, the XML error body (Blob) or the OData JSON body (Table).</summary>
internal sealed class StorageErrorParser : RequestFailedDetailsParser
{
    public static readonly StorageErrorParser Instance = new();

    public override bool TryParse(Response response, out ResponseError? error, out IDictionary<string, string>? data)
    {
        data = null;
        response.Headers.TryGetValue("x-ms-error-code", out var code);
        string? message = null;
        try
        {
            var body = response.Content?.ToString();
            if (!string.IsNullOrWhiteSpace(body))
            {
                (var bodyCode, message) = ParseBody(body.TrimStart('\uFEFF').Trim());
                code ??= bodyCode;
            }
        }
        catch (Exception ex) when (ex is JsonException or System.Xml.XmlException or InvalidOperationException)
        {
            // A body that is neither XML nor JSON leaves the header code as the only detail.
        }
        error = code is null && message is null ? null : new ResponseError(code, message ?? code);
        return error is not null;
    }

    internal static (string? Code, string? Message) ParseBody(string body)
    {
        if (body.StartsWith('<'))
        {
            var root = XDocument.Parse(body).Root;
            return (root?.Element("Code")?.Value, root?.Element("Message")?.Value);
        }
        if (body.StartsWith('{'))
        {
            using var json = JsonDocument.Parse(body);
            var rootElement = json.RootElement;
            if (rootElement.TryGetProperty("odata.error", out var odata) || rootElement.TryGetProperty("error", out odata))
            {
                var code = odata.TryGetProperty("code", out var c) ? c.GetString() : null;
                string? message = null;
                if (odata.TryGetProperty("message", out var m))
                {
                    message = m.ValueKind == JsonValueKind.Object && m.TryGetProperty("value", out var v) ? v.GetString() : m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                }
                return (code, message);
            }
        }
        return (null, null);
    }
}
