using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using FuncTrace.Domain;
using FuncTrace.Domain.Concurrency;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared.Storage;

namespace FuncTrace.Functions.Agents;

/// <summary>
/// A tenant's agents (<see cref="AgentRows"/>). Creating one with an idempotency id adds a key row beside it in the same
/// transaction, so a replay finds the agent it made; changes are read-modify-writes under the row's ETag, the client's
/// own <c>If-Match</c> when it sends one. Deleting keeps the row as <c>deleted</c>: lists skip it, calls refuse it, and
/// it stays readable by id, as an archived conversation does.
/// </summary>
public sealed class AgentService(TableServiceClient tables, StorageNames names, TimeProvider time)
{
    // Agent ids are Crockford base32 (digits and capitals); key rows start with a lowercase letter, after every id.
    private const string IdsEnd = "a";
    private const string KeyPrefix = "k|";

    private readonly TableClient _agents = tables.GetTableClient(names.Table(StorageNames.AgentsTable));

    /// <summary>Stores a new agent; with <paramref name="idempotencyId"/>, a replay of the same definition returns the first with <c>Created = false</c>.</summary>
    public async Task<(Agent Agent, bool Created)> CreateAsync(string tenant, AgentDefinition definition, string? idempotencyId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var now = time.GetUtcNow();
        var row = AgentRows.Row(tenant, EventKeys.NewSessionId(now), definition, Agent.Ready, now, now);
        var hash = BodyHash(definition);
        row["BodyHash"] = hash;
        if (idempotencyId is null)
        {
            var added = await _agents.AddEntityAsync(row, cancellationToken);
            return (AgentRows.ToAgent(row) with { ETag = added.Headers.ETag ?? default }, true);
        }
        var key = new TableEntity(row.PartitionKey, KeyPrefix + idempotencyId) { ["AgentId"] = row.RowKey, ["BodyHash"] = hash };
        Response<IReadOnlyList<Response>> written;
        try
        {
            written = await _agents.SubmitTransactionAsync([new(TableTransactionActionType.Add, key), new(TableTransactionActionType.Add, row)], cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            var existing = (await _agents.GetEntityIfExistsAsync<TableEntity>(key.PartitionKey, key.RowKey, cancellationToken: cancellationToken)).ValueOrNull()
                ?? throw FuncTraceException.Conflict("The agent could not be stored; retry.");
            if (existing.GetString("BodyHash") != hash)
            {
                throw FuncTraceException.Conflict("This Idempotency-Key was used for a different agent.");
            }
            return (await RequireAsync(tenant, existing.GetString("AgentId"), cancellationToken), false);
        }
        return (AgentRows.ToAgent(row) with { ETag = written.Value[1].Headers.ETag ?? default }, true);
    }

    public async Task<Agent?> GetAsync(string tenant, string id, CancellationToken cancellationToken = default)
    {
        if (!IsId(id))
        {
            return null;
        }
        var row = (await _agents.GetEntityIfExistsAsync<TableEntity>(AgentRows.Partition(tenant), id, cancellationToken: cancellationToken)).ValueOrNull();
        return row is null ? null : AgentRows.ToAgent(row);
    }

    public async Task<Agent> RequireAsync(string tenant, string id, CancellationToken cancellationToken = default) =>
        await GetAsync(tenant, id, cancellationToken) ?? throw NotFound(id);

    /// <summary>The agent, which must not be deleted: a deleted one is a 409.</summary>
    public async Task<Agent> RequireReadyAsync(string tenant, string id, CancellationToken cancellationToken = default)
    {
        var agent = await RequireAsync(tenant, id, cancellationToken);
        return agent.IsDeleted ? throw FuncTraceException.Conflict($"Agent '{id}' is deleted.") : agent;
    }

    /// <summary>In creation order, from after the cursor: one range of the tenant's partition, filtered by status and session.</summary>
    public async Task<AgentPage> ListAsync(string tenant, AgentQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var after = query.Cursor is null ? null : Cursor.Decode(query.Cursor);
        var partition = AgentRows.Partition(tenant);
        var filter = after is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey lt {IdsEnd} and Status eq {query.Status}")
            : TableClient.CreateQueryFilter($"PartitionKey eq {partition} and RowKey gt {after} and RowKey lt {IdsEnd} and Status eq {query.Status}");
        if (query.SessionId is not null)
        {
            filter += " and " + TableClient.CreateQueryFilter($"SessionId eq {query.SessionId}");
        }
        var rows = new List<TableEntity>();
        await foreach (var row in _agents.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(query.Limit + 1, 1000), cancellationToken: cancellationToken))
        {
            rows.Add(row);
            if (rows.Count > query.Limit)
            {
                break;
            }
        }
        var page = rows.Take(query.Limit).Select(AgentRows.ToAgent).ToList();
        return new AgentPage(page, rows.Count > query.Limit ? Cursor.Encode(page[^1].Id) : null);
    }

