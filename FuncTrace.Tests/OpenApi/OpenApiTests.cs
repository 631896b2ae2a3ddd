using System.Net;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using FuncTrace.Functions.OpenApi;
using FuncTrace.Functions.Shared;
using FuncTrace.Tests.Infrastructure;
using FuncTrace.Tests.TestFunctions;
using OpenApiNet = Microsoft.OpenApi;

namespace FuncTrace.Tests.OpenApi;

/// <summary>
/// The OpenAPI document against the catalog it is built from: every HTTP function, every answer its type names, its
/// failures in its face's shape, its security and its body. Generic over the catalog, so functions added later are held to it.
/// </summary>
public sealed class OpenApiTests(FuncTraceApp app) : IClassFixture<FuncTraceApp>
{
    private static readonly JsonObject AppDocument = OpenApiDocument.Build(FunctionCatalog.Instance);

    [Fact]
    public async Task TheDocumentIsServedWithoutAKeyAsValidOpenApi31()
    {
        using var client = app.ClientWithKey(null);

        using var response = await client.GetAsync("/api/openapi.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        var read = OpenApiNet.OpenApiDocument.Parse(text, "json");
        Assert.Equal(OpenApiNet.OpenApiSpecVersion.OpenApi3_1, read.Diagnostic!.SpecificationVersion);
        Assert.Empty(read.Diagnostic.Errors);
        Assert.Empty(read.Diagnostic.Warnings);
        Assert.Empty(OpenApiNet.OpenApiElementExtensions.Validate(read.Document!, OpenApiNet.ValidationRuleSet.GetDefaultRuleSet())!);
        Assert.Equal(AppDocument.ToJsonString(), JsonNode.Parse(text)!.ToJsonString());
    }

    [Fact]
    public void RecursiveTypesFilesAndAStatusWithTwoShapesMakeAValidDocumentToo()
    {
        var document = OpenApiDocument.Build(TestCatalog.Catalog);

        var read = OpenApiNet.OpenApiDocument.Parse(document.ToJsonString(), "json");

        Assert.Empty(read.Diagnostic!.Errors);
        Assert.Empty(read.Diagnostic.Warnings);
        Assert.Equal("#/components/schemas/TreeNode",
            document["components"]!["schemas"]!["TreeNode"]!["properties"]!["children"]!["items"]!["$ref"]!.GetValue<string>());
        Assert.Equal(JsonValueKind.Object, document["components"]!["schemas"]!["TreeNode"]!["properties"]!["data"]!.GetValueKind());
        var either = document["paths"]!["/api/external/test/either"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!["oneOf"]!.AsArray();
        Assert.Equal(["#/components/schemas/EchoBody", "#/components/schemas/ExternalFailure"], either.Select(s => s!["$ref"]!.GetValue<string>()).Order(StringComparer.Ordinal));
        Assert.NotNull(document["paths"]!["/test/page"]!["get"]!["responses"]!["200"]!["content"]!["text/html"]);
    }

    [Fact]
    public void NoHandlerReturnsAnAnswerTheDocumentCannotDescribe()
    {
        Assert.Empty(FunctionCatalog.Instance.Http.SelectMany(OperationResponses.Problems));
        // Routes of the spec FuncTrace declines answer only a documented 501.
        Assert.All(FunctionCatalog.Instance.Http.Where(f => !OperationResponses.Of(f).All(r => r.Status == 501)), f => Assert.Contains(OperationResponses.Of(f), r => r.Status < 400));
    }

    [Fact]
    public void EveryHttpFunctionIsInTheDocumentWithEveryAnswerItsTypeNames()
    {
        Assert.All(Operations(FunctionCatalog.Instance, AppDocument), entry =>
        {
            var (function, operation) = entry;
            Assert.Equal(function.Name, operation["operationId"]!.GetValue<string>());
            var responses = operation["responses"]!.AsObject();
            foreach (var answer in OperationResponses.Of(function))
            {
                var response = responses[answer.Status.ToString(System.Globalization.CultureInfo.InvariantCulture)];
                Assert.True(response is not null, $"{function.Name} can answer {answer.Status}, which the document does not list.");
                Assert.False(string.IsNullOrWhiteSpace(response!["description"]?.GetValue<string>()));
                if (answer.BodyType is not null)
                {
                    var schema = response["content"]!.AsObject().First().Value!["schema"]!;
                    var references = schema["oneOf"] is JsonArray choices ? choices.Select(c => c!["$ref"]!.GetValue<string>()) : [schema["$ref"]!.GetValue<string>()];
                    Assert.Contains(references, r => r.EndsWith("/" + answer.BodyType.Name, StringComparison.Ordinal));
                }
            }
        });
    }

    [Fact]
    public void EveryFailureOfEveryFunctionIsDescribedInItsFacesShape()
    {
        var checkedCount = 0;
        foreach (var (function, operation) in Operations(TestCatalog.Catalog, OpenApiDocument.Build(TestCatalog.Catalog))
                     .Concat(Operations(FunctionCatalog.Instance, AppDocument)))
        {
            var typed = OperationResponses.Of(function).Where(r => r.BodyType is not null).Select(r => r.Status).ToHashSet();
            var failures = operation["responses"]!.AsObject().Where(r => int.Parse(r.Key, System.Globalization.CultureInfo.InvariantCulture) >= 400 && !typed.Contains(int.Parse(r.Key, System.Globalization.CultureInfo.InvariantCulture)));
            var shape = function.ExternalFace ? "#/components/schemas/ExternalFailure" : "#/components/schemas/" + OpenApiDocument.EnvelopeSchema;
            Assert.All(failures, failure => Assert.Equal(shape, failure.Value!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>()));
            Assert.Contains("429", operation["responses"]!.AsObject().Select(r => r.Key));
            checkedCount++;
        }
        Assert.Contains(TestCatalog.Catalog.Http, f => f.ExternalFace);
        Assert.True(checkedCount > FunctionCatalog.Instance.Http.Count);
    }

    [Fact]
    public void KeyedFunctionsAskForTheApiKeyAndCanAnswer401And403WhileAnonymousOnesAskForNothing()
    {
        Assert.All(Operations(FunctionCatalog.Instance, AppDocument), entry =>
        {
            var (function, operation) = entry;
            var security = operation["security"]!.AsArray().Select(s => s!.AsObject().Single().Key).ToList();
            var statuses = operation["responses"]!.AsObject().Select(r => r.Key).ToList();
            Assert.Equal(function.Access.ToString().ToLowerInvariant(), operation["x-functrace-access"]!.GetValue<string>());
            if (function.Access == Access.Anonymous)
            {
                Assert.Empty(security);
                Assert.DoesNotContain("401", statuses);
            }
            else
            {
                Assert.Equal([OpenApiDocument.ApiKeyScheme, OpenApiDocument.BearerScheme], security);
                Assert.Contains("401", statuses);
                Assert.Contains("403", statuses);
            }
        });
    }

    [Fact]
    public void EveryDeclaredRequestBodyIsInTheDocumentAndItsExampleIsABodyTheFunctionAccepts()
    {
        var withBodies = FunctionCatalog.Instance.Http.Concat(TestCatalog.Catalog.Http).Where(f => f.Method.GetCustomAttribute<RequestBodyAttribute>() is not null).ToList();

        Assert.NotEmpty(withBodies);
        Assert.All(withBodies, function =>
        {
            var body = function.Method.GetCustomAttribute<RequestBodyAttribute>()!;
            var catalog = FunctionCatalog.Instance.FindHttp(function.Name) is null ? TestCatalog.Catalog : FunctionCatalog.Instance;
            var operation = Operations(catalog, catalog == FunctionCatalog.Instance ? AppDocument : OpenApiDocument.Build(catalog)).First(o => o.Function == function).Operation;
            Assert.NotNull(operation["requestBody"]!["content"]![body.ContentType]!["schema"]);
            Assert.True(body.Example is not null || body.Type == typeof(Stream), $"{function.Name}: give [RequestBody] an Example, which the sweep starts from.");
            if (body.Example is not null)
            {
                var parsed = JsonBody.ParseObject(System.Text.Encoding.UTF8.GetBytes(body.Example));
                Assert.NotNull(typeof(JsonBody).GetMethod(nameof(JsonBody.Deserialize))!.MakeGenericMethod(body.Type).Invoke(null, [parsed, function.ExternalFace ? JsonBody.CamelCase : JsonBody.SnakeCase]));
            }
        });
    }

    [Fact]
    public void AnUntypedResultOrARuntimeStatusWithoutAnAttributeIsReportedAndAnAttributedStreamIsDescribed()
    {
        var problems = TestCatalog.Catalog.Http.ToDictionary(f => f.Name, OperationResponses.Problems);
        var stream = OperationResponses.Of(TestCatalog.Catalog.FindHttp("TestStream")!);

        Assert.Contains("typed result", Assert.Single(problems["TestUntyped"]), StringComparison.Ordinal);
        Assert.Contains("ProducesResponseType", Assert.Single(problems["TestJsonWithoutStatus"]), StringComparison.Ordinal);
        Assert.Empty(problems["TestStream"]);
        Assert.Empty(problems["TestPage"]);
        Assert.Empty(problems["TestExternalEcho"]);
        var answer = Assert.Single(stream);
        Assert.Equal((200, typeof(EchoBody), "text/event-stream"), (answer.Status, answer.BodyType, Assert.Single(answer.ContentTypes)));
    }

    [Fact]
    public async Task TheEnvelopeSchemaNamesWhatAnErrorAnswerHolds()
    {
        using var client = app.ClientWithKey(null);
        using var response = await client.GetAsync("/api/admin/keys");
        var envelope = await ApiAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, "UNAUTHORIZED");

        var schema = AppDocument["components"]!["schemas"]![OpenApiDocument.EnvelopeSchema]!;

        Assert.Equal(envelope.EnumerateObject().Select(p => p.Name).Order(), schema["properties"]!.AsObject().Select(p => p.Key).Order());
        Assert.Equal(envelope.GetProperty("error").EnumerateObject().Select(p => p.Name).Order(), schema["properties"]!["error"]!["properties"]!.AsObject().Select(p => p.Key).Order());
    }

    [Fact]
    public void RouteTemplatesBecomePathTemplates()
    {
        Assert.Equal("/api/admin/keys/{id}", OpenApiDocument.PathOf("api/admin/keys/{id}"));
        Assert.Equal("/api/events/{id}/artifacts/{name}", OpenApiDocument.PathOf("api/events/{id:minlength(1)}/artifacts/{name?}"));
    }

    /// <summary>Each (function, method) of <paramref name="catalog"/> with its operation in <paramref name="document"/>; fails on a missing one.</summary>
    private static List<(HttpFunction Function, JsonObject Operation)> Operations(FunctionCatalog catalog, JsonObject document) =>
        catalog.Http.SelectMany(f => f.Methods.Select(method =>
        {
            var operation = document["paths"]?[OpenApiDocument.PathOf(f.Route)]?[method.ToLowerInvariant()];
            Assert.True(operation is not null, $"{f.Name} ({method} {f.Route}) is not in the document.");
            return (f, operation!.AsObject());
        })).ToList();
}
