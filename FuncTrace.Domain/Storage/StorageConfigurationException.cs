namespace FuncTrace.Domain.Storage;

/// <summary>The storage setting is missing or malformed; the message says which setting to fix.</summary>
public sealed class StorageConfigurationException(string message) : Exception(message);
