using System.Text;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Domain.Storage;

/// <summary>A page of rows from one row-key range of one partition, with an opaque cursor for the next.</summary>
public sealed record RowPage(IReadOnlyList<TableEntity> Rows, string? NextCursor);

/// <summary>
/// Reads a row-key range of one partition page by page. The cursor names where to go on — after the last row
/// served, or at the next row not yet scanned — and is checked to lie inside the range, so a client can neither
/// read past its query nor into another partition. A selective filter can match little of a long range, so one
/// read scans at most <see cref="MaxPagesPerRead"/> service pages and then hands back a cursor: a request's cost
/// stays bounded even when the page comes back short.
/// </summary>
public static class RowRange
{
    public const int MaxLimit = 1000;
    public const int MaxPagesPerRead = 5;
    private const string AfterPrefix = "v1:";
    private const string AtPrefix = "v2:";

    public static async Task<RowPage> ReadAsync(
        TableClient table,
        string partitionKey,
        string fromRowKey,
        string toRowKeyExclusive,
        string? extraFilter,
        int limit,
        string? cursor,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(table);
        var lower = TableFilter.Create($"RowKey ge {fromRowKey}");
        if (cursor is not null)
        {
            var (key, inclusive) = DecodeCursor(cursor);
            if (string.CompareOrdinal(key, fromRowKey) < 0 || string.CompareOrdinal(key, toRowKeyExclusive) >= 0)
            {
                throw FuncTraceException.Validation("The cursor does not belong to this query; start again without it.", "cursor");
            }
            lower = inclusive ? TableFilter.Create($"RowKey ge {key}") : TableFilter.Create($"RowKey gt {key}");
        }
        var filter = TableFilter.And(
            TableFilter.Create($"PartitionKey eq {partitionKey}"),
            lower,
            TableFilter.Create($"RowKey lt {toRowKeyExclusive}"),
            extraFilter);

        // One row more than asked tells whether a next page exists.
        var rows = new List<TableEntity>(Math.Min(limit + 1, MaxLimit + 1));
        var pages = 0;
        await foreach (var page in table.QueryPagesAsync(filter, pageSize: Math.Min(limit + 1, MaxLimit), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            rows.AddRange(page.Entities.Take(limit + 1 - rows.Count));
            if (rows.Count > limit)
            {
                break;
            }
            if (++pages == MaxPagesPerRead)
            {
                return new RowPage(rows, ResumeAt(page.ContinuationToken, partitionKey));
            }
        }
        if (rows.Count <= limit)
        {
            return new RowPage(rows, null);
        }
        rows.RemoveAt(limit);
        return new RowPage(rows, Encode(AfterPrefix, rows[^1].RowKey));
    }

    public static int ValidateLimit(int? limit, int defaultLimit = 50)
    {
        var value = limit ?? defaultLimit;
        if (value is < 1 or > MaxLimit)
        {
            throw FuncTraceException.Validation($"'limit' must be between 1 and {MaxLimit}.", "limit");
        }
        return value;
    }

    /// <summary>A cursor at the service's next row when it stays in this partition; null when the range is done.</summary>
    private static string? ResumeAt(string? continuationToken, string partitionKey) =>
        TableContinuationToken.TryDecode(continuationToken, out var nextPartitionKey, out var nextRowKey)
        && nextPartitionKey == partitionKey && nextRowKey is not null
            ? Encode(AtPrefix, nextRowKey)
            : null;

    private static string Encode(string prefix, string rowKey) => Base64Url.Encode(Encoding.UTF8.GetBytes(prefix + rowKey));

    private static (string Key, bool Inclusive) DecodeCursor(string cursor)
    {
        var text = Base64Url.TryDecode(cursor) is { } bytes ? Encoding.UTF8.GetString(bytes) : string.Empty;
        return text switch
        {
            _ when text.StartsWith(AfterPrefix, StringComparison.Ordinal) => (text[AfterPrefix.Length..], false),
            _ when text.StartsWith(AtPrefix, StringComparison.Ordinal) => (text[AtPrefix.Length..], true),
            _ => throw FuncTraceException.Validation("The cursor is not valid; use the next_cursor of a previous page.", "cursor"),
        };
    }
}
