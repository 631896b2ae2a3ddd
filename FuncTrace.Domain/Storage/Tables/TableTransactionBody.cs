using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;

namespace FuncTrace.Domain.Storage.Tables;

/// <summary>
/// The multipart/mixed body of an entity-group transaction (one changeset inside one batch) and the
/// parsing of the service's multipart answer.
/// </summary>
internal sealed partial class TableTransactionBody(IReadOnlyList<TableTransactionAction> actions, Uri tableUri, Func<string, string, Uri> entityUri)
{
    public const int MaxActions = 100;
    private readonly string _batchBoundary = "batch_" + Guid.NewGuid().ToString("N");
    private readonly string _changesetBoundary = "changeset_" + Guid.NewGuid().ToString("N");

    public string ContentType => $"multipart/mixed; boundary={_batchBoundary}";

    public static void Validate(IReadOnlyList<TableTransactionAction> actions)
    {
        ArgumentNullException.ThrowIfNull(actions);
        if (actions.Count == 0)
        {
            throw new ArgumentException("A transaction needs at least one action.", nameof(actions));
        }
        if (actions.Count > MaxActions)
        {
            throw new ArgumentException($"A transaction holds at most {MaxActions} actions; this one has {actions.Count}.", nameof(actions));
        }
        var partitionKey = actions[0].Entity.PartitionKey;
        var rowKeys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var action in actions)
        {
            TableKeys.Validate(action.Entity.PartitionKey, "PartitionKey");
            TableKeys.Validate(action.Entity.RowKey, "RowKey");
            if (!string.Equals(action.Entity.PartitionKey, partitionKey, StringComparison.Ordinal))
            {
                throw new ArgumentException("All actions of a transaction must share one PartitionKey.", nameof(actions));
            }
            if (!rowKeys.Add(action.Entity.RowKey))
            {
                throw new ArgumentException($"RowKey '{action.Entity.RowKey}' appears twice in one transaction.", nameof(actions));
            }
        }
    }

    public byte[] Build()
    {
        var body = new StringBuilder();
        body.Append("--").Append(_batchBoundary).Append("\r\n")
            .Append("Content-Type: multipart/mixed; boundary=").Append(_changesetBoundary).Append("\r\n\r\n");

        for (var index = 0; index < actions.Count; index++)
        {
            var action = actions[index];
            var (method, uri, ifMatch, hasBody) = action.ActionType switch
            {
                TableTransactionActionType.Add => ("POST", tableUri, null, true),
                TableTransactionActionType.UpsertReplace => ("PUT", EntityUri(action), null, true),
                TableTransactionActionType.UpsertMerge => ("MERGE", EntityUri(action), null, true),
                TableTransactionActionType.UpdateReplace => ("PUT", EntityUri(action), IfMatch(action.ETag), true),
                TableTransactionActionType.UpdateMerge => ("MERGE", EntityUri(action), IfMatch(action.ETag), true),
                TableTransactionActionType.Delete => ("DELETE", EntityUri(action), IfMatch(action.ETag), false),
                _ => throw new ArgumentOutOfRangeException(nameof(actions), action.ActionType, "Unknown transaction action."),
            };

            body.Append("--").Append(_changesetBoundary).Append("\r\n")
                .Append("Content-Type: application/http\r\n")
                .Append("Content-Transfer-Encoding: binary\r\n\r\n")
                .Append(method).Append(' ').Append(uri.AbsoluteUri).Append(" HTTP/1.1\r\n")
                .Append("Accept: application/json;odata=minimalmetadata\r\n")
                .Append("DataServiceVersion: 3.0\r\n")
                .Append("Content-ID: ").Append(index).Append("\r\n");
            if (ifMatch is not null)
            {
                body.Append("If-Match: ").Append(ifMatch).Append("\r\n");
            }
            if (hasBody)
            {
                body.Append("Prefer: return-no-content\r\n")
                    .Append("Content-Type: application/json\r\n\r\n")
                    .Append(Encoding.UTF8.GetString(TableEntityJson.Serialize(action.Entity))).Append("\r\n");
            }
            else
            {
                body.Append("\r\n");
            }
        }

        body.Append("--").Append(_changesetBoundary).Append("--\r\n")
            .Append("--").Append(_batchBoundary).Append("--\r\n");
        return Encoding.UTF8.GetBytes(body.ToString());
    }

    /// <summary>
    /// Reads each sub-response's status line. One failure means the service rolled back the whole
    /// changeset; its error message starts with the index of the action it refused ("3:The specified ...").
    /// </summary>
    public static IReadOnlyList<ETag> ParseResponse(string body, IReadOnlyList<TableTransactionAction> actions)
    {
        var statuses = StatusLine().Matches(body);
        var failure = statuses.FirstOrDefault(m => int.Parse(m.Groups["status"].Value, System.Globalization.CultureInfo.InvariantCulture) >= 300);
        if (failure is not null || statuses.Count == 0)
        {
            throw CreateFailure(body, failure);
        }

        var etags = ETagHeader().Matches(body).Select(m => new ETag(m.Groups["etag"].Value.Trim())).ToList();
        var result = new ETag[actions.Count];
        var next = 0;
        for (var i = 0; i < actions.Count; i++)
        {
            if (actions[i].ActionType != TableTransactionActionType.Delete && next < etags.Count)
            {
                result[i] = etags[next++];
            }
        }
        return result;
    }

    private static TableTransactionFailedException CreateFailure(string body, Match? failure)
    {
        var status = failure is null ? 500 : int.Parse(failure.Groups["status"].Value, System.Globalization.CultureInfo.InvariantCulture);
        string? code = null;
        string? detail = null;
        var jsonStart = failure is null ? -1 : body.IndexOf('{', failure.Index);
        if (jsonStart >= 0)
        {
            try
            {
                using var json = JsonDocument.Parse(ReadJsonObject(body, jsonStart));
                if (json.RootElement.TryGetProperty("odata.error", out var error))
                {
                    code = error.TryGetProperty("code", out var c) ? c.GetString() : null;
                    detail = error.TryGetProperty("message", out var m) && m.TryGetProperty("value", out var v) ? v.GetString() : null;
                }
            }
            catch (JsonException)
            {
                detail = null;
            }
        }

        int? index = null;
        if (detail is not null && FailedIndex().Match(detail) is { Success: true } indexMatch)
        {
            index = int.Parse(indexMatch.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture);
        }
        var message = $"Table transaction failed with {status}" + (code is null ? "" : $" ({code})") + (detail is null ? "." : $": {detail.Split('\n')[0]}");
        return new TableTransactionFailedException(status, message, code, index);
    }

    /// <summary>The JSON object starting at <paramref name="start"/>, up to its matching brace.</summary>
    private static string ReadJsonObject(string text, int start)
    {
        var depth = 0;
        var inString = false;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inString = false;
                }
                continue;
            }
            switch (c)
            {
                case '"':
                    inString = true;
                    break;
                case '{':
                    depth++;
                    break;
                case '}' when --depth == 0:
                    return text[start..(i + 1)];
            }
        }
        return text[start..];
    }

    private Uri EntityUri(TableTransactionAction action) => entityUri(action.Entity.PartitionKey, action.Entity.RowKey);

    private static string IfMatch(ETag etag) => etag == default ? "*" : etag.ToString();

    [GeneratedRegex(@"^HTTP/1\.1 (?<status>\d{3})", RegexOptions.Multiline)]
    private static partial Regex StatusLine();

    [GeneratedRegex(@"^ETag:\s*(?<etag>.+?)\r?$", RegexOptions.Multiline | RegexOptions.IgnoreCase)]
    private static partial Regex ETagHeader();

    [GeneratedRegex(@"^(?<index>\d+):")]
    private static partial Regex FailedIndex();
}
