using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.AspNetCore.WebUtilities;

namespace FuncTrace.Functions.OpenApi;

/// <summary>
/// The OpenAPI 3.1 document of every HTTP function in a <see cref="FunctionCatalog"/>: its route, methods, the body it
/// reads (<see cref="RequestBodyAttribute"/>), every answer its typed return type names (<see cref="OperationResponses"/>),
/// the failures the shared pipeline can give it (in the envelope, or the external face's own shape), and the API-key
/// security its <see cref="AccessAttribute"/> asks for. Built from attributes alone, so a new function is in it at once.
/// </summary>
public static class OpenApiDocument
{
    public const string ApiKeyScheme = "ApiKey";
    public const string BearerScheme = "Bearer";
    public const string EnvelopeSchema = "ErrorEnvelope";

    /// <summary>The app's snake_case options, reading nullability from the records' annotations.</summary>
    private static readonly JsonSerializerOptions SchemaOptions = new(JsonBody.SnakeCase)
    {
        RespectNullableAnnotations = true,
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    public static JsonObject Build(FunctionCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var schemas = new SchemaComponents(SchemaOptions);
        var paths = new JsonObject();
        foreach (var route in catalog.Http.GroupBy(f => PathOf(f.Route)).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var item = new JsonObject();
            foreach (var function in route)
            {
                foreach (var method in function.Methods)
                {
                    item[method.ToLowerInvariant()] = Operation(function, schemas);
                }
            }
            paths[route.Key] = item;
        }
        return new JsonObject
        {
            ["openapi"] = "3.1.0",
            ["info"] = new JsonObject
            {
                ["title"] = "FuncTrace API",
                ["version"] = typeof(OpenApiDocument).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0",
                ["description"] = "Events, conversation traces and feedback from CLIs and LLM agents. Errors use one envelope " +
                                  "({\"error\": {\"code\", \"message\", \"details\"}, \"timestamp\", \"request_id\"}); the external trace face " +
                                  "(/api/external) answers failures as {\"success\": false, \"error\"}.",
            },
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["schemas"] = schemas.ToJson(),
                ["securitySchemes"] = new JsonObject
                {
                    [ApiKeyScheme] = new JsonObject { ["type"] = "apiKey", ["in"] = "header", ["name"] = "X-API-Key" },
                    [BearerScheme] = new JsonObject { ["type"] = "http", ["scheme"] = "bearer", ["description"] = "The same API key as a bearer token." },
                },
                ["headers"] = new JsonObject
                {
                    [RequestIds.Header] = Header("string", "The request's id, as in the error envelope's request_id and the logs."),
                    ["Retry-After"] = Header("integer", "Seconds to wait before retrying."),
                    ["Location"] = Header("string", "Where the created resource is."),
                },
            },
        };
    }

