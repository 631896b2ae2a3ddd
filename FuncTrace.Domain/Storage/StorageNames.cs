namespace FuncTrace.Domain.Storage;

/// <summary>
/// Every table, container and queue the app uses, before the deployment's prefix (tables: prefix + name;
/// containers and queues: prefix + "-" + name). Bicep creates the same set.
/// </summary>
public static class StorageNames
{
    public const string KeysTable = "keys";
    public const string EventsTable = "events";
    public const string JobsTable = "jobs";

    public const string PayloadsContainer = "payloads";
    public const string ArtifactsContainer = "artifacts";

    public static IReadOnlyList<string> Tables { get; } = [KeysTable, EventsTable, JobsTable];

    public static IReadOnlyList<string> Containers { get; } = [PayloadsContainer, ArtifactsContainer];

    /// <summary>Where a queue's given-up messages go: the Functions host's own naming, so both runtimes agree.</summary>
    public static string PoisonQueue(string queue) => queue + "-poison";
}
