using System.Text.RegularExpressions;

namespace ReportPipeline.Storage.Client;

/// <summary>The Table service of one account. Creates <see cref="TableClient"/>s that share its pipeline and counters.</summary>
public sealed partial class TableServiceClient
{
    internal TableServiceClient(Uri endpoint, StorageConnection connection, StorageClientOptions? options)
    {
        Endpoint = new Uri(endpoint.AbsoluteUri.TrimEnd('/'));
        Pipeline = StoragePipeline.Create(StorageService.Table, connection.SharedKey, connection.TokenCredential, options);
    }

    public Uri Endpoint { get; }

    public StorageDiagnostics Counters => Pipeline.Options.Counters;

    internal StoragePipeline Pipeline { get; }

    public TableClient GetTableClient(string tableName)
    {
        ValidateTableName(tableName);
        return new TableClient(this, tableName);
    }

    internal static void ValidateTableName(string tableName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tableName);
        if (!TableNamePattern().IsMatch(tableName))
        {
            throw new ArgumentException($"表名“{tableName}”不合法：须为 3–63 个字母或数字，且以字母开头。", nameof(tableName));
        }
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,62}$")]
    private static partial Regex TableNamePattern();
}
