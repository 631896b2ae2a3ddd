using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FuncTrace.Tests.Infrastructure;

namespace FuncTrace.Tests.BatchScoring;

/// <summary>The requests batch-scoring tests make, read back as the tests assert on them.</summary>
public static class BatchScoreClient
{
    /// <summary>Runs a job to its end through the waiting POST; its id comes in the X-Job-Id header.</summary>
    public static async Task<string> StartAndWaitAsync(HttpClient client, object[] tests)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var response = await client.PostAsJsonAsync("/api/batchScore", new { judgingMatrix = "rubric", tests });
        await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
        return response.Headers.GetValues("X-Job-Id").Single();
    }

    /// <summary>Starts a job on an app that answers 202 at once (WaitSeconds 0); its id.</summary>
    public static async Task<string> StartAsync(HttpClient client, object body, string? idempotencyKey = null)
    {
        using var response = await PostAsync(client, body, idempotencyKey);
        return (await ApiAssert.JsonAsync(response, HttpStatusCode.Accepted)).GetProperty("jobId").GetString()!;
    }

    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, object body, string? idempotencyKey)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/batchScore") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        return await client.SendAsync(request);
    }

    public static async Task<JsonElement> StatusAsync(HttpClient client, string jobId)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var response = await client.GetAsync($"/api/batchScore/{jobId}");
        return await ApiAssert.JsonAsync(response, HttpStatusCode.OK);
    }

    public static async Task<HttpResponseMessage> SendStreamRequestAsync(HttpClient client, string jobId, string? lastEventId)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/batchScore/{jobId}/events");
        request.Headers.Accept.ParseAdd("text/event-stream");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }
        return await client.SendAsync(request);
    }

    /// <summary>The whole stream, which ends when the job does.</summary>
    public static async Task<IReadOnlyList<SseEvent>> ReadStreamAsync(HttpClient client, string jobId, string? lastEventId)
    {
        using var response = await SendStreamRequestAsync(client, jobId, lastEventId);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return SseEvent.Parse(await response.Content.ReadAsStringAsync());
    }

    public static string TypeOf(SseEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e.Data.GetProperty("type").GetString()!;
    }
}
