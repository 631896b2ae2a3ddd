using FuncTrace.Functions.Shared;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;

namespace FuncTrace.Functions.Config;

/// <summary>
/// The app's effective settings, for admins.
/// <code>
/// GET api/config   GetConfig   every setting with its value (secrets: set or unset) and whether it is the default
/// </code>
/// </summary>
public sealed class ConfigFunctions(EffectiveSettings settings)
{
    private const string Config = "api/config";

    [Function("GetConfig")]
    [Access(Access.Admin)]
    public Ok<ConfigResponse> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Config)] HttpRequest request) => TypedResults.Ok(settings.Read());
}
