using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Functions.Keys;

/// <summary>
/// Key management, admin keys only.
/// <code>
/// POST   api/admin/keys        CreateApiKey   create a key (its secret is shown once)
/// GET    api/admin/keys        ListApiKeys    a tenant's keys (never the secret)
/// DELETE api/admin/keys/{id}   RevokeApiKey   revoke at once
/// </code>
/// </summary>
public sealed class ApiKeyFunctions(ApiKeyService keys)
{
    private const string Keys = "api/admin/keys";
    private const string Key = "api/admin/keys/{id}";

    [Function("CreateApiKey")]
    [Access(Access.Admin)]
    [RequestBody(typeof(CreateKeyRequest), Example = """{"roles": ["ingest"], "name": "ci-runner"}""")]
    public async Task<Created<CreatedKeyResponse>> Create(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Keys)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await JsonBody.ReadAsync<CreateKeyRequest>(request, JsonBody.SnakeCase);
        var created = await keys.CreateAsync(request.Caller(), body.Tenant, body.Roles, body.Name, request.HttpContext.RequestAborted);
        return TypedResults.Created($"/{Keys}/{created.Info.Id}", CreatedKeyResponse.From(created));
    }

    [Function("ListApiKeys")]
    [Access(Access.Admin)]
    public async Task<Ok<KeyListResponse>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Keys)] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var list = await keys.ListAsync(request.Caller(), QueryParameters.Optional(request, "tenant"), request.HttpContext.RequestAborted);
        return TypedResults.Ok(new KeyListResponse(list.Select(KeyResponse.From).ToList()));
    }

    [Function("RevokeApiKey")]
    [Access(Access.Admin)]
    public async Task<NoContent> Revoke(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = Key)] HttpRequest request, string id)
    {
        ArgumentNullException.ThrowIfNull(request);
        await keys.RevokeAsync(request.Caller(), id, request.HttpContext.RequestAborted);
        return TypedResults.NoContent();
    }
}