    /// <summary><c>api/admin/keys/{id:regex(...)}</c> as the path template <c>/api/admin/keys/{id}</c>.</summary>
    public static string PathOf(string route)
    {
        var pattern = RoutePatternFactory.Parse(route);
        return "/" + string.Join('/', pattern.PathSegments.Select(segment => string.Concat(segment.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart parameter => "{" + parameter.Name + "}",
            RoutePatternSeparatorPart separator => separator.Content,
            _ => string.Empty,
        }))));
    }

    private static JsonObject Operation(HttpFunction function, SchemaComponents schemas)
    {
        var operation = new JsonObject
        {
            ["operationId"] = function.Name,
            ["tags"] = new JsonArray(function.Class.Namespace!.Split('.')[^1]),
            ["x-functrace-access"] = function.Access.ToString().ToLowerInvariant(),
            ["security"] = function.Access == Access.Anonymous
                ? new JsonArray()
                : new JsonArray(new JsonObject { [ApiKeyScheme] = new JsonArray() }, new JsonObject { [BearerScheme] = new JsonArray() }),
        };
        var parameters = RoutePatternFactory.Parse(function.Route).Parameters;
        if (parameters.Count > 0)
        {
            operation["parameters"] = new JsonArray(parameters.Select(p => (JsonNode)new JsonObject
            {
                ["name"] = p.Name,
                ["in"] = "path",
                ["required"] = true,
                ["schema"] = new JsonObject { ["type"] = "string" },
            }).ToArray());
        }
        var body = function.Method.GetCustomAttribute<RequestBodyAttribute>();
        if (body is not null)
        {
            var media = new JsonObject { ["schema"] = schemas.Ref(body.Type) };
            if (body.Example is not null)
            {
                media["example"] = JsonNode.Parse(body.Example);
            }
            operation["requestBody"] = new JsonObject { ["required"] = true, ["content"] = new JsonObject { [body.ContentType] = media } };
        }
        operation["responses"] = Responses(function, body is not null, parameters.Count > 0, schemas);
        return operation;
    }

    private static JsonObject Responses(HttpFunction function, bool readsBody, bool namesAResource, SchemaComponents schemas)
    {
        var responses = new SortedDictionary<int, JsonObject>();
        foreach (var typed in OperationResponses.Of(function).GroupBy(r => r.Status))
        {
            var bodies = typed.Where(r => r.BodyType is not null).ToList();
            responses[typed.Key] = bodies.Count switch
            {
                0 when typed.Key >= 400 => Failure(typed.Key, function, schemas),
                0 => Answer(typed.Key, Description(typed.Key), null),
                1 => Answer(typed.Key, Description(typed.Key), Content(bodies[0].ContentTypes, schemas.Ref(bodies[0].BodyType!))),
                // One status, several shapes (a 200 that is a result or the external face's failure): any one of them.
                _ => Answer(typed.Key, Description(typed.Key), Content(bodies[0].ContentTypes,
                    new JsonObject { ["oneOf"] = new JsonArray(bodies.Select(b => schemas.Ref(b.BodyType!)).ToArray()) })),
            };
        }
        var failures = new List<int> { 400, 429, 500, 503 };
        failures.AddRange(function.Access == Access.Anonymous ? [] : [401, 403]);
        failures.AddRange(namesAResource ? [404] : []);
        failures.AddRange(readsBody ? [408, 413, 415] : []);
        foreach (var status in failures.Where(s => !responses.ContainsKey(s)))
        {
            responses[status] = Failure(status, function, schemas);
        }
        return new JsonObject(responses.Select(r => KeyValuePair.Create(r.Key.ToString(System.Globalization.CultureInfo.InvariantCulture), (JsonNode?)r.Value)));
    }

    private static JsonObject Failure(int status, HttpFunction function, SchemaComponents schemas)
    {
        var schema = function.ExternalFace ? schemas.Ref(typeof(ApiError.ExternalFailure)) : schemas.Ref(typeof(ApiError.Envelope), EnvelopeSchema);
        var code = ApiError.Name(ApiError.CodeOf(status));
        return Answer(status, $"{code}: {Description(status)}", Content(["application/json"], schema));
    }

    private static JsonObject Answer(int status, string description, JsonObject? content)
    {
        var headers = new JsonObject { [RequestIds.Header] = HeaderRef(RequestIds.Header) };
        if (status == StatusCodes.Status429TooManyRequests)
        {
            headers["Retry-After"] = HeaderRef("Retry-After");
        }
        if (status == StatusCodes.Status201Created)
        {
            headers["Location"] = HeaderRef("Location");
        }
        var answer = new JsonObject { ["description"] = description, ["headers"] = headers };
        if (content is not null)
        {
            answer["content"] = content;
        }
        return answer;
    }

    private static JsonObject Content(IReadOnlyList<string> contentTypes, JsonNode schema) =>
        new((contentTypes.Count == 0 ? ["application/json"] : contentTypes)
            .Select(type => KeyValuePair.Create(type, (JsonNode?)new JsonObject { ["schema"] = schema.DeepClone() })));

    private static string Description(int status) => status switch
    {
        400 => "a body, query or path value is not valid",
        401 => "no API key, or an unknown or revoked one",
        403 => "the key's roles or tenant do not allow this",
        408 => "the request body stopped arriving; nothing was stored",
        413 => "the body is larger than this endpoint accepts",
        415 => "the body is not sent as application/json",
        429 => "too many requests from this key or address; retry after Retry-After seconds",
        500 => "an unexpected error; the request id identifies it in the logs",
        503 => "storage is busy or unreachable (or the face is switched off); retry shortly",
        _ => ReasonPhrases.GetReasonPhrase(status),
    };

    private static JsonObject Header(string type, string description) =>
        new() { ["description"] = description, ["schema"] = new JsonObject { ["type"] = type } };

    private static JsonObject HeaderRef(string name) => new() { ["$ref"] = "#/components/headers/" + name };
}
