using Azure.Storage.Queues;

namespace FuncTrace.Tests.Infrastructure;

/// <summary>
/// The real Azurite the test command started. Every fixture names its own tables, containers and queues (a storage
/// prefix of its own) or tenants, so tests never see each other's data.
/// </summary>
public static class TestStorage
{
    public const string ConnectionStringVariable = "FUNCTRACE_TEST_STORAGE";

    /// <summary>Azurite's well-known account key, for connection strings that point elsewhere (a closed port, a scripted server).</summary>
    public const string DevelopmentAccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(ConnectionStringVariable)
        ?? throw new InvalidOperationException(
            $"{ConnectionStringVariable} is not set: run the tests with scripts/test.sh, which starts Azurite and sets it.");

    /// <summary>The queues of the test account, base64 as the queue trigger reads them, or as sent with <paramref name="encoding"/>.</summary>
    public static QueueServiceClient Queues(QueueMessageEncoding encoding = QueueMessageEncoding.Base64) =>
        new(ConnectionString, new QueueClientOptions { MessageEncoding = encoding });

    /// <summary>A fresh storage prefix: lowercase letters and digits, as <c>FuncTrace__StoragePrefix</c> requires.</summary>
    public static string NewPrefix() => "t" + Guid.NewGuid().ToString("N")[..12];
}
