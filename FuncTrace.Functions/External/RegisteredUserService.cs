using System.Net.Mail;
using System.Text;
using Azure;
using Azure.Data.Tables;
using FuncTrace.Domain;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Keys;
using FuncTrace.Functions.Shared;
using FuncTrace.Functions.Shared.Storage;

namespace FuncTrace.Functions.External;

/// <summary>An end user whose traces a tenant accepts through the external trace face.</summary>
public sealed record RegisteredUser(string Tenant, string Email, DateTimeOffset CreatedAt);

/// <summary>A page of registered users and the cursor for the next (null at the end).</summary>
public sealed record RegisteredUserPage(IReadOnlyList<RegisteredUser> Users, string? NextCursor);

/// <summary>
/// The emails registered per tenant, in the keys table beside the API keys, under partition <c>u|{tenant}</c>: one row
/// per email, lowercased so comparison is case-insensitive, escaped since an email may hold characters a key cannot.
/// Checking one is a point read; listing is a bounded range of the tenant's partition with a cursor.
/// </summary>
public sealed class RegisteredUserService(TableServiceClient tables, StorageNames names, TimeProvider time)
{
    public const int MaxEmailLength = 254;
    private const string CursorPrefix = "u1:";
    private readonly TableClient _table = tables.GetTableClient(names.Table(StorageNames.KeysTable));

    /// <summary>Registers the email; registering it again returns the first registration with <c>Created = false</c>.</summary>
    public async Task<(RegisteredUser User, bool Created)> AddAsync(Caller caller, string? tenant, string? email, CancellationToken cancellationToken = default)
    {
        var target = ApiKeyService.ResolveTenant(caller, tenant);
        var normalized = Normalize(email);
        var user = new RegisteredUser(target, normalized, time.GetUtcNow());
        try
        {
            await _table.AddEntityAsync(new TableEntity(Partition(target), RowKey(normalized)) { ["Email"] = normalized, ["CreatedAt"] = user.CreatedAt }, cancellationToken);
            return (user, true);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            var existing = (await _table.GetEntityIfExistsAsync<TableEntity>(Partition(target), RowKey(normalized), cancellationToken: cancellationToken)).ValueOrNull();
            return (user with { CreatedAt = existing?.GetDateTimeOffset("CreatedAt") ?? user.CreatedAt }, false);
        }
    }

    /// <summary>Up to <paramref name="limit"/> of the tenant's emails in order, after the cursor's.</summary>
    public async Task<RegisteredUserPage> ListAsync(Caller caller, string? tenant, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var target = ApiKeyService.ResolveTenant(caller, tenant);
        var after = DecodeCursor(cursor);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition(target)} and RowKey gt {after}");
        var users = new List<RegisteredUser>();
        string? lastRowKey = null;
        await foreach (var row in _table.QueryAsync<TableEntity>(filter, maxPerPage: limit + 1, cancellationToken: cancellationToken))
        {
            if (users.Count == limit)
            {
                return new RegisteredUserPage(users, Base64Url.Encode(Encoding.UTF8.GetBytes(CursorPrefix + lastRowKey)));
            }
            users.Add(new RegisteredUser(target, row.GetString("Email"), row.GetDateTimeOffset("CreatedAt") ?? default));
            lastRowKey = row.RowKey;
        }
        return new RegisteredUserPage(users, null);
    }

    public async Task RemoveAsync(Caller caller, string? tenant, string email, CancellationToken cancellationToken = default)
    {
        var target = ApiKeyService.ResolveTenant(caller, tenant);
        var normalized = Normalize(email);
        var response = await _table.DeleteEntityAsync(Partition(target), RowKey(normalized), ETag.All, cancellationToken);
        if (response.Status == 404)
        {
            throw FuncTraceException.NotFound($"'{normalized}' is not registered.");
        }
    }

    /// <summary>Whether the email is registered; one that is not a valid address never is.</summary>
    public async Task<bool> IsRegisteredAsync(string tenant, string email, CancellationToken cancellationToken = default)
    {
        string normalized;
        try
        {
            normalized = Normalize(email);
        }
        catch (FuncTraceException)
        {
            return false;
        }
        var row = await _table.GetEntityIfExistsAsync<TableEntity>(Partition(tenant), RowKey(normalized), ["Email"], cancellationToken);
        return row.HasValue;
    }

    /// <summary>The email, trimmed and lowercased, after checking it is one address of the form local@domain.tld.</summary>
    public static string Normalize(string? email)
    {
        var trimmed = Validation.Required(email, "email", MaxEmailLength).Trim();
        if (!MailAddress.TryCreate(trimmed, out var parsed) || parsed.Address != trimmed || !parsed.Host.Contains('.', StringComparison.Ordinal)
            || trimmed.Any(char.IsWhiteSpace))
        {
            throw FuncTraceException.Validation("'email' is not a valid email address.", "email");
        }
        return trimmed.ToLowerInvariant();
    }

    private static string Partition(string tenant) => "u|" + tenant;

    private static string RowKey(string email) => Uri.EscapeDataString(email);

    private static string DecodeCursor(string? cursor)
    {
        if (cursor is null)
        {
            return string.Empty;
        }
        var text = Base64Url.TryDecode(cursor) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;
        return text is not null && text.StartsWith(CursorPrefix, StringComparison.Ordinal) && text.Length > CursorPrefix.Length
            ? text[CursorPrefix.Length..]
            : throw FuncTraceException.Validation("The cursor does not belong to this list; start again without it.", "cursor");
    }
}
