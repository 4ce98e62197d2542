using Azure.Identity;
using Microsoft.Extensions.Configuration;
using ReportPipeline.Storage.Configuration;

namespace ReportPipeline.Storage.Tests.Configuration;

public sealed class ReportStorageSettingsTests
{
    private static IConfiguration Settings(params (string Key, string Value)[] values)
        => new ConfigurationBuilder().AddInMemoryCollection(values.ToDictionary(v => v.Key, v => (string?)v.Value)).Build();

    [Fact]
    public void A_connection_string_in_ReportStorage_is_used_as_is()
    {
        var settings = ReportStorageSettings.Read(Settings(("ReportStorage", " UseDevelopmentStorage=true ")));

        Assert.True(settings.UsesConnectionString);
        Assert.Equal("UseDevelopmentStorage=true", settings.ConnectionString);
        Assert.Null(settings.TableServiceUri);
    }

    [Fact]
    public void A_connection_string_is_preferred_over_service_uris()
    {
        var configuration = Settings(
            ("ReportStorage", "UseDevelopmentStorage=true"),
            ("ReportStorage:tableServiceUri", "https://rpstore.table.core.windows.net"));

        Assert.True(ReportStorageSettings.Read(configuration).UsesConnectionString);
    }

    [Fact]
    public void Identity_based_settings_as_the_Functions_host_reads_them_use_that_managed_identity()
    {
        // Environment variables ReportStorage__blobServiceUri … arrive as ReportStorage:blobServiceUri.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ReportStorage:blobServiceUri"] = "https://rpstore.blob.core.windows.net",
            ["ReportStorage:tableServiceUri"] = "https://rpstore.table.core.windows.net",
            ["ReportStorage:queueServiceUri"] = "https://rpstore.queue.core.windows.net",
            ["ReportStorage:credential"] = "managedidentity",
            ["ReportStorage:clientId"] = "00000000-0000-0000-0000-000000000001",
        }).Build();

        var settings = ReportStorageSettings.Read(configuration);

        Assert.False(settings.UsesConnectionString);
        Assert.Equal(new Uri("https://rpstore.blob.core.windows.net"), settings.BlobServiceUri);
        Assert.Equal(new Uri("https://rpstore.table.core.windows.net"), settings.TableServiceUri);
        Assert.Equal(new Uri("https://rpstore.queue.core.windows.net"), settings.QueueServiceUri);
        Assert.Equal("00000000-0000-0000-0000-000000000001", settings.ClientId);
        Assert.IsType<ManagedIdentityCredential>(settings.CreateCredential());
    }

    [Fact]
    public void The_older_serviceUri_setting_names_the_blob_endpoint()
    {
        var settings = ReportStorageSettings.Read(Settings(
            ("ReportStorage:serviceUri", "https://rpstore.blob.core.windows.net"),
            ("ReportStorage:tableServiceUri", "https://rpstore.table.core.windows.net"),
            ("ReportStorage:queueServiceUri", "https://rpstore.queue.core.windows.net")));

        Assert.Equal(new Uri("https://rpstore.blob.core.windows.net"), settings.BlobServiceUri);
    }

    [Fact]
    public void Service_uris_without_a_credential_kind_use_the_default_chain()
    {
        var settings = ReportStorageSettings.Read(Settings(
            ("ReportStorage:blobServiceUri", "https://rpstore.blob.core.windows.net"),
            ("ReportStorage:tableServiceUri", "https://rpstore.table.core.windows.net"),
            ("ReportStorage:queueServiceUri", "https://rpstore.queue.core.windows.net")));

        Assert.IsType<DefaultAzureCredential>(settings.CreateCredential());
    }

    [Fact]
    public void A_missing_service_uri_is_named_in_the_error()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => ReportStorageSettings.Read(Settings(
            ("ReportStorage:blobServiceUri", "https://rpstore.blob.core.windows.net"),
            ("ReportStorage:credential", "managedidentity"))));

        Assert.Contains("ReportStorage__tableServiceUri", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ReportStorage__queueServiceUri", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("ReportStorage__blobServiceUri", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ReportStorage:tableServiceUri", "not a uri", "ReportStorage__tableServiceUri")]
    [InlineData("ReportStorage:credential", "clientsecret", "ReportStorage__credential")]
    public void An_unusable_setting_is_refused_by_name(string key, string value, string named)
    {
        var values = new Dictionary<string, string?>
        {
            ["ReportStorage:blobServiceUri"] = "https://rpstore.blob.core.windows.net",
            ["ReportStorage:tableServiceUri"] = "https://rpstore.table.core.windows.net",
            ["ReportStorage:queueServiceUri"] = "https://rpstore.queue.core.windows.net",
            [key] = value,
        };

        var ex = Assert.Throws<InvalidOperationException>(() => ReportStorageSettings.Read(new ConfigurationBuilder().AddInMemoryCollection(values).Build()));

        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_configured_is_reported_as_not_configured()
    {
        var empty = Settings();

        Assert.False(ReportStorageSettings.IsConfigured(empty));
        Assert.True(ReportStorageSettings.IsConfigured(Settings(("ReportStorage:tableServiceUri", "https://x.table.core.windows.net"))));
        Assert.Throws<InvalidOperationException>(() => ReportStorageSettings.Read(empty));
    }
}
