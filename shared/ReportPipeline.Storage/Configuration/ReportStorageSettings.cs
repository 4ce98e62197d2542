using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;

namespace ReportPipeline.Storage.Configuration;

/// <summary>
/// The storage connection as the Functions storage extensions read it, so one setting serves the host's triggers and
/// our clients: a connection string in <c>ReportStorage</c> (Azurite, development), or
/// <c>ReportStorage__blobServiceUri</c> / <c>__tableServiceUri</c> / <c>__queueServiceUri</c> with
/// <c>__credential=managedidentity</c> and <c>__clientId</c> (Azure, no keys).
/// </summary>
public sealed record ReportStorageSettings
{
    public const string DefaultName = "ReportStorage";

    /// <summary>Azurite's well-known development account and key (public, documented; not a secret).</summary>
    public const string DevelopmentConnectionString = "UseDevelopmentStorage=true";

    public string? ConnectionString { get; init; }
    public Uri? BlobServiceUri { get; init; }
    public Uri? TableServiceUri { get; init; }
    public Uri? QueueServiceUri { get; init; }
    /// <summary><c>managedidentity</c>, or null for the default credential chain (developer sign-in, then managed identity).</summary>
    public string? Credential { get; init; }
    public string? ClientId { get; init; }

    public bool UsesConnectionString => ConnectionString is not null;

    /// <summary>Reads <paramref name="name"/> from configuration; throws with the setting names when nothing usable is there.</summary>
    public static ReportStorageSettings Read(IConfiguration configuration, string name = DefaultName)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var connectionString = configuration[name];
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            return new ReportStorageSettings { ConnectionString = connectionString.Trim() };
        }

        var section = configuration.GetSection(name);
        var settings = new ReportStorageSettings
        {
            // The blob extension also accepts the older `serviceUri` for blobs.
            BlobServiceUri = ReadUri(section, "blobServiceUri", name) ?? ReadUri(section, "serviceUri", name),
            TableServiceUri = ReadUri(section, "tableServiceUri", name),
            QueueServiceUri = ReadUri(section, "queueServiceUri", name),
            Credential = Blank(section["credential"]),
            ClientId = Blank(section["clientId"]),
        };
        var missing = new List<string>();
        if (settings.BlobServiceUri is null) missing.Add($"{name}__blobServiceUri");
        if (settings.TableServiceUri is null) missing.Add($"{name}__tableServiceUri");
        if (settings.QueueServiceUri is null) missing.Add($"{name}__queueServiceUri");
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"未配置存储连接：请设置 {name}（连接字符串），或同时设置 {string.Join("、", missing)}。 Storage connection '{name}' is incomplete.");
        }
        if (settings.Credential is { } kind && !string.Equals(kind, "managedidentity", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{name}__credential 只支持 managedidentity（当前为“{kind}”）。");
        }
        return settings;
    }

    /// <summary>
    /// <c>managedidentity</c>: that identity only (user-assigned when a client id is given), as the Functions host does;
    /// otherwise the default chain, so a developer signed in with the Azure CLI can point the local host at a real account.
    /// </summary>
    public TokenCredential CreateCredential()
    {
        if (string.Equals(Credential, "managedidentity", StringComparison.OrdinalIgnoreCase))
        {
            return ClientId is null
                ? new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned)
                : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(ClientId));
        }
        return new DefaultAzureCredential(new DefaultAzureCredentialOptions { ManagedIdentityClientId = ClientId });
    }

    /// <summary>True when <paramref name="configuration"/> has any form of the setting (the local host starts Azurite otherwise).</summary>
    public static bool IsConfigured(IConfiguration configuration, string name = DefaultName) =>
        !string.IsNullOrWhiteSpace(configuration[name]) || configuration.GetSection(name).GetChildren().Any();

    private static Uri? ReadUri(IConfigurationSection section, string key, string name)
    {
        var text = Blank(section[key]);
        if (text is null)
        {
            return null;
        }
        return Uri.TryCreate(text, UriKind.Absolute, out var uri)
            ? uri
            : throw new InvalidOperationException($"{name}__{key} 不是有效的绝对地址。");
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
