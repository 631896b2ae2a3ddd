using System.Text.Json.Nodes;
using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Functions.OpenApi;

/// <summary>
/// <code>
/// GET api/openapi.json   OpenApi   no key; the OpenAPI 3.1 document of every HTTP function
/// </code>
/// </summary>
public sealed class OpenApiFunctions
{
    private const string DocumentRoute = "api/openapi.json";

    /// <summary>Built once: it depends on the function classes alone.</summary>
    private static readonly Lazy<JsonObject> Document = new(() => OpenApiDocument.Build(FunctionCatalog.Instance));

    [Function("OpenApi")]
    [Access(Access.Anonymous)]
    public Ok<JsonObject> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = DocumentRoute)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return TypedResults.Ok(Document.Value);
    }
}
