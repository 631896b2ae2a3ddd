using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace FuncTrace.Tests.Sweep;

/// <summary>One request of a sweep; <see cref="Content"/> makes a fresh body for each send.</summary>
public sealed record SweepCase(string Label, SweepRoute Route, string Method, string Url, string? Key, Func<HttpContent?>? Content = null, IReadOnlyList<(string Name, string Value)>? Headers = null)
{
    /// <summary>A further check of the answer (status and body); returns what is wrong, or null.</summary>
    public Func<HttpResponseMessage, string, string?>? Expect { get; init; }

    /// <summary>Storage is down on purpose: 503 is the right answer then (in the envelope, unless the route types its own 503 body).</summary>
    public bool StorageIsDown { get; init; }

    public override string ToString() => $"{Method} {Shorten(Url)} [{Label}]";

    public static string Shorten(string text) => text.Length <= 160 ? text : text[..150] + $"…({text.Length} chars)";
}

/// <summary>
/// Sends sweep cases with modest parallelism and checks the rules every answer keeps: no 5xx, an
/// <c>X-Request-Id</c>, and on a 4xx under <c>/api</c> the face's envelope as JSON (the standard one,
/// <c>{"success": false, "error"}</c> under <c>/api/external</c>), whose request id matches the header.
/// </summary>
public static class SweepRunner
{
    private const int Parallelism = 4;
    private static readonly TimeSpan StreamPeek = TimeSpan.FromMilliseconds(300);

    /// <summary>Every violation found, one line each; <paramref name="check"/> adds its own rule on every answer.</summary>
    public static async Task<IReadOnlyList<string>> RunAsync(HttpClient client, IEnumerable<SweepCase> cases,
        Func<SweepCase, HttpResponseMessage, string, IEnumerable<string>>? check = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        var violations = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (item, _) =>
        {
            foreach (var problem in await SendAsync(client, item, check))
            {
                violations.Add($"{item}: {problem}");
            }
        });
        return violations.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Fails with every violation listed; also asserts that the sweep sent something.</summary>
    public static async Task AssertCleanAsync(HttpClient client, IReadOnlyCollection<SweepCase> cases)
    {
        ArgumentNullException.ThrowIfNull(cases);
        Assert.NotEmpty(cases);
        var violations = await RunAsync(client, cases);
        Assert.True(violations.Count == 0, $"{violations.Count} of {cases.Count} requests broke the rules:\n" + string.Join("\n", violations.Take(60)));
    }

