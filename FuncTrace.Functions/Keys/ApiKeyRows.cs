using Azure.Data.Tables;

namespace FuncTrace.Functions.Keys;

/// <summary>
/// A key's three rows in the keys table, each the point read of one question. Only the key's SHA-256 is stored.
/// <list type="bullet">
/// <item><c>h{first two hex digits}</c> / <c>{sha256}</c>: who is this key? Spread over 256 partitions by the hash, and
/// cached by <see cref="ApiKeyService"/>, so no partition is read by every request.</item>
/// <item><c>t|{tenant}</c> / <c>{id}</c>: a tenant's keys, for listing.</item>
/// <item><c>id</c> / <c>{id}</c>: where a key's other rows are, for revoking by id.</item>
/// </list>
/// </summary>
public static class ApiKeyRows
{
    public const string IdPartition = "id";

    public static string HashPartition(string hashHex) => "h" + hashHex[..2];

    public static string TenantPartition(string tenant) => "t|" + tenant;

    public static TableEntity Hash(string hashHex, string id, string tenant, string roles, string name, DateTimeOffset createdAt) =>
        new(HashPartition(hashHex), hashHex)
        {
            ["KeyId"] = id, ["Tenant"] = tenant, ["Roles"] = roles, ["Name"] = name, ["CreatedAt"] = createdAt,
        };

    public static TableEntity Listing(string tenant, string id, string roles, string name, DateTimeOffset createdAt) =>
        new(TenantPartition(tenant), id) { ["Roles"] = roles, ["Name"] = name, ["CreatedAt"] = createdAt };

    public static TableEntity Id(string id, string tenant, string hashHex) =>
        new(IdPartition, id) { ["Tenant"] = tenant, ["Hash"] = hashHex };
}
