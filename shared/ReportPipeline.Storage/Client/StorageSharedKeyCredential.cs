namespace ReportPipeline.Storage.Client;

/// <summary>An account name and its base64 key, for SharedKey signing (connection strings and Azurite).</summary>
public sealed class StorageSharedKeyCredential
{
    private readonly byte[] _key;

    public StorageSharedKeyCredential(string accountName, string accountKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountName);
        ArgumentException.ThrowIfNullOrWhiteSpace(accountKey);
        AccountName = accountName;
        _key = Convert.FromBase64String(accountKey);
    }

    public string AccountName { get; }

    internal string Sign(string stringToSign)
    {
        using var hmac = new System.Security.Cryptography.HMACSHA256(_key);
        return Convert.ToBase64String(hmac.ComputeHash(System.Text.Encoding.UTF8.GetBytes(stringToSign)));
    }
}
