using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.FakeOpenAi;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.Chat;

/// <summary>
/// The app pointed at a <see cref="FakeOpenAiServer"/> without retries (so one scripted failure is one failed call), and
/// helpers that chat as JSON or as a stream. Each test takes a tenant of its own.
/// </summary>
public sealed class ChatAppFixture : IAsyncLifetime
{
    private FakeOpenAiServer? _server;
    private FuncTraceApp? _app;

    public FakeOpenAiServer Server => _server ?? throw new InvalidOperationException("Not started.");

    public FuncTraceApp App => _app ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        _server = await FakeOpenAiServer.StartAsync();
        _app = FuncTraceApp.WithSettings(_server.AppSettings(("FuncTrace:Llm:MaxRetries", "0"), ("FuncTrace:Chat:HistoryMessages", "6")));
        await _app.StartAsync();
    }

    /// <summary>An ingest client of a new tenant.</summary>
    public async Task<HttpClient> NewTenantAsync() => App.ClientWithKey(await App.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest"));

    /// <summary>
    /// An ingest client of a new tenant that closes the connection when it drops a response mid-body: HttpClient's
    /// default reads up to 1 MiB more of it to reuse the connection, so the server would never see the client leave.
    /// </summary>
    public async Task<HttpClient> NewTenantThatHangsUpAsync()
    {
        var key = await App.CreateKeyAsync(FuncTraceApp.NewTenant(), "ingest");
        var client = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = App.BaseAddress };
        client.DefaultRequestHeaders.Add("X-API-Key", key);
        return client;
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>Chat requests as a client sends them.</summary>
public static class ChatCalls
{
    public static HttpRequestMessage Json(string path, object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Accept.ParseAdd("application/json");
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return request;
    }

    public static HttpRequestMessage Stream(string path, object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return request;
    }

    /// <summary>A JSON chat turn that must succeed.</summary>
    public static async Task<JsonElement> SendAsync(HttpClient client, object body, string? idempotencyKey = null)
    {
        using var request = Json("/api/chat", body, idempotencyKey);
        using var response = await client.SendAsync(request);
        return await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
    }

    /// <summary>A streamed chat turn read to its end.</summary>
    public static async Task<IReadOnlyList<SseEvent>> StreamAsync(HttpClient client, string path, object body, string? idempotencyKey = null)
    {
        using var request = Stream(path, body, idempotencyKey);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        return SseEvent.Parse(await response.Content.ReadAsStringAsync());
    }

    public static IReadOnlyList<string?> Types(IReadOnlyList<SseEvent> events) => events.Select(e => e.Data.GetProperty("type").GetString()).ToList();

    /// <summary>The conversation's chat messages as <c>GET api/chat/{id}</c> serves them.</summary>
    public static async Task<JsonElement[]> MessagesAsync(HttpClient client, string conversationId, string query = "")
    {
        var read = await client.GetFromJsonAsync<JsonElement>($"/api/chat/{conversationId}{query}");
        return read.GetProperty("messages").EnumerateArray().ToArray();
    }

    /// <summary>Waits until the views have counted <paramref name="messages"/> messages into the conversation's summary, and returns it.</summary>
    public static async Task<JsonElement> SummaryAsync(HttpClient client, string conversationId, long messages)
    {
        JsonElement summary = default;
        await Eventually.HoldsAsync($"conversation {conversationId} counts {messages} messages", async () =>
        {
            using var response = await client.GetAsync($"/api/conversations/{conversationId}");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }
            summary = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("conversation");
            return summary.GetProperty("message_count").GetInt64() == messages;
        });
        return summary;
    }
}
