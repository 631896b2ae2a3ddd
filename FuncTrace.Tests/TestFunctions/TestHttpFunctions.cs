using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Tests.TestFunctions;

public sealed record EchoBody(string? Text = null);

/// <summary>A type that contains itself: its schema refers back to its own root.</summary>
public sealed record TreeNode(string Name, IReadOnlyList<TreeNode> Children, System.Text.Json.JsonElement Data);

/// <summary>HTTP functions that exist only in the tests: the shapes the OpenAPI checks must accept or refuse.</summary>
public sealed class TestHttpFunctions
{
    /// <summary>Untyped: the document could not say what it answers.</summary>
    [Function("TestUntyped")]
    [Access(Access.AnyRole)]
    public IResult Untyped([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/test/untyped")] HttpRequest request) => Results.Ok();

    /// <summary>Its status is chosen at run time and no attribute tells it.</summary>
    [Function("TestJsonWithoutStatus")]
    [Access(Access.AnyRole)]
    public JsonHttpResult<EchoBody> JsonWithoutStatus([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/test/json")] HttpRequest request) =>
        TypedResults.Json(new EchoBody("accepted"), statusCode: StatusCodes.Status202Accepted);

    /// <summary>Streams Server-Sent Events, then returns nothing more; the attribute tells what was streamed.</summary>
    [Function("TestStream")]
    [Access(Access.Review)]
    [ProducesResponseType<EchoBody>(StatusCodes.Status200OK, "text/event-stream")]
    public EmptyHttpResult Stream([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/test/items/{id}/events")] HttpRequest request, string id) =>
        TypedResults.Empty;
}

/// <summary>Answers the document must describe with more than a plain Ok&lt;T&gt;.</summary>
public sealed class TestShapeFunctions
{
    [Function("TestTree")]
    [Access(Access.AnyRole)]
    public Ok<TreeNode> Tree([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/test/tree")] HttpRequest request) =>
        TypedResults.Ok(new TreeNode("root", [new TreeNode("leaf", [], default)], default));

    [Function("TestPage")]
    [Access(Access.Anonymous)]
    [ProducesResponseType<string>(StatusCodes.Status200OK, "text/html")]
    public FileContentHttpResult Page([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "test/page")] HttpRequest request) =>
        TypedResults.File("<p>page</p>"u8.ToArray(), "text/html");
}

/// <summary>An external-face function: failures in <c>{"success": false, "error"}</c>.</summary>
[ExternalFace]
public sealed class TestExternalFunctions
{
    [Function("TestExternalEcho")]
    [Access(Access.Anonymous)]
    [RequestBody(typeof(EchoBody), Example = """{"text": "hello"}""")]
    public async Task<Ok<EchoBody>> Echo([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/external/test/echo")] HttpRequest request) =>
        TypedResults.Ok(await JsonBody.ReadAsync<EchoBody>(request, JsonBody.CamelCase));

    /// <summary>A 200 that is either a result or the face's failure, as its clients expect.</summary>
    [Function("TestExternalEither")]
    [Access(Access.Anonymous)]
    public Results<Ok<EchoBody>, Ok<ApiError.ExternalFailure>> Either([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/external/test/either")] HttpRequest request) =>
        TypedResults.Ok(new ApiError.ExternalFailure(false, "not registered"));
}
