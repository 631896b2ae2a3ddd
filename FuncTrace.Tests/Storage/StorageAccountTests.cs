using Azure.Identity;
using FuncTrace.Domain.Storage;

namespace FuncTrace.Tests.Storage;

public sealed class StorageAccountTests
{
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private static Func<string, string?> Settings(params (string Name, string Value)[] settings)
    {
        var map = settings.ToDictionary(s => s.Name, s => s.Value);
        return name => map.GetValueOrDefault(name);
    }

    [Fact]
    public void A_connection_string_with_explicit_endpoints_uses_them_and_the_shared_key()
    {
        var account = StorageAccount.Parse(
            $"DefaultEndpointsProtocol=http;AccountName=acct;AccountKey={Key};BlobEndpoint=http://127.0.0.1:1/acct;QueueEndpoint=http://127.0.0.1:2/acct;TableEndpoint=http://127.0.0.1:3/acct;");

        Assert.Equal(new Uri("http://127.0.0.1:1/acct/"), account.BlobEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:2/acct/"), account.QueueEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:3/acct/"), account.TableEndpoint);
        Assert.Equal("acct", account.Credential.AccountName);
        Assert.Equal(Convert.FromBase64String(Key), account.Credential.AccountKey);
        Assert.Null(account.Credential.Token);
    }

    [Fact]
    public void A_connection_string_with_account_name_key_and_suffix_builds_the_public_endpoints()
    {
        var account = StorageAccount.Parse($"DefaultEndpointsProtocol=https;AccountName=acct;AccountKey={Key};EndpointSuffix=core.chinacloudapi.cn");

        Assert.Equal(new Uri("https://acct.blob.core.chinacloudapi.cn/"), account.BlobEndpoint);
        Assert.Equal(new Uri("https://acct.queue.core.chinacloudapi.cn/"), account.QueueEndpoint);
        Assert.Equal(new Uri("https://acct.table.core.chinacloudapi.cn/"), account.TableEndpoint);
        Assert.Equal("acct", account.Credential.AccountName);
    }

    [Fact]
    public void A_connection_string_without_suffix_defaults_to_the_public_cloud_over_https()
    {
        var account = StorageAccount.Parse($"AccountName=acct;AccountKey={Key}");

        Assert.Equal(new Uri("https://acct.table.core.windows.net/"), account.TableEndpoint);
    }

    [Fact]
    public void Use_development_storage_points_at_azurite_with_the_well_known_key()
    {
        var account = StorageAccount.Parse("UseDevelopmentStorage=true");

        Assert.Equal(new Uri("http://127.0.0.1:10000/devstoreaccount1/"), account.BlobEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:10001/devstoreaccount1/"), account.QueueEndpoint);
        Assert.Equal(new Uri("http://127.0.0.1:10002/devstoreaccount1/"), account.TableEndpoint);
        Assert.Equal(StorageAccount.DevelopmentAccountName, account.Credential.AccountName);
        Assert.Equal(Convert.FromBase64String(StorageAccount.DevelopmentAccountKey), account.Credential.AccountKey);
    }

    [Fact]
    public void A_connection_string_with_a_sas_uses_it_without_a_key()
    {
        var account = StorageAccount.Parse("TableEndpoint=https://acct.table.core.windows.net;BlobEndpoint=https://b;QueueEndpoint=https://q;SharedAccessSignature=?sv=2019-02-02&sig=abc");

        Assert.Equal("sv=2019-02-02&sig=abc", account.Credential.SharedAccessSignature);
        Assert.Null(account.Credential.AccountKey);
    }

    [Theory]
    [InlineData("AccountName=acct")]
    [InlineData("AccountName=acct;AccountKey=not base64!")]
    [InlineData("AccountKey=" + Key)]
    [InlineData("justtext")]
    [InlineData("AccountName=acct;AccountKey=" + Key + ";TableEndpoint=not-a-uri")]
    public void A_malformed_connection_string_throws_a_configuration_error(string connectionString)
    {
        Assert.Throws<StorageConfigurationException>(() => StorageAccount.Parse(connectionString));
    }

    [Fact]
    public void The_setting_holding_a_connection_string_wins()
    {
        var account = StorageAccount.FromSettings(Settings(("AzureWebJobsStorage", "UseDevelopmentStorage=true")));

        Assert.Equal(StorageAccount.DevelopmentAccountName, account.Credential.AccountName);
    }

    [Fact]
    public void An_identity_based_account_name_gives_a_token_credential_and_the_public_endpoints()
    {
        var account = StorageAccount.FromSettings(Settings(("AzureWebJobsStorage__accountName", "acct")));

        Assert.NotNull(account.Credential.Token);
        Assert.Null(account.Credential.AccountKey);
        Assert.Equal(new Uri("https://acct.blob.core.windows.net/"), account.BlobEndpoint);
        Assert.Equal(new Uri("https://acct.queue.core.windows.net/"), account.QueueEndpoint);
        Assert.Equal(new Uri("https://acct.table.core.windows.net/"), account.TableEndpoint);
    }

    [Fact]
    public void Identity_based_service_uris_with_a_user_assigned_managed_identity_give_a_managed_identity_credential()
    {
        var account = StorageAccount.FromSettings(Settings(
            ("AzureWebJobsStorage__blobServiceUri", "https://acct.blob.core.windows.net"),
            ("AzureWebJobsStorage__queueServiceUri", "https://acct.queue.core.windows.net"),
            ("AzureWebJobsStorage__tableServiceUri", "https://acct.table.core.windows.net"),
            ("AzureWebJobsStorage__credential", "managedidentity"),
            ("AzureWebJobsStorage__clientId", "00000000-0000-0000-0000-000000000001")));

        Assert.IsType<ManagedIdentityCredential>(account.Credential.Token);
        Assert.Null(account.Credential.AccountName);
        Assert.Equal(new Uri("https://acct.blob.core.windows.net/"), account.BlobEndpoint);
        Assert.Equal(new Uri("https://acct.queue.core.windows.net/"), account.QueueEndpoint);
        Assert.Equal(new Uri("https://acct.table.core.windows.net/"), account.TableEndpoint);
    }

    [Fact]
    public void Identity_based_settings_also_read_the_colon_separated_form_and_a_custom_prefix()
    {
        var account = StorageAccount.FromSettings(Settings(("MyStorage:accountName", "other")), "MyStorage");

        Assert.Equal(new Uri("https://other.table.core.windows.net/"), account.TableEndpoint);
    }

    [Fact]
    public void Nothing_set_throws_a_configuration_error_naming_the_settings_to_set()
    {
        var error = Assert.Throws<StorageConfigurationException>(() => StorageAccount.FromSettings(Settings()));

        Assert.Contains("AzureWebJobsStorage", error.Message, StringComparison.Ordinal);
        Assert.Contains("__accountName", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_some_service_uris_without_an_account_name_throws_a_configuration_error()
    {
        Assert.Throws<StorageConfigurationException>(() => StorageAccount.FromSettings(Settings(
            ("AzureWebJobsStorage__blobServiceUri", "https://acct.blob.core.windows.net"))));
    }

    [Fact]
    public void A_service_uri_that_is_not_http_throws_a_configuration_error_naming_it()
    {
        var error = Assert.Throws<StorageConfigurationException>(() => StorageAccount.FromSettings(Settings(
            ("AzureWebJobsStorage__accountName", "acct"),
            ("AzureWebJobsStorage__tableServiceUri", "ftp://acct"))));

        Assert.Contains("tableServiceUri", error.Message, StringComparison.Ordinal);
    }
}
