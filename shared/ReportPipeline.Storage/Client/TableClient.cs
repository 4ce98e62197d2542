using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;
using Azure.Core;

namespace ReportPipeline.Storage.Client;

/// <summary>One table: entity CRUD, queries with continuation, and entity group transactions.</summary>
public sealed partial class TableClient
{
    /// <summary>The service's limit of operations in one entity group transaction.</summary>
    public const int MaxTransactionActions = 100;

    /// <summary>The service's limit of the payload of one entity group transaction.</summary>
    public const int MaxTransactionBytes = 4 * 1024 * 1024;

    private const string JsonAccept = "application/json;odata=minimalmetadata";
    private static readonly RequestMethod Merge = new("MERGE");

    private readonly TableServiceClient _service;

    internal TableClient(TableServiceClient service, string name)
    {
        _service = service;
        Name = name;
    }

    public string Name { get; }

    public StorageDiagnostics Counters => _service.Counters;

    private StoragePipeline Pipeline => _service.Pipeline;

    /// <summary>Creates the table; true when it was created, false when it already existed.</summary>
    public async Task<bool> CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage("CreateTable", RequestMethod.Post, new Uri(_service.Endpoint + "/Tables"));
        message.Request.Headers.Add("Prefer", "return-no-content");
        SetJsonContent(message.Request, JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["TableName"] = Name }));
        var response = await Pipeline.SendAsync(message, cancellationToken, 201, 204, 409).ConfigureAwait(false);
        if (response.Status == 409 && ErrorCode(response) is not ("TableAlreadyExists" or null))
        {
            throw StoragePipeline.Failure(response);
        }
        return response.Status != 409;
    }

    /// <summary>Deletes the table; false when it did not exist.</summary>
    public async Task<bool> DeleteAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage("DeleteTable", RequestMethod.Delete, new Uri(_service.Endpoint + "/Tables('" + Uri.EscapeDataString(Name) + "')"));
        var response = await Pipeline.SendAsync(message, cancellationToken, 204, 404).ConfigureAwait(false);
        return response.Status == 204;
    }

    /// <summary>Inserts; throws <see cref="RequestFailedException"/> with status 409 when the entity exists.</summary>
    public async Task<Response> AddEntityAsync(TableEntity entity, CancellationToken cancellationToken = default)
    {
        ValidateKeys(entity);
        using var message = CreateMessage("AddEntity", RequestMethod.Post, new Uri(_service.Endpoint + "/" + Name));
        message.Request.Headers.Add("Prefer", "return-no-content");
        SetJsonContent(message.Request, TableJson.Serialize(entity));
        return await Pipeline.SendAsync(message, cancellationToken, 204, 201).ConfigureAwait(false);
    }

    /// <summary>Inserts or merges/replaces without a condition.</summary>
    public async Task<Response> UpsertEntityAsync(TableEntity entity, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default)
    {
        ValidateKeys(entity);
        using var message = CreateMessage("UpsertEntity", mode == TableUpdateMode.Merge ? Merge : RequestMethod.Put, EntityUri(entity.PartitionKey, entity.RowKey));
        SetJsonContent(message.Request, TableJson.Serialize(entity));
        return await Pipeline.SendAsync(message, cancellationToken, 204).ConfigureAwait(false);
    }

    /// <summary>Updates an existing entity when its ETag still matches (412 otherwise); <see cref="ETag.All"/> for any.</summary>
    public async Task<Response> UpdateEntityAsync(TableEntity entity, ETag ifMatch, TableUpdateMode mode = TableUpdateMode.Merge, CancellationToken cancellationToken = default)
    {
        ValidateKeys(entity);
        using var message = CreateMessage("UpdateEntity", mode == TableUpdateMode.Merge ? Merge : RequestMethod.Put, EntityUri(entity.PartitionKey, entity.RowKey));
        message.Request.Headers.Add("If-Match", IfMatch(ifMatch));
        SetJsonContent(message.Request, TableJson.Serialize(entity));
        return await Pipeline.SendAsync(message, cancellationToken, 204).ConfigureAwait(false);
    }

    /// <summary>Deletes when the ETag matches (default: any). False when the entity did not exist.</summary>
    public async Task<bool> DeleteEntityAsync(string partitionKey, string rowKey, ETag ifMatch = default, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage("DeleteEntity", RequestMethod.Delete, EntityUri(partitionKey, rowKey));
        message.Request.Headers.Add("If-Match", IfMatch(ifMatch));
        var response = await Pipeline.SendAsync(message, cancellationToken, 204, 404).ConfigureAwait(false);
        return response.Status == 204;
    }

    /// <summary>Reads one entity; throws with status 404 when it does not exist.</summary>
    public async Task<Response<TableEntity>> GetEntityAsync(string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        var uri = EntityUri(partitionKey, rowKey).AbsoluteUri;
        if (select is not null)
        {
            uri += "?$select=" + Uri.EscapeDataString(string.Join(',', select));
        }
        using var message = CreateMessage("GetEntity", RequestMethod.Get, new Uri(uri));
        var response = await Pipeline.SendAsync(message, cancellationToken, 200).ConfigureAwait(false);
        using var json = JsonDocument.Parse(response.Content.ToMemory());
        response.Headers.TryGetValue("ETag", out var etag);
        return Response.FromValue(TableJson.Deserialize(json.RootElement, etag), response);
    }

    /// <summary>Reads one entity, or null when it does not exist.</summary>
    public async Task<TableEntity?> GetEntityIfExistsAsync(string partitionKey, string rowKey, CancellationToken cancellationToken = default)
    {
        using var message = CreateMessage("GetEntity", RequestMethod.Get, EntityUri(partitionKey, rowKey));
        var response = await Pipeline.SendAsync(message, cancellationToken, 200, 404).ConfigureAwait(false);
        if (response.Status == 404)
        {
            return null;
        }
        using var json = JsonDocument.Parse(response.Content.ToMemory());
        response.Headers.TryGetValue("ETag", out var etag);
        return TableJson.Deserialize(json.RootElement, etag);
    }

    /// <summary>
    /// Queries with an OData filter (build it with <see cref="TableFilter"/>), following the service's continuation
    /// headers page by page. <paramref name="maxPerPage"/> becomes <c>$top</c> (the service caps a page at 1,000).
    /// </summary>
    public AsyncPageable<TableEntity> QueryAsync(string? filter = null, int? maxPerPage = null, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        var selectText = select is null ? null : string.Join(',', select);
        return new ContinuationPageable<TableEntity>((token, pageSize, ct) => QueryPageAsync(filter, pageSize ?? maxPerPage, selectText, token, ct), cancellationToken);
    }

    private async Task<Page<TableEntity>> QueryPageAsync(string? filter, int? top, string? select, string? continuation, CancellationToken cancellationToken)
    {
        var query = new List<string>();
        if (!string.IsNullOrEmpty(filter)) query.Add("$filter=" + Uri.EscapeDataString(filter));
        if (top is > 0) query.Add("$top=" + Math.Min(top.Value, 1000).ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(select)) query.Add("$select=" + Uri.EscapeDataString(select));
        if (!string.IsNullOrEmpty(continuation))
        {
            var parts = continuation.Split(' ');
            query.Add("NextPartitionKey=" + Uri.EscapeDataString(parts[0]));
            if (parts.Length > 1 && parts[1].Length > 0) query.Add("NextRowKey=" + Uri.EscapeDataString(parts[1]));
        }
        var uri = _service.Endpoint + "/" + Name + "()" + (query.Count == 0 ? "" : "?" + string.Join('&', query));
        using var message = CreateMessage("QueryEntities", RequestMethod.Get, new Uri(uri));
        var response = await Pipeline.SendAsync(message, cancellationToken, 200).ConfigureAwait(false);
        using var json = JsonDocument.Parse(response.Content.ToMemory());
        var entities = json.RootElement.GetProperty("value").EnumerateArray().Select(e => TableJson.Deserialize(e)).ToList();
        string? next = null;
        if (response.Headers.TryGetValue("x-ms-continuation-NextPartitionKey", out var npk) && !string.IsNullOrEmpty(npk))
        {
            response.Headers.TryGetValue("x-ms-continuation-NextRowKey", out var nrk);
            next = npk + " " + nrk;
        }
        return Page<TableEntity>.FromValues(entities, next, response);
    }

    /// <summary>
    /// Runs an entity group transaction: at most 100 operations on one partition, all or nothing.
    /// A rejected transaction throws <see cref="RequestFailedException"/> whose message names the failing operation's index.
    /// </summary>
    public async Task<Response<IReadOnlyList<TableTransactionResult>>> SubmitTransactionAsync(IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actions);
        if (actions.Count == 0)
        {
            throw new ArgumentException("An entity group transaction needs at least one operation.", nameof(actions));
        }
        if (actions.Count > MaxTransactionActions)
        {
            throw new ArgumentException($"An entity group transaction holds at most {MaxTransactionActions} operations; {actions.Count} were given. Split it into several transactions.", nameof(actions));
        }
        var partition = actions[0].Entity.PartitionKey;
        if (actions.Any(a => !string.Equals(a.Entity.PartitionKey, partition, StringComparison.Ordinal)))
        {
            throw new ArgumentException("All operations of an entity group transaction must share one PartitionKey.", nameof(actions));
        }
        if (actions.GroupBy(a => a.Entity.RowKey, StringComparer.Ordinal).Any(g => g.Count() > 1))
        {
            throw new ArgumentException("An entity group transaction may touch each entity only once.", nameof(actions));
        }
        foreach (var action in actions)
        {
            ValidateKeys(action.Entity);
        }

        var batchBoundary = "batch_" + Guid.NewGuid().ToString("N");
        var changesetBoundary = "changeset_" + Guid.NewGuid().ToString("N");
        var body = BuildBatchBody(actions, batchBoundary, changesetBoundary);
        if (body.Length > MaxTransactionBytes)
        {
            throw new ArgumentException($"The entity group transaction is {body.Length} bytes; the service accepts at most {MaxTransactionBytes}.", nameof(actions));
        }

        using var message = CreateMessage("SubmitTransaction", RequestMethod.Post, new Uri(_service.Endpoint + "/$batch"));
        message.Request.Headers.Add("Content-Type", "multipart/mixed; boundary=" + batchBoundary);
        message.Request.Content = RequestContent.Create(body);
        var response = await Pipeline.SendAsync(message, cancellationToken, 202).ConfigureAwait(false);
        var parts = ParseBatchResponse(response.Content.ToString());
        var failed = parts.FindIndex(p => p.Status >= 300);
        if (failed >= 0)
        {
            var part = parts[failed];
            (var code, var text) = SafeParseError(part.Body);
            var index = failed;
            if (text is not null && FailedIndexPattern().Match(text) is { Success: true } match)
            {
                index = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            }
            else if (parts.Count == 1 && part.ContentId is int contentId)
            {
                index = contentId - 1;
            }
            throw new RequestFailedException(part.Status,
                $"Entity group transaction failed at operation {index} ({actions[Math.Clamp(index, 0, actions.Count - 1)].ActionType} RowKey '{actions[Math.Clamp(index, 0, actions.Count - 1)].Entity.RowKey}'): {part.Status} {code} {text}",
                code, null);
        }
        IReadOnlyList<TableTransactionResult> results = parts.Select(p => new TableTransactionResult(p.Status, p.ETag is null ? null : new ETag(p.ETag))).ToList();
        return Response.FromValue(results, response);
    }

    private byte[] BuildBatchBody(IReadOnlyList<TableTransactionAction> actions, string batchBoundary, string changesetBoundary)
    {
        var builder = new StringBuilder();
        builder.Append("--").Append(batchBoundary).Append("\r\n")
            .Append("Content-Type: multipart/mixed; boundary=").Append(changesetBoundary).Append("\r\n\r\n");
        var contentId = 1;
        foreach (var action in actions)
        {
            var entity = action.Entity;
            var (method, uri, ifMatch, hasBody) = action.ActionType switch
            {
                TableTransactionActionType.Add => ("POST", _service.Endpoint + "/" + Name, null, true),
                TableTransactionActionType.UpdateMerge => ("MERGE", EntityUri(entity.PartitionKey, entity.RowKey).AbsoluteUri, IfMatch(action.ETag), true),
                TableTransactionActionType.UpdateReplace => ("PUT", EntityUri(entity.PartitionKey, entity.RowKey).AbsoluteUri, IfMatch(action.ETag), true),
                TableTransactionActionType.UpsertMerge => ("MERGE", EntityUri(entity.PartitionKey, entity.RowKey).AbsoluteUri, null, true),
                TableTransactionActionType.UpsertReplace => ("PUT", EntityUri(entity.PartitionKey, entity.RowKey).AbsoluteUri, null, true),
                TableTransactionActionType.Delete => ("DELETE", EntityUri(entity.PartitionKey, entity.RowKey).AbsoluteUri, IfMatch(action.ETag), false),
                _ => throw new ArgumentOutOfRangeException(nameof(actions), action.ActionType, null),
            };
            builder.Append("--").Append(changesetBoundary).Append("\r\n")
                .Append("Content-Type: application/http\r\n")
                .Append("Content-Transfer-Encoding: binary\r\n")
                .Append("Content-ID: ").Append(contentId++.ToString(CultureInfo.InvariantCulture)).Append("\r\n\r\n")
                .Append(method).Append(' ').Append(uri).Append(" HTTP/1.1\r\n")
                .Append("Accept: ").Append(JsonAccept).Append("\r\n")
                .Append("DataServiceVersion: 3.0\r\n");
            if (ifMatch is not null)
            {
                builder.Append("If-Match: ").Append(ifMatch).Append("\r\n");
            }
            if (action.ActionType == TableTransactionActionType.Add)
            {
                builder.Append("Prefer: return-no-content\r\n");
            }
            if (hasBody)
            {
                builder.Append("Content-Type: application/json\r\n\r\n")
                    .Append(Encoding.UTF8.GetString(TableJson.Serialize(entity))).Append("\r\n");
            }
            else
            {
                builder.Append("\r\n");
            }
        }
        builder.Append("--").Append(changesetBoundary).Append("--\r\n")
            .Append("--").Append(batchBoundary).Append("--\r\n");
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    private sealed record BatchPart(int Status, string? ETag, int? ContentId, string Body);

    private static List<BatchPart> ParseBatchResponse(string body)
    {
        var parts = new List<BatchPart>();
        var index = 0;
        while ((index = body.IndexOf("HTTP/1.1 ", index, StringComparison.Ordinal)) >= 0)
        {
            var end = body.IndexOf("\r\n--", index, StringComparison.Ordinal);
            var part = end < 0 ? body[index..] : body[index..end];
            index = end < 0 ? body.Length : end;
            var headerEnd = part.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            var head = headerEnd < 0 ? part : part[..headerEnd];
            var partBody = headerEnd < 0 ? "" : part[(headerEnd + 4)..];
            var lines = head.Split("\r\n");
            var status = int.Parse(lines[0].AsSpan(9, 3), CultureInfo.InvariantCulture);
            string? etag = null;
            int? contentId = null;
            foreach (var line in lines.Skip(1))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0) continue;
                var name = line[..colon].Trim();
                var value = line[(colon + 1)..].Trim();
                if (name.Equals("ETag", StringComparison.OrdinalIgnoreCase)) etag = value;
                if (name.Equals("Content-ID", StringComparison.OrdinalIgnoreCase) && int.TryParse(value, CultureInfo.InvariantCulture, out var id)) contentId = id;
            }
            parts.Add(new BatchPart(status, etag, contentId, partBody));
        }
        return parts;
    }

    private static (string? Code, string? Message) SafeParseError(string body)
    {
        try
        {
            return StorageErrorParser.ParseBody(body.Trim());
        }
        catch (JsonException)
        {
            return (null, body.Trim());
        }
    }

    internal Uri EntityUri(string partitionKey, string rowKey)
        => new(_service.Endpoint + "/" + Name + "(PartitionKey='" + EscapeKey(partitionKey) + "',RowKey='" + EscapeKey(rowKey) + "')");

    private static string EscapeKey(string key) => Uri.EscapeDataString(key.Replace("'", "''", StringComparison.Ordinal));

    private static string IfMatch(ETag etag) => etag == default || etag == ETag.All ? "*" : etag.ToString();

    private HttpMessage CreateMessage(string operation, RequestMethod method, Uri uri)
    {
        var message = Pipeline.CreateMessage(operation, method, uri);
        message.Request.Headers.Add("Accept", JsonAccept);
        message.Request.Headers.Add("DataServiceVersion", "3.0");
        message.Request.Headers.Add("MaxDataServiceVersion", "3.0;NetFx");
        message.Request.Headers.Add("x-ms-version", Pipeline.Options.TableServiceVersion);
        return message;
    }

    private static void SetJsonContent(Request request, byte[] json)
    {
        request.Headers.Add("Content-Type", "application/json");
        request.Content = RequestContent.Create(json);
    }

    private static string? ErrorCode(Response response)
        => response.Headers.TryGetValue("x-ms-error-code", out var code) ? code : SafeParseError(response.Content.ToString()).Code;

    private static void ValidateKeys(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        if (!TableKey.IsValid(entity.PartitionKey) || !TableKey.IsValid(entity.RowKey))
        {
            throw new ArgumentException($"PartitionKey/RowKey must not contain / \\ # ? or control characters (use TableKey.Escape): '{entity.PartitionKey}' '{entity.RowKey}'.", nameof(entity));
        }
        if (entity.Count > TableEntity.MaxProperties)
        {
            throw new ArgumentException($"An entity holds at most {TableEntity.MaxProperties} properties; this one has {entity.Count}.", nameof(entity));
        }
    }

    [GeneratedRegex(@"^(\d+):")]
    private static partial Regex FailedIndexPattern();
}
