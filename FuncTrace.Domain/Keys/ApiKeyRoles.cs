namespace FuncTrace.Domain.Keys;

/// <summary>The roles a key can hold. Admin may do everything the others may.</summary>
public static class ApiKeyRoles
{
    public const string Ingest = "ingest";
    public const string Review = "review";
    public const string Admin = "admin";

    public static IReadOnlySet<string> All { get; } = new HashSet<string>(StringComparer.Ordinal) { Ingest, Review, Admin };
}
