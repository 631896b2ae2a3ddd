using System.Runtime.CompilerServices;
using System.Text.Json;
using Azure;
using Azure.Core;

namespace FuncTrace.Domain.Storage.Tables;

/// <summary>
/// A client for one table over the Table REST API, shaped like Azure.Data.Tables' TableClient:
/// one <c>CreateXRequest</c> per operation, typed errors for conflicts, pages with continuation tokens.
/// </summary>
public sealed class TableClient
{
    private const string JsonMinimalMetadata = "application/json;odata=minimalmetadata";
    private static readonly RequestMethod Merge = new("MERGE");
    private readonly StoragePipeline _pipeline;
    private readonly Uri _serviceEndpoint;

    public TableClient(StorageAccount account, string tableName, StorageClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        ValidateTableName(tableName);
        Name = tableName;
        _serviceEndpoint = account.TableEndpoint;
        _pipeline = new StoragePipeline(account.Credential, options ?? new StorageClientOptions(), isTable: true);
    }

    public string Name { get; }

    public async Task CreateIfNotExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateRequest(RequestMethod.Post, new Uri(_serviceEndpoint, "Tables"));
        using var body = new MemoryStream();
        await using (var writer = new Utf8JsonWriter(body))
        {
            writer.WriteStartObject();
            writer.WriteString("TableName", Name);
            writer.WriteEndObject();
        }
        SetJsonContent(message, body.ToArray());
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        var response = await _pipeline.SendAsync(message, cancellationToken, 201, 204, 409).ConfigureAwait(false);
        if (response.Status == 409)
        {
            // Only "already exists" is success: TableBeingDeleted (for ~40 s after a delete) must surface.
            var error = await StorageErrors.CreateAsync(response, cancellationToken).ConfigureAwait(false);
            if (error.ErrorCode != "TableAlreadyExists")
            {
                throw error;
            }
        }
    }

    public async Task DeleteIfExistsAsync(CancellationToken cancellationToken = default)
    {
        using var message = CreateRequest(RequestMethod.Delete, new Uri(_serviceEndpoint, $"Tables('{Uri.EscapeDataString(Name)}')"));
        await _pipeline.SendAsync(message, cancellationToken, 204, 404).ConfigureAwait(false);
    }

    /// <summary>Inserts a new row; throws <see cref="StorageConflictException"/> (409) when the keys exist. Returns the new ETag.</summary>
    public async Task<ETag> AddEntityAsync(TableEntity entity, CancellationToken cancellationToken = default)
    {
        ValidateKeys(entity);
        using var message = CreateRequest(RequestMethod.Post, TableUri());
        SetJsonContent(message, TableEntityJson.Serialize(entity));
        message.Request.Headers.SetValue("Prefer", "return-no-content");
        var response = await _pipeline.SendAsync(message, cancellationToken, 201, 204).ConfigureAwait(false);
        return ReadETag(response);
    }

    /// <summary>Inserts or replaces/merges unconditionally.</summary>
    public Task<ETag> UpsertEntityAsync(TableEntity entity, TableUpdateMode mode = TableUpdateMode.Replace, CancellationToken cancellationToken = default) =>
        WriteEntityAsync(entity, mode, ifMatch: null, cancellationToken);

    /// <summary>
    /// Updates an existing row only if its ETag still matches (<see cref="ETag.All"/> for any version);
    /// throws <see cref="StorageConflictException"/> with 412 when another writer got there first.
    /// </summary>
    public Task<ETag> UpdateEntityAsync(TableEntity entity, ETag ifMatch, TableUpdateMode mode = TableUpdateMode.Replace, CancellationToken cancellationToken = default) =>
        WriteEntityAsync(entity, mode, ifMatch == default ? ETag.All : ifMatch, cancellationToken);

    /// <summary>Deletes the row; a row that is already gone counts as deleted. A stale ETag throws 412.</summary>
    public async Task DeleteEntityAsync(string partitionKey, string rowKey, ETag ifMatch = default, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(partitionKey, nameof(partitionKey));
        TableKeys.Validate(rowKey, nameof(rowKey));
        using var message = CreateRequest(RequestMethod.Delete, EntityUri(partitionKey, rowKey));
        message.Request.Headers.SetValue("If-Match", ifMatch == default ? "*" : ifMatch.ToString());
        var response = await _pipeline.SendAsync(message, cancellationToken, 204, 404).ConfigureAwait(false);
        await ThrowIfTableNotFoundAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Point read; null when the row does not exist.</summary>
    public async Task<TableEntity?> GetEntityIfExistsAsync(string partitionKey, string rowKey, IEnumerable<string>? select = null, CancellationToken cancellationToken = default)
    {
        TableKeys.Validate(partitionKey, nameof(partitionKey));
        TableKeys.Validate(rowKey, nameof(rowKey));
        var uri = EntityUri(partitionKey, rowKey);
        if (SelectText(select) is { } selectText)
        {
            uri = new Uri(uri.AbsoluteUri + "?$select=" + Uri.EscapeDataString(selectText));
        }
        using var message = CreateRequest(RequestMethod.Get, uri);
        var response = await _pipeline.SendAsync(message, cancellationToken, 200, 404).ConfigureAwait(false);
        if (response.Status == 404)
        {
            await ThrowIfTableNotFoundAsync(response, cancellationToken).ConfigureAwait(false);
            return null;
        }
        using var json = await JsonDocument.ParseAsync(response.ContentStream!, cancellationToken: cancellationToken).ConfigureAwait(false);
        var entity = TableEntityJson.Read(json.RootElement);
        if (response.Headers.ETag is { } etag)
        {
            entity.ETag = etag;
        }
        return entity;
    }

    /// <summary>
    /// Queries page by page. <paramref name="filter"/> should come from <see cref="TableFilter"/>;
    /// <paramref name="pageSize"/> maps to <c>$top</c> (the service caps a page at 1,000).
    /// </summary>
    public async IAsyncEnumerable<TablePage> QueryPagesAsync(
        string? filter = null,
        IEnumerable<string>? select = null,
        int? pageSize = null,
        string? continuationToken = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (pageSize is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(pageSize), pageSize, "A page holds 1 to 1000 entities.");
        }
        string? nextPartitionKey = null, nextRowKey = null;
        if (continuationToken is not null && !TableContinuationToken.TryDecode(continuationToken, out nextPartitionKey, out nextRowKey))
        {
            throw new ArgumentException("The continuation token is not one this client issued.", nameof(continuationToken));
        }
        var selectText = SelectText(select);

        do
        {
            using var message = CreateRequest(RequestMethod.Get, QueryUri(filter, selectText, pageSize, nextPartitionKey, nextRowKey));
            var response = await _pipeline.SendAsync(message, cancellationToken, 200).ConfigureAwait(false);
            var entities = new List<TableEntity>();
            using (var json = await JsonDocument.ParseAsync(response.ContentStream!, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                foreach (var row in json.RootElement.GetProperty("value").EnumerateArray())
                {
                    entities.Add(TableEntityJson.Read(row));
                }
            }
            nextPartitionKey = response.Headers.TryGetValue("x-ms-continuation-NextPartitionKey", out var npk) ? npk : null;
            nextRowKey = response.Headers.TryGetValue("x-ms-continuation-NextRowKey", out var nrk) ? nrk : null;
            yield return new TablePage(entities, TableContinuationToken.Encode(nextPartitionKey, nextRowKey));
        }
        while (nextPartitionKey is not null || nextRowKey is not null);
    }

    /// <summary>Every row matching the filter, following continuation tokens.</summary>
    public async IAsyncEnumerable<TableEntity> QueryAsync(
        string? filter = null,
        IEnumerable<string>? select = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var page in QueryPagesAsync(filter, select, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            foreach (var entity in page.Entities)
            {
                yield return entity;
            }
        }
    }

    /// <summary>
    /// Runs the actions atomically (an entity-group transaction): all succeed or none do. Validated before
    /// sending: 1 to 100 actions, one partition, no row twice. Returns the new ETags in action order
    /// (default for deletes).
    /// </summary>
    public async Task<IReadOnlyList<ETag>> SubmitTransactionAsync(IReadOnlyList<TableTransactionAction> actions, CancellationToken cancellationToken = default)
    {
        TableTransactionBody.Validate(actions);
        var body = new TableTransactionBody(actions, TableUri(), EntityUri);
        using var message = CreateRequest(RequestMethod.Post, new Uri(_serviceEndpoint, "$batch"));
        message.Request.Headers.SetValue("Content-Type", body.ContentType);
        message.Request.Content = RequestContent.Create(body.Build());
        var response = await _pipeline.SendAsync(message, cancellationToken, 202).ConfigureAwait(false);
        var text = response.Content.ToString();
        return TableTransactionBody.ParseResponse(text, actions);
    }

    private async Task<ETag> WriteEntityAsync(TableEntity entity, TableUpdateMode mode, ETag? ifMatch, CancellationToken cancellationToken)
    {
        ValidateKeys(entity);
        using var message = CreateRequest(mode == TableUpdateMode.Merge ? Merge : RequestMethod.Put, EntityUri(entity.PartitionKey, entity.RowKey));
        SetJsonContent(message, TableEntityJson.Serialize(entity));
        if (ifMatch is { } etag)
        {
            message.Request.Headers.SetValue("If-Match", etag.ToString());
        }
        var response = await _pipeline.SendAsync(message, cancellationToken, 204).ConfigureAwait(false);
        return ReadETag(response);
    }

    /// <summary>A 404 means "no such row" only when the table exists; a missing table is a real error.</summary>
    private static async ValueTask ThrowIfTableNotFoundAsync(Response response, CancellationToken cancellationToken)
    {
        if (response.Status != 404)
        {
            return;
        }
        var error = await StorageErrors.CreateAsync(response, cancellationToken).ConfigureAwait(false);
        if (error.ErrorCode == "TableNotFound")
        {
            throw error;
        }
    }

    private HttpMessage CreateRequest(RequestMethod method, Uri uri)
    {
        var message = _pipeline.CreateMessage(method, uri);
        message.Request.Headers.SetValue("Accept", JsonMinimalMetadata);
        message.Request.Headers.SetValue("DataServiceVersion", "3.0");
        message.Request.Headers.SetValue("MaxDataServiceVersion", "3.0;NetFx");
        return message;
    }

    private static void SetJsonContent(HttpMessage message, byte[] json)
    {
        message.Request.Headers.SetValue("Content-Type", "application/json");
        message.Request.Content = RequestContent.Create(json);
    }

    private Uri TableUri() => new(_serviceEndpoint, Uri.EscapeDataString(Name));

    private Uri EntityUri(string partitionKey, string rowKey) =>
        new(_serviceEndpoint.AbsoluteUri + Uri.EscapeDataString(Name) +
            $"(PartitionKey='{EscapeKey(partitionKey)}',RowKey='{EscapeKey(rowKey)}')");

    private Uri QueryUri(string? filter, string? select, int? top, string? nextPartitionKey, string? nextRowKey)
    {
        var query = new List<string>();
        if (!string.IsNullOrWhiteSpace(filter))
        {
            query.Add("$filter=" + Uri.EscapeDataString(filter));
        }
        if (select is not null)
        {
            query.Add("$select=" + Uri.EscapeDataString(select));
        }
        if (top is { } t)
        {
            query.Add("$top=" + t.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        if (nextPartitionKey is not null)
        {
            query.Add("NextPartitionKey=" + Uri.EscapeDataString(nextPartitionKey));
        }
        if (nextRowKey is not null)
        {
            query.Add("NextRowKey=" + Uri.EscapeDataString(nextRowKey));
        }
        var baseUri = _serviceEndpoint.AbsoluteUri + Uri.EscapeDataString(Name) + "()";
        return new Uri(query.Count == 0 ? baseUri : baseUri + "?" + string.Join('&', query));
    }

    /// <summary>The keys are always selected too: every entity this client returns carries them.</summary>
    private static string? SelectText(IEnumerable<string>? select) =>
        select is null ? null : string.Join(',', select.Concat(["PartitionKey", "RowKey"]).Distinct(StringComparer.Ordinal));

    private static string EscapeKey(string key) => Uri.EscapeDataString(key.Replace("'", "''", StringComparison.Ordinal));

    private static ETag ReadETag(Response response) => response.Headers.ETag ?? default;

    private static void ValidateKeys(TableEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        TableKeys.Validate(entity.PartitionKey, nameof(entity.PartitionKey));
        TableKeys.Validate(entity.RowKey, nameof(entity.RowKey));
    }

    private static void ValidateTableName(string tableName)
    {
        if (string.IsNullOrEmpty(tableName) || tableName.Length is < 3 or > 63 || !char.IsAsciiLetter(tableName[0]) || !tableName.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException($"'{tableName}' is not a valid table name: 3-63 letters and digits, starting with a letter.", nameof(tableName));
        }
    }
}
