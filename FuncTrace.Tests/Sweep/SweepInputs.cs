using System.Text;
using System.Text.Json.Nodes;

namespace FuncTrace.Tests.Sweep;

/// <summary>The bad inputs a sweep sends, and the valid bodies and query parameters each route starts from.</summary>
public static class SweepInputs
{
    private const string Marker = "\"__sweep_marker__\"";

    public static string Long(int length, char c = 'a') => new(c, length);

    /// <summary><c>{"a":{"a":...}}</c> nested <paramref name="depth"/> deep.</summary>
    public static string Nested(int depth) => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);

    /// <summary>
    /// Bodies that are not a usable JSON object, each with the content it is sent as, and whether a route reading JSON
    /// must refuse it (a byte order mark, a duplicate property or an unknown charset parameter around "{}" may pass).
    /// </summary>
    public static IEnumerable<(string Label, Func<HttpContent> Content, bool Refused)> MalformedBodies()
    {
        string[] tolerated = ["a byte order mark", "a duplicate property", "a JSON content type with a bad charset"];
        foreach (var (label, content) in BodiesNotObjects())
        {
            yield return (label, content, !tolerated.Contains(label));
        }
    }

    private static IEnumerable<(string Label, Func<HttpContent> Content)> BodiesNotObjects()
    {
        yield return ("truncated JSON", () => SweepRunner.Json("{\"a\": "));
        yield return ("single quotes", () => SweepRunner.Json("{'a': 1}"));
        yield return ("trailing comma", () => SweepRunner.Json("{\"a\": 1,}"));
        yield return ("trailing garbage", () => SweepRunner.Json("{} x"));
        yield return ("two objects", () => SweepRunner.Json("{}{}"));
        yield return ("a comment", () => SweepRunner.Json("{/* c */}"));
        yield return ("NaN", () => SweepRunner.Json("{\"a\": NaN}"));
        yield return ("an unterminated string", () => SweepRunner.Json("{\"a\": \"b}"));
        yield return ("a raw control character in a string", () => SweepRunner.Json("{\"a\": \"\u0001\"}"));
        yield return ("invalid UTF-8", () => SweepRunner.Bytes([(byte)'{', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)':', (byte)'1', (byte)'}'], "application/json"));
        yield return ("a byte order mark", () => SweepRunner.Bytes([0xEF, 0xBB, 0xBF, (byte)'{', (byte)'}'], "application/json"));
        yield return ("UTF-16 declared as such", () => SweepRunner.Bytes(Encoding.Unicode.GetBytes("{\"a\": 1}"), "application/json; charset=utf-16"));
        yield return ("a JSON array", () => SweepRunner.Json("[{\"a\": 1}]"));
        yield return ("a JSON string", () => SweepRunner.Json("\"text\""));
        yield return ("a JSON number", () => SweepRunner.Json("12"));
        yield return ("JSON null", () => SweepRunner.Json("null"));
        yield return ("JSON true", () => SweepRunner.Json("true"));
        yield return ("an empty body", () => SweepRunner.Json(string.Empty));
        yield return ("whitespace only", () => SweepRunner.Json("  \n "));
        yield return ("depth 2000", () => SweepRunner.Json(Nested(2000)));
        yield return ("depth 65", () => SweepRunner.Json(Nested(65)));
        yield return ("an array 2000 deep", () => SweepRunner.Json("{\"a\":" + new string('[', 2000) + new string(']', 2000) + "}"));
        yield return ("a duplicate property", () => SweepRunner.Json("{\"a\": 1, \"a\": 2}"));
        yield return ("a lone surrogate property name", () => SweepRunner.Json("{\"\\uD800\": 1}"));
        yield return ("text/plain", () => new StringContent("{}", Encoding.UTF8, "text/plain"));
        yield return ("application/xml", () => new StringContent("<a/>", Encoding.UTF8, "application/xml"));
        yield return ("a form", () => new FormUrlEncodedContent([new("a", "1")]));
        yield return ("multipart", () => new MultipartFormDataContent { { new StringContent("{}"), "a" } });
        yield return ("no content type", () => SweepRunner.Bytes(Encoding.UTF8.GetBytes("{}"), null));
        yield return ("a bogus content type", () => SweepRunner.Bytes(Encoding.UTF8.GetBytes("{}"), "application/x-nonsense"));
        yield return ("a JSON content type with a bad charset", () => SweepRunner.Bytes(Encoding.UTF8.GetBytes("{}"), "application/json; charset=nonsense"));
        yield return ("chunked garbage", () => new ChunkedContent("{\"a\": ["));
    }

    /// <summary>Raw JSON put in place of one field of a valid body.</summary>
    public static IEnumerable<(string Label, string Json)> FieldReplacements()
    {
        yield return ("a number as a string", "\"12\"");
        yield return ("a number", "12");
        yield return ("a number beyond double", "1e400");
        yield return ("a number beyond long", "123456789012345678901234567890");
        yield return ("a boolean", "true");
        yield return ("an object", "{}");
        yield return ("an array of objects", "[{\"a\": 1}]");
        yield return ("null", "null");
        yield return ("an empty string", "\"\"");
        yield return ("a lone surrogate", "\"\\uD800\"");
        yield return ("/ \\ # ? and control characters", "\"a/b\\\\c#d?e\\u0000\\u001f\"");
        yield return ("128 pipes", "\"" + Long(128, '|') + "\"");
        yield return ("256 pipes", "\"" + Long(256, '|') + "\"");
        yield return ("2,000 characters of unicode", "\"" + string.Concat(Enumerable.Repeat("é漢🎉\\u200b", 500)) + "\"");
        yield return ("the earliest date", "\"0001-01-01T00:00:00Z\"");
        yield return ("the latest date", "\"9999-12-31T23:59:59.9999999Z\"");
    }

    /// <summary>300,000 characters, for string fields only (the largest bad input per field).</summary>
    public static string HugeString { get; } = "\"" + Long(300_000, 'x') + "\"";

    /// <summary>
    /// A valid body for each route that reads one, as JSON (null: the route reads no JSON). Every field is swept with
    /// <see cref="FieldReplacements"/>. A route missing here fails the sweep, so a new route must add its body.
    /// </summary>
    public static string? SampleBody(SweepRoute route, SweepSeed seed)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(seed);
        return route.ToString() switch
        {
            "POST /api/admin/keys" => $$"""{"tenant": "{{seed.TenantA}}", "roles": ["ingest"], "name": "sweep"}""",
            "POST /api/admin/users" => $$"""{"tenant": "{{seed.TenantA}}", "email": "sweep@example.com"}""",
            "POST /api/events" => EventBody,
            "POST /api/events/batch" => "{\"events\": [" + EventBody + "]}",
            "POST /api/feedback" => """{"event_id": "evt-sweep", "feedback_message": "ok", "status": "pending", "value": 1, "submitted_at": "2026-01-01T00:00:00Z"}""",
            "POST /api/prompt" => """{"system": "Be terse.", "messages": [{"role": "user", "content": "hi"}], "conversation_id": "conv-sweep"}""",
            "POST /api/batchScore" => """{"judgingMatrix": "10 = right", "tests": [{"id": 1, "text": "want 3"}]}""",
            "POST /api/sessions" => """{"name": "sweep", "metadata": {"channel": "web"}}""",
            "POST /api/sessions/{id}/events" => """{"event_type": "tool_call", "data": {"tool": "x"}, "metadata": {"step": 1}}""",
            "POST /api/external/trace/submit" => $$"""
                {"email": "{{SweepFixture.Email}}", "message": "m", "role": "assistant", "response": "r", "ipAddress": "203.0.113.7",
                 "metadata": {"chatId": "chat-sweep", "source": "web", "task": "answer", "model": "gpt-4o", "modelName": "gpt-4o", "tags": ["docs"],
                              "timestamp": "2026-01-01T00:00:00Z", "usage": {"promptTokens": 1, "completionTokens": 1, "totalTokens": 2} } }
                """,
            "POST /api/external/trace/feedback" => """{"traceId": "evt-sweep", "messageId": "evt-sweep", "value": 1, "score": 1, "comment": "c"}""",
            "POST /api/feedback/pending/claim" or "POST /api/conversations/{id}/archive" or "PUT /api/events/{id}/artifacts/{name}" => null,
            _ => throw new InvalidOperationException($"The sweep has no sample body for {route}: add one to SweepInputs.SampleBody."),
        };
    }

    private const string EventBody = """
        {"conversation_id": "conv-sweep", "event_type": "tool_call", "timestamp": "2026-01-01T00:00:00Z", "data": {"k": "v"},
         "requires_feedback": false, "role": "assistant", "model": "gpt-4o", "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
         "user": "sweep@example.com", "metadata": {"m": 1}}
        """;

    /// <summary>Each field of <paramref name="sampleJson"/> (at any depth) replaced by each bad value in turn.</summary>
    public static IEnumerable<(string Label, string Json)> WrongTypeBodies(string sampleJson)
    {
        ArgumentNullException.ThrowIfNull(sampleJson);
        foreach (var (path, isString) in Fields(JsonNode.Parse(sampleJson)!, "$"))
        {
            var replacements = FieldReplacements().ToList();
            if (isString)
            {
                replacements.Add(("300,000 characters", HugeString));
            }
            foreach (var (label, json) in replacements)
            {
                var root = JsonNode.Parse(sampleJson)!;
                Replace(root, path, JsonValue.Create("__sweep_marker__"));
                yield return ($"{path} = {label}", root.ToJsonString().Replace(Marker, json, StringComparison.Ordinal));
            }
        }
    }

    private static IEnumerable<(string Path, bool IsString)> Fields(JsonNode node, string path)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, child) in obj)
                {
                    var childPath = path + "." + name;
                    yield return (childPath, child is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.String);
                    if (child is not null)
                    {
                        foreach (var nested in Fields(child, childPath))
                        {
                            yield return nested;
                        }
                    }
                }
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var childPath = $"{path}[{i}]";
                    yield return (childPath, array[i] is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.String);
                    foreach (var nested in Fields(array[i]!, childPath))
                    {
                        yield return nested;
                    }
                }
                break;
        }
    }

    private static void Replace(JsonNode root, string path, JsonNode replacement)
    {
        var node = root;
        var steps = path[1..].Replace("[", ".[", StringComparison.Ordinal).Split('.', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < steps.Length; i++)
        {
            var step = steps[i];
            var last = i == steps.Length - 1;
            if (step.StartsWith('['))
            {
                var index = int.Parse(step[1..^1], System.Globalization.CultureInfo.InvariantCulture);
                if (last)
                {
                    node.AsArray()[index] = replacement;
                    return;
                }
                node = node.AsArray()[index]!;
            }
            else
            {
                if (last)
                {
                    node.AsObject()[step] = replacement;
                    return;
                }
                node = node.AsObject()[step]!;
            }
        }
    }

    /// <summary>Values for a path segment (ids, conversation ids, emails, job ids, artifact names), escaped as sent.</summary>
    /// <remarks>No NUL: the test server cannot even build such a request (Kestrel refuses it with a 400 before any app code runs).</remarks>
    public static IEnumerable<(string Label, string Escaped)> PathValues()
    {
        string[] raw =
        [
            "does-not-exist", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "a/b", "a\\b", "a#b", "a?b", "a|b", "a%b", "\u0001\u007f", " ",
            "é漢🎉", Long(2000), Long(200, '|'), "..", "ALICE@EXAMPLE.COM",
        ];
        foreach (var value in raw)
        {
            yield return (Describe(value), Uri.EscapeDataString(value));
        }
        foreach (var escaped in new[] { "%2F", "%2e%2e", "%ED%A0%80", "%FF", "%25" })
        {
            yield return ($"raw {escaped}", escaped);
        }
    }

    /// <summary>The query parameters each route reads (routes not listed get every name here).</summary>
    public static IReadOnlyList<string> QueryParameters(SweepRoute route)
    {
        ArgumentNullException.ThrowIfNull(route);
        string[] eventQuery = ["conversation_id", "event_type", "from", "to", "limit", "cursor", "order"];
        return route.ToString() switch
        {
            "GET /api/admin/keys" or "GET /api/admin/users" or "DELETE /api/admin/users/{email}" => ["tenant"],
            "GET /api/events" or "GET /api/feedback/pending" or "POST /api/feedback/pending/claim" => eventQuery,
            "GET /api/feedback" => ["event_id"],
            "GET /api/conversations" => ["user", "include_archived", "limit", "cursor"],
            "GET /api/conversations/{id}" => ["limit", "cursor"],
            "GET /api/sessions/{id}/events" => ["limit", "offset", "event_type"],
            "GET /api/sessions/{id}/events/stream" or "GET /api/batchScore/{jobId}/events" => ["lastEventId"],
            "GET /api/usage" => ["from", "to", "group_by", "user", "model"],
            "GET /api/events/{id}" or "GET /api/events/{id}/artifacts" or "GET /api/events/{id}/artifacts/{name}" or "GET /api/health"
                or "GET /api/status" or "GET /api/observability/metrics" or "GET /api/sessions/{id}" or "GET /api/sessions/{id}/events/{eventId}"
                or "GET /api/batchScore/{jobId}" or "GET /api/external/health" or "GET /openapi/{documentName}.json" => [],
            _ when route.Method == "GET" => ["limit", "offset", "cursor", "from", "to", "order", "tenant", "user"],
            _ => [],
        };
    }

    /// <summary>Values for <paramref name="parameter"/>, escaped as sent: hostile text for every one, plus what its kind invites.</summary>
    public static IEnumerable<(string Label, string Escaped)> QueryValues(string parameter)
    {
        List<string> raw = ["", "-1", "0", "2147483648", "99999999999999999999", "abc", "1.5", "\u0001", "a/b\\c#d?e", Long(2000), "é漢🎉"];
        raw.AddRange(parameter switch
        {
            "from" or "to" =>
            [
                "2026-13-45", "2026-02-30T25:61:00Z", "2026-01-01T00:00:00+99:99", "0001-01-01", "9999-12-31", "9999-12-31T23:59:59.9999999Z",
                "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00",
            ],
            "cursor" => ["djE6", "djE6eHx8", "!!!", "====", "dj", "djE6dHw", "djE6cXw", Long(2000, 'A')],
            "limit" or "offset" => ["1000", "1001", "10001", "+5", "0x10", "1e3"],
            _ => ["TRUE", "desc ", "Day"],
        });
        foreach (var value in raw)
        {
            yield return (Describe(value), Uri.EscapeDataString(value));
        }
        foreach (var escaped in new[] { "%ED%A0%80", "%FF", $"1&{parameter}=2" })
        {
            yield return ($"raw {escaped}", escaped);
        }
    }

    /// <summary><c>Last-Event-ID</c> values for the two event streams.</summary>
    public static IEnumerable<string> LastEventIds() =>
    [
        "", " ", "abc", "-1", "0", "1", "1.1", "1.2", "1.9", "2.1", "0.0", "-1.2", "1.1.1", ".", "..", "complete", "error", "COMPLETE",
        "99999999999999999999", "9223372036854775807", "9223372036854775806", "9223372036854775807.1", "9223372036854775807.2",
        "1e3", "\u0001", "é", Long(2000),
    ];

    /// <summary><c>Range</c> values for the artifact download (the artifact is 10 bytes).</summary>
    public static IEnumerable<string> RangeHeaders() =>
    [
        "bytes=0-0", "bytes=0-", "bytes=9-", "bytes=10-", "bytes=11-", "bytes=5-2", "bytes=-3", "bytes=-0", "bytes=0-999999999999999999",
        "bytes=999999999999999999-", "bytes=999999999999999998-999999999999999999", "bytes=0-9223372036854775807", "bytes=0-1,3-4",
        "items=0-1", "bytes=", "bytes=abc", "bytes= 0-1", "BYTES=0-1", "bytes=00000000000000000-1", "bytes=-", "\u0001", Long(2000),
    ];

    public static string Describe(string value) =>
        value.Length > 30 ? $"{value.Length} × '{value[0]}'" : string.Concat(value.Select(c => char.IsControl(c) || char.IsWhiteSpace(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}
