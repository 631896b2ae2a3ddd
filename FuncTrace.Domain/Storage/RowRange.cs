using System.Text;
using FuncTrace.Domain.Errors;
using FuncTrace.Domain.Storage.Tables;

namespace FuncTrace.Domain.Storage;

/// <summary>A page of rows from one row-key range of one partition, with an opaque cursor for the next.</summary>
public sealed record RowPage(IReadOnlyList<TableEntity> Rows, string? NextCursor);

/// <summary>
/// Reads a row-key range of one partition page by page. The cursor is the last row key served, checked to
/// lie inside the range, so a client can neither read past its query nor into another partition.
/// </summary>
public static class RowRange
{
    public const int MaxLimit = 1000;

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
            var after = DecodeCursor(cursor);
            if (string.CompareOrdinal(after, fromRowKey) < 0 || string.CompareOrdinal(after, toRowKeyExclusive) >= 0)
            {
                throw FuncTraceException.Validation("The cursor does not belong to this query; start again without it.", "cursor");
            }
            lower = TableFilter.Create($"RowKey gt {after}");
        }
        var filter = TableFilter.And(
            TableFilter.Create($"PartitionKey eq {partitionKey}"),
            lower,
            TableFilter.Create($"RowKey lt {toRowKeyExclusive}"),
            extraFilter);

        // One row more than asked tells whether a next page exists.
        var rows = new List<TableEntity>(Math.Min(limit + 1, MaxLimit + 1));
        await foreach (var page in table.QueryPagesAsync(filter, pageSize: Math.Min(limit + 1, MaxLimit), cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            rows.AddRange(page.Entities.Take(limit + 1 - rows.Count));
            if (rows.Count > limit)
            {
                break;
            }
        }
        if (rows.Count <= limit)
        {
            return new RowPage(rows, null);
        }
        rows.RemoveAt(limit);
        return new RowPage(rows, EncodeCursor(rows[^1].RowKey));
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

    private static string EncodeCursor(string rowKey) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes("v1:" + rowKey)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static string DecodeCursor(string cursor)
    {
        try
        {
            var base64 = cursor.Replace('-', '+').Replace('_', '/');
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=')));
            if (text.StartsWith("v1:", StringComparison.Ordinal))
            {
                return text[3..];
            }
        }
        catch (FormatException)
        {
            // Falls through to the validation error below.
        }
        throw FuncTraceException.Validation("The cursor is not valid; use the next_cursor of a previous page.", "cursor");
    }
}
