using FuncTrace.Domain.Storage;

namespace FuncTrace.Tests.Infrastructure;

/// <summary>
/// The real Azurite the test command started. Every test names its own tables, containers and
/// queues (or tenants) so tests never see each other's data.
/// </summary>
public static class TestStorage
{
    public const string ConnectionStringVariable = "FUNCTRACE_TEST_STORAGE";

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(ConnectionStringVariable)
        ?? throw new InvalidOperationException(
            $"{ConnectionStringVariable} is not set: run the tests with scripts/test.sh, which starts Azurite and sets it.");

    public static StorageAccount Account => StorageAccount.Parse(ConnectionString);

    /// <summary>A fresh lowercase name valid for a table, container and queue alike.</summary>
    public static string UniqueName(string prefix) =>
        (prefix + Guid.NewGuid().ToString("N"))[..Math.Min(prefix.Length + 32, 60)].ToLowerInvariant();
}
