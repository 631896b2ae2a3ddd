using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace FuncTrace.Tests.Infrastructure;

/// <summary>
/// A tenant of its own for one browser test, with real data written through the API as a client would: conversations
/// whose answers wait for review, artifacts, usage. The review queue and its counts are derived views, so
/// <see cref="WaitForPendingAsync"/> waits for them as a reviewer would.
/// </summary>
public sealed class ReviewTenant : IDisposable
{
    private readonly FuncTraceApp _app;

    private ReviewTenant(FuncTraceApp app, string tenant, string key)
    {
        _app = app;
        Name = tenant;
        Key = key;
        Client = app.ClientWithKey(key);
    }

    public string Name { get; }

    /// <summary>An ingest + review key: it writes the data and works the queue.</summary>
    public string Key { get; }

    public HttpClient Client { get; }

    public static async Task<ReviewTenant> CreateAsync(FuncTraceApp app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var tenant = FuncTraceApp.NewTenant();
        return new ReviewTenant(app, tenant, await app.CreateKeyAsync(tenant, "ingest", "review"));
    }

    /// <summary>Another key of this tenant (another reviewer).</summary>
    public Task<string> KeyAsync(params string[] roles) => _app.CreateKeyAsync(Name, roles);

    /// <summary>Stores one event; its id.</summary>
    public async Task<string> EventAsync(object body)
    {
        using var response = await Client.PostAsJsonAsync("/api/events", body);
        return (await ApiAssert.JsonAsync(response, HttpStatusCode.Created)).GetProperty("id").GetString()!;
    }

    /// <summary>A user's question and the model's answer, which waits for review; the answer's id.</summary>
    public async Task<string> ExchangeAsync(string conversationId, string question, string answer, string model = "gpt-4o-mini", DateTimeOffset? at = null)
    {
        var time = at ?? DateTimeOffset.UtcNow;
        await EventAsync(new { conversation_id = conversationId, event_type = "user_message", role = "user", timestamp = time.AddSeconds(-5), data = new { message = question } });
        return await EventAsync(new
        {
            conversation_id = conversationId,
            event_type = "assistant_response",
            role = "assistant",
            model,
            timestamp = time,
            usage = new { prompt_tokens = 40 * question.Length, completion_tokens = 12 * answer.Length, total_tokens = (40 * question.Length) + (12 * answer.Length) },
            data = new { response = answer },
        });
    }

    public async Task ArtifactAsync(string eventId, string name, string contentType, string content)
    {
        using var body = new StringContent(content, System.Text.Encoding.UTF8);
        body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        using var response = await Client.PutAsync($"/api/events/{eventId}/artifacts/{name}", body);
        await ApiAssert.JsonAsync(response, HttpStatusCode.Created);
    }

    /// <summary>Waits until the queue's count says <paramref name="count"/> events wait for review.</summary>
    public Task WaitForPendingAsync(int count) =>
        Eventually.HoldsAsync($"{count} events pending in {Name}", async () =>
            (await Client.GetFromJsonAsync<JsonElement>("/api/feedback/pending/count")).GetProperty("pending").GetInt64() == count);

    /// <summary>The event as the API shows it now.</summary>
    public Task<JsonElement> ReadEventAsync(string id) => Client.GetFromJsonAsync<JsonElement>($"/api/events/{Uri.EscapeDataString(id)}");

    /// <summary>The event's feedback, newest first.</summary>
    public async Task<JsonElement[]> FeedbackAsync(string id) =>
        (await Client.GetFromJsonAsync<JsonElement>($"/api/feedback?event_id={Uri.EscapeDataString(id)}")).GetProperty("feedback").EnumerateArray().ToArray();

    public void Dispose() => Client.Dispose();
}