    private static async Task<List<string>> SendAsync(HttpClient client, SweepCase item, Func<SweepCase, HttpResponseMessage, string, IEnumerable<string>>? check)
    {
        using var request = new HttpRequestMessage(new HttpMethod(item.Method), item.Url) { Content = item.Content?.Invoke() };
        if (item.Key is not null)
        {
            request.Headers.TryAddWithoutValidation("X-API-Key", item.Key);
        }
        foreach (var (name, value) in item.Headers ?? [])
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                request.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var problems = new List<string>();
        string body;
        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            body = await PeekStreamAsync(response, problems);
        }
        else
        {
            body = await response.Content.ReadAsStringAsync();
            problems.AddRange(CheckAnswer(item, response, body));
        }
        if (item.Expect?.Invoke(response, body) is { } unexpected)
        {
            problems.Add(unexpected);
        }
        problems.AddRange(check?.Invoke(item, response, body) ?? []);
        return problems;
    }

    /// <summary>The rules for a non-streamed answer.</summary>
    public static IEnumerable<string> CheckAnswer(SweepCase item, HttpResponseMessage response, string body)
    {
        ArgumentNullException.ThrowIfNull(item);
        ArgumentNullException.ThrowIfNull(response);
        var route = item.Route;
        var status = (int)response.StatusCode;
        var requestId = response.Headers.TryGetValues("X-Request-Id", out var ids) ? ids.SingleOrDefault() : null;
        var unavailable = item.StorageIsDown && status == 503;
        if (status >= 500 && !unavailable && !(status == 501 && route.IsNotImplemented))
        {
            yield return $"status {status}: {SweepCase.Shorten(body)}";
        }
        if (string.IsNullOrEmpty(requestId))
        {
            yield return $"status {status} without X-Request-Id";
        }
        if (response.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.NotModified)
        {
            if (body.Length > 0)
            {
                yield return $"status {status} with a body: {SweepCase.Shorten(body)}";
            }
            yield break;
        }
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (status < 400)
        {
            if (mediaType == "application/json" && !IsJson(body))
            {
                yield return $"status {status}: application/json that does not parse: {SweepCase.Shorten(body)}";
            }
            yield break;
        }
        if (mediaType != "application/json")
        {
            yield return $"status {status} with Content-Type '{response.Content.Headers.ContentType}': {SweepCase.Shorten(body)}";
            yield break;
        }
        if (unavailable && Functions.OpenApi.OperationResponses.Of(route.Function).Any(r => r.Status == 503 && r.BodyType is not null))
        {
            yield break;
        }
        var envelopeProblem = route.IsExternal ? ExternalEnvelopeProblem(body) : EnvelopeProblem(body, requestId);
        if (envelopeProblem is not null)
        {
            yield return $"status {status}: {envelopeProblem}: {SweepCase.Shorten(body)}";
        }
    }

    /// <summary>What is wrong with a standard error envelope, or null.</summary>
    public static string? EnvelopeProblem(string body, string? requestId)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
            {
                return "not the error envelope";
            }
            if (!error.TryGetProperty("code", out var code) || code.ValueKind != JsonValueKind.String
                || !error.TryGetProperty("message", out var message) || string.IsNullOrWhiteSpace(message.GetString())
                || !error.TryGetProperty("details", out var details) || details.ValueKind != JsonValueKind.Object)
            {
                return "the envelope lacks code, message or details";
            }
            if (!root.TryGetProperty("timestamp", out _))
            {
                return "the envelope lacks a timestamp";
            }
            return root.TryGetProperty("request_id", out var id) && id.GetString() == requestId ? null : "request_id does not match X-Request-Id";
        }
        catch (JsonException)
        {
            return "the body is not JSON";
        }
    }

    /// <summary>What is wrong with the external face's failure envelope, or null.</summary>
    public static string? ExternalEnvelopeProblem(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.EnumerateObject().Select(p => p.Name).SequenceEqual(["success", "error"])
                && root.GetProperty("success").ValueKind == JsonValueKind.False
                && !string.IsNullOrWhiteSpace(root.GetProperty("error").GetString())
                ? null
                : "not {\"success\": false, \"error\"}";
        }
        catch (JsonException)
        {
            return "the body is not JSON";
        }
    }

    private static bool IsJson(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>Reads an event stream for a moment (or to its end): it must not break off with an error.</summary>
    private static async Task<string> PeekStreamAsync(HttpResponseMessage response, List<string> problems)
    {
        if (!response.Headers.Contains("X-Request-Id"))
        {
            problems.Add("stream without X-Request-Id");
        }
        var text = new StringBuilder();
        using var peek = new CancellationTokenSource(StreamPeek);
        try
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(peek.Token), Encoding.UTF8);
            var buffer = new char[4096];
            int read;
            while ((read = await reader.ReadAsync(buffer, peek.Token)) > 0)
            {
                text.Append(buffer, 0, read);
            }
        }
        catch (OperationCanceledException) when (peek.IsCancellationRequested)
        {
            // Still streaming when the peek ended: as it should be for a live tail.
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            problems.Add($"the stream broke off: {ex.GetType().Name}: {ex.Message}");
        }
        return text.ToString();
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static ByteArrayContent Bytes(byte[] bytes, string? contentType)
    {
        var content = new ByteArrayContent(bytes);
        if (contentType is not null)
        {
            content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        return content;
    }
}
