using System.Text;
using System.Text.Json;

namespace FuncTrace.Bench.Infrastructure;

/// <summary>
/// The event every ingest scenario sends: an agent's assistant message with model and token usage and 1 KiB of
/// data, the heaviest common shape (it needs review, so it also writes the review-queue row, and it updates usage).
/// </summary>
public static class EventBodies
{
    public const string EventType = "assistant_response";
    public const string Model = "gpt-4o";
    public const int DataBytes = 1024;

    /// <summary>1 KiB of text as the <c>data</c> object serialises it.</summary>
    public static readonly string Text = MakeText();

    public static object Event(string conversationId) => new
    {
        conversation_id = conversationId,
        event_type = EventType,
        role = "assistant",
        model = Model,
        usage = new { prompt_tokens = 812, completion_tokens = 240, total_tokens = 1052 },
        data = new { text = Text },
    };

    public static ByteArrayContentFactory Single(string conversationId) => new(JsonSerializer.SerializeToUtf8Bytes(Event(conversationId)));

    /// <summary>The same event with a client-chosen id: the write that also stores the id's pointer.</summary>
    public static ByteArrayContentFactory WithId(string conversationId, string id) => new(JsonSerializer.SerializeToUtf8Bytes(new
    {
        id,
        conversation_id = conversationId,
        event_type = EventType,
        role = "assistant",
        model = Model,
        usage = new { prompt_tokens = 812, completion_tokens = 240, total_tokens = 1052 },
        data = new { text = Text },
    }));

    public static ByteArrayContentFactory Batch(string conversationId, int count) =>
        new(JsonSerializer.SerializeToUtf8Bytes(new { events = Enumerable.Range(0, count).Select(_ => Event(conversationId)).ToList() }));

    private static string MakeText()
    {
        var text = new StringBuilder();
        // {"text":"..."} adds 11 bytes around the string.
        while (text.Length < DataBytes - 11)
        {
            text.Append("The agent wrote the spec, ran the tests and summarised the result. ");
        }
        return text.ToString(0, DataBytes - 11);
    }
}

/// <summary>A request body serialised once and sent many times.</summary>
public sealed class ByteArrayContentFactory(byte[] body)
{
    public HttpContent Create() => new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } };
}
