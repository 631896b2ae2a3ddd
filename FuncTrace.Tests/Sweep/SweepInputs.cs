using System.Text;
using System.Text.Json.Nodes;

namespace FuncTrace.Tests.Sweep;

/// <summary>The bad inputs a sweep sends: bodies, field values, path segments, query values and keys.</summary>
public static class SweepInputs
{
    private const string Marker = "\"__sweep_marker__\"";

    public static string Long(int length, char c = 'a') => new(c, length);

    /// <summary><c>{"a":{"a":...}}</c> nested <paramref name="depth"/> deep.</summary>
    public static string Nested(int depth) => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);

    /// <summary>
    /// Bodies that are not a usable JSON object, each with whether a route reading JSON must refuse it (a byte order
    /// mark, a duplicate property or an unknown charset parameter around "{}" may pass).
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
        yield return ("a lone surrogate value", () => SweepRunner.Json("{\"a\": \"x\\uDC00y\"}"));
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
        yield return ("256 pipes", "\"" + Long(256, '|') + "\"");
        yield return ("2,000 characters of unicode", "\"" + string.Concat(Enumerable.Repeat("é漢🎉\\u200b", 500)) + "\"");
        yield return ("the earliest date", "\"0001-01-01T00:00:00Z\"");
        yield return ("the latest date", "\"9999-12-31T23:59:59.9999999Z\"");
        yield return ("nested 60 deep", Nested(60));
    }

    /// <summary>300,000 characters, for string fields only (the largest bad input per field).</summary>
    public static string HugeString { get; } = "\"" + Long(300_000, 'x') + "\"";

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
        var children = node switch
        {
            JsonObject obj => obj.Select(p => (Path: path + "." + p.Key, Child: p.Value)),
            JsonArray array => array.Select((child, i) => (Path: $"{path}[{i}]", Child: child)),
            _ => [],
        };
        foreach (var (childPath, child) in children.ToList())
        {
            yield return (childPath, child is JsonValue value && value.GetValueKind() == System.Text.Json.JsonValueKind.String);
            if (child is not null)
            {
                foreach (var nested in Fields(child, childPath))
                {
                    yield return nested;
                }
            }
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

    /// <summary>Values for a path segment, escaped as sent.</summary>
    /// <remarks>No NUL: the client cannot even build such a request (Kestrel refuses it with a 400 before any app code runs).</remarks>
    public static IEnumerable<(string Label, string Escaped)> PathValues()
    {
        string[] raw =
        [
            "does-not-exist", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "a/b", "a\\b", "a#b", "a?b", "a|b", "a%b", "\u0001\u007f", " ",
            "é漢🎉", Long(2000), Long(200, '|'), "..", "ALICE@EXAMPLE.COM", "key_0000000000000000",
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

    /// <summary>Query parameters the app's routes read somewhere; every route gets every one (a route ignores what it does not read).</summary>
    public static IReadOnlyList<string> QueryParameters { get; } =
        ["limit", "cursor", "offset", "from", "to", "order", "tenant", "user", "conversation_id", "event_type", "lastEventId", "include_archived"];

    /// <summary>Values for any query parameter, escaped as sent.</summary>
    public static IEnumerable<(string Label, string Escaped)> QueryValues(string parameter)
    {
        string[] raw =
        [
            "", "-1", "0", "2147483648", "99999999999999999999", "abc", "1.5", "\u0001", "a/b\\c#d?e", Long(2000), "é漢🎉",
            "2026-13-45", "9999-12-31T23:59:59.9999999Z", "0001-01-01T00:00:00+14:00", "!!!", "djE6", "TRUE", "desc ",
        ];
        foreach (var value in raw)
        {
            yield return (Describe(value), Uri.EscapeDataString(value));
        }
        foreach (var escaped in new[] { "%ED%A0%80", "%FF", $"1&{parameter}=2" })
        {
            yield return ($"raw {escaped}", escaped);
        }
    }

    /// <summary>Keys that must all be refused as unknown: none, empty, nonsense, too long, with spaces, not ASCII.</summary>
    public static IReadOnlyList<string?> BadKeys { get; } = [null, "ftk_unknown", "", Long(2000), "key with spaces", "é", "Bearer", "\t"];

    public static string Describe(string value) =>
        value.Length > 30 ? $"{value.Length} × '{value[0]}'" : string.Concat(value.Select(c => char.IsControl(c) || char.IsWhiteSpace(c) ? $"\\u{(int)c:x4}" : c.ToString()));
}
