using System.Net.Mail;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Storage;
using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Domain.Keys;

/// <summary>An end user whose traces a tenant accepts through the external trace face.</summary>
public sealed record RegisteredUser(string Tenant, string Email, DateTimeOffset CreatedAt);

/// <summary>
/// The emails registered per tenant, in the keys table under partition <c>users|{tenant}</c>, one row per email
/// (lowercased, so comparison is case-insensitive; escaped, since an email may hold characters a key cannot).
/// </summary>
public sealed class RegisteredUserService(StorageCatalog storage, TimeProvider time)
{
    public const int MaxEmailLength = 254;
    private readonly TableClient _table = storage.Table(StorageNames.KeysTable);

    /// <summary>Registers the email; registering it again returns the first registration with <c>Created = false</c>.</summary>
    public async Task<(RegisteredUser User, bool Created)> AddAsync(Caller caller, string? tenant, string? email, CancellationToken cancellationToken = default)
    {
        var target = ApiKeyService.ResolveTenant(caller, tenant);
        var normalized = Normalize(email);
        var user = new RegisteredUser(target, normalized, time.GetUtcNow());
        try
        {
            await _table.AddEntityAsync(new TableEntity(Partition(target), RowKey(normalized)) { { "Email", normalized }, { "CreatedAt", user.CreatedAt } }, cancellationToken).ConfigureAwait(false);
            return (user, true);
        }
        catch (StorageConflictException)
        {
            var existing = await _table.GetEntityIfExistsAsync(Partition(target), RowKey(normalized), cancellationToken: cancellationToken).ConfigureAwait(false);
            return (new RegisteredUser(target, normalized, existing?.GetDateTimeOffset("CreatedAt") ?? user.CreatedAt), false);
        }
    }

    public async Task<IReadOnlyList<RegisteredUser>> ListAsync(Caller caller, string? tenant, CancellationToken cancellationToken = default)
    {
        var target = ApiKeyService.ResolveTenant(caller, tenant);
        var users = new List<RegisteredUser>();
        await foreach (var row in _table.QueryAsync(TableFilter.Create($"PartitionKey eq {Partition(target)}"), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            users.Add(new RegisteredUser(target, row.GetString("Email")!, row.GetDateTimeOffset("CreatedAt") ?? default));
        }
        return users;
    }

    public async Task RemoveAsync(Caller caller, string? tenant, string email, CancellationToken cancellationToken = default)
    {
        var target = ApiKeyService.ResolveTenant(caller, tenant);
        var normalized = Normalize(email);
        if (await _table.GetEntityIfExistsAsync(Partition(target), RowKey(normalized), ["Email"], cancellationToken).ConfigureAwait(false) is null)
        {
            throw FuncTraceException.NotFound($"'{normalized}' is not registered.");
        }
        await _table.DeleteEntityAsync(Partition(target), RowKey(normalized), cancellationToken: cancellationToken).ConfigureAwait(false);
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
        return await _table.GetEntityIfExistsAsync(Partition(tenant), RowKey(normalized), ["Email"], cancellationToken).ConfigureAwait(false) is not null;
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

    private static string Partition(string tenant) => "users|" + tenant;

    private static string RowKey(string email) => Uri.EscapeDataString(email);
}
