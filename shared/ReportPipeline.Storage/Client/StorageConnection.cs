using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;

namespace ReportPipeline.Storage.Client;

/// <summary>
/// Where the storage account is and how to authenticate: a connection string (shared key) or service URIs with a
/// <see cref="TokenCredential"/>. Creates the table and blob clients; the one place to swap for the official SDKs.
/// </summary>
public sealed class StorageConnection
{
    /// <summary>Azurite's well-known development account.</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";

    /// <summary>Azurite's well-known development key (public, documented; not a secret).</summary>
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public const string DefaultConnectionName = "ReportStorage";

    private StorageConnection(Uri? blob, Uri? table, Uri? queue, StorageSharedKeyCredential? sharedKey, TokenCredential? tokenCredential)
    {
        BlobEndpoint = blob;
        TableEndpoint = table;
        QueueEndpoint = queue;
        SharedKey = sharedKey;
        TokenCredential = tokenCredential;
    }

    public Uri? BlobEndpoint { get; }
    public Uri? TableEndpoint { get; }
    public Uri? QueueEndpoint { get; }
    public StorageSharedKeyCredential? SharedKey { get; }
    public TokenCredential? TokenCredential { get; }

    public string? AccountName => SharedKey?.AccountName;

    public static StorageConnection FromServiceUris(Uri? blobServiceUri, Uri? tableServiceUri, Uri? queueServiceUri, TokenCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return new StorageConnection(blobServiceUri, tableServiceUri, queueServiceUri, null, credential);
    }

    /// <summary>Parses an Azure Storage connection string, including <c>UseDevelopmentStorage=true</c> and explicit endpoints.</summary>
    public static StorageConnection Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var segment in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var index = segment.IndexOf('=', StringComparison.Ordinal);
            if (index <= 0)
            {
                throw new FormatException($"存储连接字符串格式不正确：“{segment}”缺少“=”。");
            }
            // Keys end in '=' padding, so only the first '=' separates name and value.
            parts[segment[..index].Trim()] = segment[(index + 1)..].Trim();
        }

        if (parts.TryGetValue("UseDevelopmentStorage", out var dev) && bool.TryParse(dev, out var useDev) && useDev)
        {
            var host = parts.TryGetValue("DevelopmentStorageProxyUri", out var proxy) ? new Uri(proxy).Host : "127.0.0.1";
            return new StorageConnection(
                new Uri($"http://{host}:10000/{DevelopmentAccountName}"),
                new Uri($"http://{host}:10002/{DevelopmentAccountName}"),
                new Uri($"http://{host}:10001/{DevelopmentAccountName}"),
                new StorageSharedKeyCredential(DevelopmentAccountName, DevelopmentAccountKey),
                null);
        }

        parts.TryGetValue("AccountName", out var account);
        parts.TryGetValue("AccountKey", out var key);
        var protocol = parts.TryGetValue("DefaultEndpointsProtocol", out var p) ? p : "https";
        var suffix = parts.TryGetValue("EndpointSuffix", out var s) ? s : "core.windows.net";
        Uri? Endpoint(string explicitName, string service) =>
            parts.TryGetValue(explicitName, out var value) && value.Length > 0
                ? new Uri(value)
                : account is null ? null : new Uri($"{protocol}://{account}.{service}.{suffix}");

        var blob = Endpoint("BlobEndpoint", "blob");
        var table = Endpoint("TableEndpoint", "table");
        var queue = Endpoint("QueueEndpoint", "queue");
        if (blob is null && table is null)
        {
            throw new FormatException("存储连接字符串缺少 AccountName 或 BlobEndpoint/TableEndpoint。");
        }
        if (key is null || account is null)
        {
            throw new FormatException("存储连接字符串缺少 AccountName/AccountKey；生产环境请改用托管标识（ReportStorage__tableServiceUri 等）。");
        }
        return new StorageConnection(blob, table, queue, new StorageSharedKeyCredential(account, key), null);
    }

    /// <summary>
    /// Reads the Functions identity-based connection convention for <paramref name="name"/>: a connection string in
    /// <c>{name}</c>, or <c>{name}:blobServiceUri</c>/<c>tableServiceUri</c>/<c>queueServiceUri</c> (or <c>serviceUri</c> for blob)
    /// with <c>{name}:credential = managedidentity</c> and <c>{name}:clientId</c>.
    /// </summary>
    public static StorageConnection FromConfiguration(IConfiguration configuration, string name = DefaultConnectionName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connectionString = configuration[name];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return Parse(connectionString);
        }
        var section = configuration.GetSection(name);
        Uri? Read(string key) => string.IsNullOrWhiteSpace(section[key]) ? null : new Uri(section[key]!);
        var blob = Read("blobServiceUri") ?? Read("serviceUri");
        var table = Read("tableServiceUri");
        var queue = Read("queueServiceUri");
        if (blob is null && table is null)
        {
            throw new InvalidOperationException(
                $"未配置存储连接：请设置 {name}（连接字符串）或 {name}__blobServiceUri 与 {name}__tableServiceUri。 Storage connection '{name}' is not configured.");
        }
        var clientId = section["clientId"];
        TokenCredential credential = string.Equals(section["credential"], "managedidentity", StringComparison.OrdinalIgnoreCase)
            ? string.IsNullOrWhiteSpace(clientId)
                ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = string.IsNullOrWhiteSpace(clientId) ? null : clientId });
        return FromServiceUris(blob, table, queue, credential);
    }

    /// <summary>The connection string with explicit endpoints; only for shared-key connections.</summary>
    public string ToConnectionString()
    {
        if (SharedKey is null)
        {
            throw new InvalidOperationException("Only shared-key connections have a connection string.");
        }
        var parts = new List<string> { "DefaultEndpointsProtocol=http", $"AccountName={SharedKey.AccountName}", $"AccountKey={DevelopmentKeyOrHidden()}" };
        if (BlobEndpoint is not null) parts.Add($"BlobEndpoint={BlobEndpoint}");
        if (TableEndpoint is not null) parts.Add($"TableEndpoint={TableEndpoint}");
        if (QueueEndpoint is not null) parts.Add($"QueueEndpoint={QueueEndpoint}");
        return string.Join(';', parts) + ";";
    }

    private string DevelopmentKeyOrHidden() => SharedKey?.AccountName == DevelopmentAccountName ? DevelopmentAccountKey : "***";

    public TableServiceClient CreateTableServiceClient(StorageClientOptions? options = null)
        => new(TableEndpoint ?? throw new InvalidOperationException("未配置表存储终结点（tableServiceUri）。"), this, options);

    public BlobServiceClient CreateBlobServiceClient(StorageClientOptions? options = null)
        => new(BlobEndpoint ?? throw new InvalidOperationException("未配置 Blob 存储终结点（blobServiceUri）。"), this, options);
}
