using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using FuncTrace.Domain.Errors;
using FuncTrace.Functions.Events;
using FuncTrace.Functions.Shared;

namespace FuncTrace.Functions.Conversations;

/// <summary>
/// Writes one conversation to the response as JSON or Markdown while its events are read, a page at a time, so a long
/// conversation never sits in memory whole. The summary goes first; each page is flushed before the next is read.
/// </summary>
public sealed partial class ConversationExport(EventReader reader)
{
    public const string Json = "json";
    public const string Markdown = "markdown";
    private const int PageSize = 100;

    // Markdown is read by people: characters HTML would escape stay as they are.
    private static readonly JsonSerializerOptions IndentedJson = new(JsonBody.SnakeCase) { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string ParseFormat(string? format) => format switch
    {
        null or Json => Json,
        Markdown => Markdown,
        _ => throw FuncTraceException.Validation("'format' must be 'json' or 'markdown'.", "format"),
    };

    public async Task WriteAsync(HttpResponse response, string tenant, ConversationSummary summary, string format, DateTimeOffset exportedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(summary);
        var markdown = format == Markdown;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = markdown ? "text/markdown; charset=utf-8" : "application/json; charset=utf-8";
        response.Headers.ContentDisposition = $"attachment; filename=\"conversation-{FileNamePart(summary.ConversationId)}.{(markdown ? "md" : "json")}\"";
        var pages = PagesAsync(tenant, summary.ConversationId, cancellationToken);
        if (markdown)
        {
            await WriteMarkdownAsync(response.Body, summary, exportedAt, pages, cancellationToken);
        }
        else
        {
            await WriteJsonAsync(response, summary, exportedAt, pages, cancellationToken);
        }
    }

    private async IAsyncEnumerable<IReadOnlyList<EventRecord>> PagesAsync(string tenant, string conversationId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? cursor = null;
        do
        {
            var page = await reader.ListConversationAsync(tenant, new EventQuery(conversationId, null, null, null, PageSize, cursor, Descending: false), cancellationToken);
            yield return page.Events;
            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    /// <summary>The writer fills the response's pipe (serializing flushes the writer, which must not write to the socket); each page is sent.</summary>
    private static async Task WriteJsonAsync(HttpResponse response, ConversationSummary summary, DateTimeOffset exportedAt, IAsyncEnumerable<IReadOnlyList<EventRecord>> pages, CancellationToken cancellationToken)
    {
        var pipe = response.BodyWriter;
        await using var json = new Utf8JsonWriter(pipe, new JsonWriterOptions { MaxDepth = JsonBody.MaxWriteDepth });
        json.WriteStartObject();
        json.WritePropertyName("conversation");
        JsonSerializer.Serialize(json, ConversationResponse.From(summary), JsonBody.SnakeCase);
        json.WriteString("exported_at", exportedAt);
        json.WriteStartArray("events");
        await foreach (var page in pages)
        {
            foreach (var record in page)
            {
                JsonSerializer.Serialize(json, EventResponse.From(record), JsonBody.SnakeCase);
            }
            await json.FlushAsync(cancellationToken);
            await pipe.FlushAsync(cancellationToken);
        }
        json.WriteEndArray();
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken);
        await pipe.FlushAsync(cancellationToken);
    }

    private static async Task WriteMarkdownAsync(Stream body, ConversationSummary summary, DateTimeOffset exportedAt, IAsyncEnumerable<IReadOnlyList<EventRecord>> pages, CancellationToken cancellationToken)
    {
        await using var text = new StreamWriter(body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024, leaveOpen: true) { NewLine = "\n" };
        await text.WriteLineAsync(MarkdownHeader(summary, exportedAt).AsMemory(), cancellationToken);
        await foreach (var page in pages)
        {
            foreach (var record in page)
            {
                await text.WriteLineAsync(MarkdownEvent(record).AsMemory(), cancellationToken);
            }
            await text.FlushAsync(cancellationToken);
        }
    }

    private static string MarkdownHeader(ConversationSummary summary, DateTimeOffset exportedAt)
    {
        var header = new StringBuilder();
        header.Append("# ").AppendLine(OneLine(summary.Title ?? summary.Name ?? summary.ConversationId)).AppendLine();
        header.Append("- Conversation: ").AppendLine(Code(summary.ConversationId));
        header.Append("- Created: ").AppendLine(Time(summary.CreatedAt));
        header.Append("- Last activity: ").AppendLine(Time(summary.LastActivity));
        header.Append(CultureInfo.InvariantCulture, $"- Messages: {summary.MessageCount}, events: {summary.EventCount}").AppendLine();
        header.Append(CultureInfo.InvariantCulture, $"- Tokens: {summary.PromptTokens} prompt, {summary.CompletionTokens} completion, {summary.TotalTokens} total").AppendLine();
        header.Append("- Exported: ").AppendLine(Time(exportedAt));
        return header.ToString();
    }

    /// <summary>A message as its words under who said them; any other event as its type and data in a JSON block.</summary>
    private static string MarkdownEvent(EventRecord record)
    {
        var block = new StringBuilder();
        var assistant = record.Role == "assistant" || record.EventType == "assistant_response";
        var speaker = assistant ? "Assistant" : MessageText.IsMessage(record.Role, record.EventType) ? "User" : null;
        var words = assistant ? MessageText.AssistantText(record.Role, record.EventType, record.Data) : MessageText.UserText(record.Role, record.EventType, record.Data);
        block.Append("## ").Append(speaker ?? OneLine(record.EventType));
        if (record.Model is { } model)
        {
            block.Append(" (").Append(OneLine(model)).Append(')');
        }
        block.Append(" · ").AppendLine(Time(record.Timestamp)).AppendLine();
        if (speaker is not null && words is not null)
        {
            block.AppendLine(words);
        }
        else
        {
            var data = JsonSerializer.Serialize(record.Data, IndentedJson);
            var fence = new string('`', Math.Max(3, LongestBacktickRun(data) + 1));
            block.Append(fence).AppendLine("json").AppendLine(data).AppendLine(fence);
        }
        return block.ToString();
    }

    private static string Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) ?? "unknown";

    private static string Code(string value) => "`" + value.Replace("`", "'", StringComparison.Ordinal) + "`";

    private static string OneLine(string value) => LineBreaks().Replace(value, " ");

    private static int LongestBacktickRun(string text) => BacktickRuns().Matches(text).Select(m => m.Length).DefaultIfEmpty(0).Max();

    /// <summary>The id as a file name: characters a file name or header could trip on become <c>_</c>.</summary>
    private static string FileNamePart(string id)
    {
        var safe = UnsafeFileNameCharacters().Replace(id, "_");
        return safe.Length <= 100 ? safe : safe[..100];
    }

    [GeneratedRegex(@"[\r\n]+")]
    private static partial Regex LineBreaks();

    [GeneratedRegex("`+")]
    private static partial Regex BacktickRuns();

    [GeneratedRegex("[^A-Za-z0-9._-]")]
    private static partial Regex UnsafeFileNameCharacters();
}