    /// <summary>The newest ready engine of a session, for running "the session's engine".</summary>
    public async Task<Agent?> ForSessionAsync(string tenant, string sessionId, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {AgentRows.Partition(tenant)} and RowKey lt {IdsEnd} and Status eq {Agent.Ready} and SessionId eq {sessionId}");
        Agent? newest = null;
        await foreach (var row in _agents.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            newest = AgentRows.ToAgent(row);
        }
        return newest;
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the stored definition under the row's ETag. With <paramref name="ifMatch"/> the
    /// client's ETag decides: a row that moved since is a 412. Without it, a concurrent change makes this read and try again.
    /// </summary>
    public Task<Agent> UpdateAsync(string tenant, string id, Func<AgentDefinition, AgentDefinition> change, ETag? ifMatch, CancellationToken cancellationToken = default) =>
        WriteAsync(tenant, id, ifMatch, agent =>
        {
            if (agent.IsDeleted)
            {
                throw FuncTraceException.Conflict($"Agent '{id}' is deleted.");
            }
            return (change(agent.Definition), Agent.Ready);
        }, cancellationToken);

    /// <summary>Marks the agent deleted; deleting it again changes nothing.</summary>
    public Task<Agent> DeleteAsync(string tenant, string id, ETag? ifMatch, CancellationToken cancellationToken = default) =>
        WriteAsync(tenant, id, ifMatch, agent => agent.IsDeleted ? null : (agent.Definition, Agent.Deleted), cancellationToken);

    public static FuncTraceException NotFound(string id) => FuncTraceException.NotFound($"No agent with id '{id}'.");

    private Task<Agent> WriteAsync(string tenant, string id, ETag? ifMatch, Func<Agent, (AgentDefinition Definition, string Status)?> decide, CancellationToken cancellationToken) =>
        OptimisticRetry.RunAsync(async () =>
        {
            var agent = await RequireAsync(tenant, id, cancellationToken);
            if (ifMatch is { } expected && expected != agent.ETag)
            {
                throw Moved(id);
            }
            if (decide(agent) is not { } next)
            {
                return agent;
            }
            var row = AgentRows.Row(tenant, id, next.Definition, next.Status, agent.CreatedAt, time.GetUtcNow());
            row["BodyHash"] = BodyHash(next.Definition);
            try
            {
                var response = await _agents.UpdateEntityAsync(row, agent.ETag, TableUpdateMode.Replace, CancellationToken.None);
                return AgentRows.ToAgent(row) with { ETag = response.Headers.ETag ?? default };
            }
            catch (RequestFailedException ex) when (ex.Status == 412 && ifMatch is not null)
            {
                throw Moved(id);
            }
        }, ex => ex is RequestFailedException { Status: 412 }, cancellationToken);

    private static FuncTraceException Moved(string id) =>
        new(ErrorCode.PreconditionFailed, $"Agent '{id}' changed since that ETag; read it again.", new Dictionary<string, object?> { ["id"] = id });

    private static bool IsId(string id) => id is { Length: > 0 and <= EventValidation.MaxIdLength } && EventKeys.IsSortKey(id);

    private static string BodyHash(AgentDefinition definition)
    {
        var canonical = JsonSerializer.Serialize(new object?[]
        {
            definition.Name, definition.Description, definition.SystemPrompt, definition.Model, AgentJson.ParametersText(definition.Parameters),
            AgentJson.ToolsText(definition.Tools), definition.EngineType, definition.SessionId,
        });
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..32].ToLowerInvariant();
    }

    /// <summary>Where a list page ended: the last agent id served.</summary>
    private static class Cursor
    {
        private const string Prefix = "g1:";

        public static string Encode(string id) => Base64Url.Encode(Encoding.UTF8.GetBytes(Prefix + id));

        public static string Decode(string cursor)
        {
            var text = Base64Url.TryDecode(cursor) is { } bytes ? Encoding.UTF8.GetString(bytes) : null;
            return text is not null && text.StartsWith(Prefix, StringComparison.Ordinal) && EventKeys.IsSortKey(text[Prefix.Length..])
                ? text[Prefix.Length..]
                : throw FuncTraceException.Validation("The cursor does not belong to this list; start again without it.", "cursor");
        }
    }
}
