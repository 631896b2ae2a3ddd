namespace FuncTrace.Domain.Storage;

/// <summary>Every table, container and queue the app uses (before the deployment's prefix). Bicep creates the same set.</summary>
public static class StorageNames
{
    public const string KeysTable = "keys";

    public static IReadOnlyList<string> Tables { get; } = [KeysTable];
}
