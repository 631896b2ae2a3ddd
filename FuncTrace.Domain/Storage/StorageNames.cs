namespace FuncTrace.Domain.Storage;

/// <summary>Every table, container and queue the app uses (before the deployment's prefix). Bicep creates the same set.</summary>
public static class StorageNames
{
    public const string KeysTable = "keys";

    public static IReadOnlyList<string> Tables { get; } = [KeysTable];

    /// <summary>Where a queue's given-up messages go: the Functions host's own naming, so both runtimes agree.</summary>
    public static string PoisonQueue(string queue) => queue + "-poison";
}
