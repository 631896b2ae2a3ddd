using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared;
using FuncTrace.Functions.Shared.Storage;

namespace FuncTrace.Functions.Commands;

/// <summary>The command rows (<see cref="CommandRows"/>), the JSON they keep (inline, or in a blob when large) and the commands queue.</summary>
public sealed class CommandStore(TableServiceClient tables, QueueServiceClient queues, StorageNames names, PayloadStore payloads)
{
    /// <summary>A table property holds 32 K characters; JSON longer than this goes to a blob.</summary>
    private const int MaxInlineJson = 30_000;

    private readonly TableClient _events = tables.GetTableClient(names.Table(StorageNames.EventsTable));
    private readonly QueueClient _queue = queues.GetQueueClient(names.Queue(StorageNames.CommandsQueue));

    /// <summary>The command's row; null when there is none (or the partition's row is another session's, whose id hashes alike).</summary>
    public async Task<TableEntity?> RowAsync(string tenant, string sessionId, string commandId, CancellationToken cancellationToken = default)
    {
        var row = (await _events.GetEntityIfExistsAsync<TableEntity>(EventKeys.ConversationPartition(tenant, sessionId), CommandRows.Key(commandId), cancellationToken: cancellationToken)).ValueOrNull();
        return row?.GetString("SessionId") == sessionId ? row : null;
    }

    /// <summary>Up to <paramref name="limit"/> of the session's command rows, in id order (a range read of its partition).</summary>
    public async Task<IReadOnlyList<TableEntity>> ListRowsAsync(string tenant, string sessionId, int limit, CancellationToken cancellationToken = default)
    {
        var partition = EventKeys.ConversationPartition(tenant, sessionId);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {partition} and RowKey ge {EventKeys.CommandPrefix} and RowKey lt {EventKeys.CommandPrefix[..^1] + "}"} and SessionId eq {sessionId}");
        var rows = new List<TableEntity>();
        await foreach (var row in _events.QueryAsync<TableEntity>(filter, maxPerPage: Math.Min(limit, 1000), cancellationToken: cancellationToken))
        {
            rows.Add(row);
            if (rows.Count >= limit)
            {
                break;
            }
        }
        return rows;
    }

    public async Task AddAsync(TableEntity row) => await _events.AddEntityAsync(row, CancellationToken.None);

    /// <summary>Replaces the row if it is still as read (<paramref name="row"/>'s ETag); returns it with its new ETag. A 412 otherwise.</summary>
    public async Task<TableEntity> ReplaceAsync(TableEntity row, ETag readAs)
    {
        ArgumentNullException.ThrowIfNull(row);
        var response = await _events.UpdateEntityAsync(row, readAs, TableUpdateMode.Replace, CancellationToken.None);
        return new TableEntity(row) { ETag = response.Headers.ETag ?? default };
    }

    /// <summary>Notes that the command's end events are written; nothing else on the row changes.</summary>
    public async Task MarkEventsWrittenAsync(TableEntity row)
    {
        ArgumentNullException.ThrowIfNull(row);
        await _events.UpdateEntityAsync(new TableEntity(row.PartitionKey, row.RowKey) { ["EventsWritten"] = true }, ETag.All, TableUpdateMode.Merge, CancellationToken.None);
    }

    /// <summary>Puts the command on the queue, to be looked at after <paramref name="delay"/> (at once when null).</summary>
    public async Task SendAsync(CommandMessage message, TimeSpan? delay, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var hidden = delay is { } wait ? TimeSpan.FromSeconds(Math.Clamp(Math.Ceiling(wait.TotalSeconds), 1, 7 * 24 * 3600 - 1)) : (TimeSpan?)null;
        await _queue.SendMessageAsync(message.ToJson(), hidden, cancellationToken: cancellationToken);
    }

    /// <summary>Sets <paramref name="property"/> to the JSON, or — when it is large — to a blob of it (<c>{property}Blob</c>).</summary>
    public async Task SetJsonAsync(TableEntity row, string property, JsonElement value, string tenant, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        var json = EventRows.CompactJson(value);
        if (json.Length <= MaxInlineJson)
        {
            row[property] = json;
            return;
        }
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(json)))[..32].ToLowerInvariant();
        var blob = $"commands/{tenant}/{EventKeys.Hash(row.GetString("SessionId"))}/{EventKeys.Hash(row.GetString("CommandId"))}/{property}-{hash}.json";
        await payloads.SaveAsync(blob, json, cancellationToken);
        row[property + "Blob"] = blob;
    }

    /// <summary>The JSON <see cref="SetJsonAsync"/> kept, or null when there is none.</summary>
    public async Task<JsonElement?> JsonAsync(TableEntity row, string property, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        if (row.GetString(property) is { } json)
        {
            return JsonBody.ParseStored(json);
        }
        return row.GetString(property + "Blob") is { } blob ? await payloads.LoadAsync(blob, cancellationToken) : null;
    }

    public async Task<CommandRecord> RecordAsync(TableEntity row, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        var error = await JsonAsync(row, "Error", cancellationToken);
        return new CommandRecord(
            row.GetString("CommandId"),
            row.GetString("SessionId"),
            row.GetString("CommandType"),
            row.GetString("Status"),
            await JsonAsync(row, "Result", cancellationToken),
            error?.Deserialize<CommandError>(JsonBody.SnakeCase),
            row.GetString("Metadata") is { } metadata ? JsonBody.ParseStored(metadata) : null,
            row.GetDateTimeOffset("CreatedAt") ?? default,
            row.GetDateTimeOffset("StartedAt"),
            row.GetDateTimeOffset("CompletedAt"),
            row.GetInt64("DurationMs"));
    }
}
