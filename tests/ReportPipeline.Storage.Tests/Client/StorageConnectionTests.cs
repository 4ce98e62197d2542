using Azure.Identity;
using Microsoft.Extensions.Configuration;
using ReportPipeline.Storage.Client;

namespace ReportPipeline.Storage.Tests.Client;

public sealed class StorageConnectionTests
{
    [Fact]
    public void Development_storage_points_at_the_default_azurite_ports()
    {
        var connection = StorageConnection.Parse("UseDevelopmentStorage=true");

        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1"), connection.BlobEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:10002/devstoreaccount1"), connection.TableEndpoint);
        Assert.Equal("devstoreaccount1", connection.AccountName);
    }

    [Fact]
    public void An_account_connection_string_builds_endpoints_from_the_suffix()
    {
        var connection = StorageConnection.Parse("DefaultEndpointsProtocol=https;AccountName=rpstore;AccountKey=a2V5a2V5a2V5;EndpointSuffix=core.chinacloudapi.cn");

        Assert.Equal(new Uri("https://rpstore.blob.core.chinacloudapi.cn"), connection.BlobEndpoint);
        Assert.Equal(new Uri("https://rpstore.table.core.chinacloudapi.cn"), connection.TableEndpoint);
        Assert.Equal(new Uri("https://rpstore.queue.core.chinacloudapi.cn"), connection.QueueEndpoint);
    }

    [Fact]
    public void Explicit_endpoints_win_over_the_account_name()
    {
        var connection = StorageConnection.Parse("AccountName=devstoreaccount1;AccountKey=a2V5;TableEndpoint=http://127.0.0.1:5555/devstoreaccount1;");

        Assert.Equal(new Uri("http://127.0.0.1:5555/devstoreaccount1"), connection.TableEndpoint);
    }

    [Fact]
    public void A_connection_string_without_a_key_is_refused_with_a_readable_message()
    {
        var ex = Assert.Throws<FormatException>(() => StorageConnection.Parse("AccountName=x;EndpointSuffix=core.windows.net"));

        Assert.Contains("AccountKey", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Identity_based_settings_use_a_managed_identity_with_the_client_id()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ReportStorage:blobServiceUri"] = "https://rpstore.blob.core.windows.net",
            ["ReportStorage:tableServiceUri"] = "https://rpstore.table.core.windows.net",
            ["ReportStorage:credential"] = "managedidentity",
            ["ReportStorage:clientId"] = "00000000-0000-0000-0000-000000000001",
        }).Build();

        var connection = StorageConnection.FromConfiguration(configuration);

        Assert.IsType<ManagedIdentityCredential>(connection.TokenCredential);
        Assert.Null(connection.SharedKey);
        Assert.Equal(new Uri("https://rpstore.table.core.windows.net"), connection.TableEndpoint);
    }

    [Fact]
    public void Identity_based_settings_without_a_credential_kind_use_the_default_chain()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ReportStorage:tableServiceUri"] = "https://rpstore.table.core.windows.net",
        }).Build();

        Assert.IsType<DefaultAzureCredential>(StorageConnection.FromConfiguration(configuration).TokenCredential);
    }

    [Fact]
    public void A_connection_string_setting_is_preferred()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ReportStorage"] = "UseDevelopmentStorage=true",
        }).Build();

        Assert.NotNull(StorageConnection.FromConfiguration(configuration).SharedKey);
    }
}
